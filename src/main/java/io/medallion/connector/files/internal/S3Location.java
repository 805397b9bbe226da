package io.medallion.connector.files.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * A root {@code s3a://bucket/prefix/} (also {@code s3://}, {@code s3n://}): its scheme, bucket and
 * key prefix, which is empty (the whole bucket) or ends with {@code /}.
 */
public record S3Location(String scheme, String bucket, String prefix) {
  private static final Set<String> SCHEMES = Set.of("s3", "s3a", "s3n");

  /** Whether {@code uri} names an S3 location ({@code s3}, {@code s3a}, {@code s3n}). */
  public static boolean isS3(String uri) {
    int colon = uri == null ? -1 : uri.indexOf("://");
    return colon > 0 && SCHEMES.contains(uri.substring(0, colon).toLowerCase(Locale.ROOT));
  }

  /**
   * Parses {@code s3a://bucket/some/prefix} (a trailing {@code /} is added to a non-empty prefix).
   *
   * @throws IllegalArgumentException if it is not an S3 URI with a bucket
   */
  public static S3Location parse(String uri) {
    if (!isS3(uri)) {
      throw new IllegalArgumentException("'" + uri + "' is not an S3 location: expected"
          + " s3a://bucket/prefix/ (or s3:// or s3n://)");
    }
    int sep = uri.indexOf("://");
    String scheme = uri.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = uri.substring(sep + 3);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty() || bucket.contains("@") || bucket.contains("?")
        || bucket.contains("#")) {
      throw new IllegalArgumentException("'" + uri + "' has no valid bucket: expected"
          + " s3a://bucket/prefix/ (credentials never go into the URI: use fs.s3a.access.key)");
    }
    try {
      new URI(scheme, bucket, "/", null); // host-like check only
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + uri + "' has no valid bucket name", e);
    }
    while (key.startsWith("/")) {
      key = key.substring(1);
    }
    if (!key.isEmpty() && !key.endsWith("/")) {
      key = key + "/";
    }
    return new S3Location(scheme, bucket, key);
  }

  /** {@code scheme://bucket/prefix}. */
  public String uri() {
    return scheme + "://" + bucket + "/" + prefix;
  }

  /** {@code scheme://bucket/key}. */
  public String pathOf(String key) {
    return scheme + "://" + bucket + "/" + key;
  }

  /**
   * The key of a full path of this bucket in any of the S3 schemes ({@code s3a://bucket/k} and
   * {@code s3://bucket/k} both give {@code k}).
   *
   * @throws IllegalArgumentException for a path of another bucket or not on S3
   */
  public String keyOf(String path) {
    if (isS3(path)) {
      String rest = path.substring(path.indexOf("://") + 3);
      if (rest.startsWith(bucket + "/")) {
        return rest.substring(bucket.length() + 1);
      }
      if (rest.equals(bucket)) {
        return "";
      }
    }
    throw new IllegalArgumentException("'" + path + "' is not a path of bucket " + bucket
        + " (listing " + uri() + ")");
  }

  /**
   * Whether {@code key} is a file of this root that a file source reads: under the prefix, not a
   * directory marker ({@code .../}), not hidden (a component below the root {@link
   * HiddenPaths#isHidden hidden} like {@code _SUCCESS}), not an S3A {@code _$folder$} marker.
   */
  public boolean isListedFile(String key) {
    if (!key.startsWith(prefix) || key.length() == prefix.length() || key.endsWith("/")) {
      return false;
    }
    for (String name : key.substring(prefix.length()).split("/", -1)) {
      if (HiddenPaths.isHidden(name)) {
        return false;
      }
    }
    return !key.endsWith("_$folder$");
  }

  @Override
  public String toString() {
    return uri();
  }
}
