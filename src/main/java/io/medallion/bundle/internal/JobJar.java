package io.medallion.bundle.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.Manifest;

/** The job jar's entry point: the {@code Main-Class} of the jar medallion runs from. */
public final class JobJar {
  /** The class the build's manifest names (pom.xml, ManifestResourceTransformer). */
  public static final String DEFAULT_MAIN_CLASS = "io.medallion.cli.Main";

  private JobJar() {}

  /**
   * The {@code Main-Class} in the manifest of the jar that holds {@code anchor}; {@link
   * #DEFAULT_MAIN_CLASS} when running from classes (a build before {@code package}, tests).
   */
  public static String mainClass(Class<?> anchor) {
    URL source = anchor.getProtectionDomain().getCodeSource() == null
        ? null : anchor.getProtectionDomain().getCodeSource().getLocation();
    if (source != null && source.getPath().endsWith(".jar")) {
      try (InputStream in = new URL("jar:" + source + "!/META-INF/MANIFEST.MF").openStream()) {
        String main = new Manifest(in).getMainAttributes().getValue("Main-Class");
        if (main != null && !main.isBlank()) {
          return main.trim();
        }
      } catch (IOException e) {
        // no manifest: the default below
      }
    }
    return DEFAULT_MAIN_CLASS;
  }
}
