package io.medallion.config;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Storage locations in config: URIs are kept, relative local paths are made absolute. */
final class Paths {
  // A URI scheme of two or more characters (one character would be a Windows drive letter).
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

  private Paths() {}

  /**
   * {@code s3a://b/x}, {@code dbfs:/x}, {@code file:/x}, {@code abfss://...} as they are; a local
   * path absolute and normalized, relative ones against {@code baseDir}.
   */
  static String resolve(String location, Path baseDir) {
    if (SCHEME.matcher(location).lookingAt()) {
      return location;
    }
    Path p = Path.of(location);
    return (p.isAbsolute() ? p : baseDir.resolve(p)).toAbsolutePath().normalize().toString();
  }
}
