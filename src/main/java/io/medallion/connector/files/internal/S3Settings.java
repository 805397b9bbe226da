package io.medallion.connector.files.internal;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Where and as whom to call AWS for one S3 bucket, read from the S3A settings Spark users already
 * set, with S3A's precedence: {@code fs.s3a.bucket.<bucket>.<key>} over {@code fs.s3a.<key>}.
 *
 * <ul>
 *   <li>{@code endpoint}: an URL ({@code http://127.0.0.1:9000}) or a host name, which gets
 *       {@code https://} unless {@code connection.ssl.enabled} is false; none: AWS's own.
 *   <li>{@code path.style.access} (default false), {@code endpoint.region} (default: the AWS
 *       region chain, then {@code us-east-1}).
 *   <li>{@code paging.maximum}: keys per list request, at most S3's 1,000 (S3A's own default,
 *       5,000, means 1,000); some S3-compatible stores page smaller.
 *   <li>{@code access.key}, {@code secret.key}, {@code session.token}, read with {@link
 *       Configuration#getPassword} like S3A (so Hadoop credential providers work). Without keys:
 *       anonymous when {@code aws.credentials.provider} names S3A's anonymous provider, else the
 *       default AWS credentials chain (environment, profile, web identity, instance role).
 * </ul>
 *
 * <p>{@link #toString()} shows the access key id, never the secret key nor the session token.
 */
public final class S3Settings {
  /** Bound on one AWS API call, retries included. */
  public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(30);
  /** Keys per ListObjectsV2 request: S3's maximum, and the default. */
  public static final int MAX_PAGE_SIZE = 1000;

  private final String bucket;
  private final String endpoint;
  private final boolean pathStyle;
  private final String region;
  private final String accessKey;
  private final String secretKey;
  private final String sessionToken;
  private final boolean anonymous;
  private final Duration apiCallTimeout;
  private final int pageSize;
  private Region[] resolved;

  private S3Settings(String bucket, String endpoint, boolean pathStyle, String region,
      String accessKey, String secretKey, String sessionToken, boolean anonymous,
      Duration apiCallTimeout, int pageSize) {
    this.bucket = bucket;
    this.endpoint = endpoint;
    this.pathStyle = pathStyle;
    this.region = region;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.sessionToken = sessionToken;
    this.anonymous = anonymous;
    this.apiCallTimeout = apiCallTimeout;
    this.pageSize = pageSize;
  }

  /** The settings of {@code bucket} in {@code conf} (S3A keys, per-bucket keys first). */
  public static S3Settings fromHadoop(Configuration conf, String bucket) {
    String endpoint = get(conf, bucket, "endpoint");
    if (endpoint != null && !endpoint.contains("://")) {
      boolean ssl = Boolean.parseBoolean(
          orDefault(get(conf, bucket, "connection.ssl.enabled"), "true"));
      endpoint = (ssl ? "https://" : "http://") + endpoint;
    }
    boolean pathStyle = Boolean.parseBoolean(
        orDefault(get(conf, bucket, "path.style.access"), "false"));
    String region = get(conf, bucket, "endpoint.region");
    String accessKey = secret(conf, bucket, "access.key");
    String secretKey = secret(conf, bucket, "secret.key");
    String sessionToken = secret(conf, bucket, "session.token");
    String providers = get(conf, bucket, "aws.credentials.provider");
    boolean anonymous = accessKey == null && providers != null
        && providers.contains("AnonymousAWSCredentialsProvider");
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("S3 bucket '" + bucket + "': "
          + (accessKey == null ? "fs.s3a.secret.key is set but fs.s3a.access.key is not"
              : "fs.s3a.access.key is set but fs.s3a.secret.key is not")
          + " (nor their fs.s3a.bucket." + bucket + ".* forms): set both, or neither to use"
          + " the default AWS credentials chain");
    }
    return new S3Settings(bucket, endpoint, pathStyle, region, accessKey, secretKey,
        sessionToken, anonymous, DEFAULT_API_CALL_TIMEOUT, pageSize(get(conf, bucket, "paging.maximum"), bucket));
  }

  /** {@code paging.maximum}: a positive whole number, at most {@link #MAX_PAGE_SIZE} used. */
  private static int pageSize(String value, String bucket) {
    if (value == null) {
      return MAX_PAGE_SIZE;
    }
    int keys;
    try {
      keys = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      keys = 0;
    }
    if (keys < 1) {
      throw new IllegalArgumentException("S3 bucket '" + bucket + "': fs.s3a.paging.maximum (or fs.s3a.bucket."
          + bucket + ".paging.maximum) is '" + value + "'; set a whole number of keys per list request,"
          + " 1 or more (S3 returns at most " + MAX_PAGE_SIZE + "), or unset it for " + MAX_PAGE_SIZE);
    }
    return Math.min(keys, MAX_PAGE_SIZE);
  }

  /** A copy with another bound on each API call (retries included). */
  public S3Settings withApiCallTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("API call timeout must be positive: " + timeout);
    }
    return new S3Settings(bucket, endpoint, pathStyle, region, accessKey, secretKey,
        sessionToken, anonymous, timeout, pageSize);
  }

  public String bucket() {
    return bucket;
  }

  /** The endpoint URL, or null for AWS's own. */
  public String endpoint() {
    return endpoint;
  }

  public boolean pathStyleAccess() {
    return pathStyle;
  }

  /** The configured region, or null. */
  public String configuredRegion() {
    return region;
  }

  public Duration apiCallTimeout() {
    return apiCallTimeout;
  }

  /** Keys per list request ({@code paging.maximum}, at most {@link #MAX_PAGE_SIZE}). */
  public int pageSize() {
    return pageSize;
  }

  /** The configured region; else the AWS region chain; else {@code us-east-1}. */
  Region region() {
    return resolvedRegion()[0] == null ? Region.US_EAST_1 : resolvedRegion()[0];
  }

  /** Whether the region came from nowhere (then S3 cross-region access is enabled). */
  boolean regionGuessed() {
    return resolvedRegion()[0] == null;
  }

  /** The region chain may ask the EC2 metadata service: asked once per settings object. */
  private synchronized Region[] resolvedRegion() {
    if (resolved == null) {
      Region r = null;
      if (region != null) {
        r = Region.of(region);
      } else {
        try {
          r = new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException | IllegalStateException e) {
          r = null;
        }
      }
      resolved = new Region[] {r};
    }
    return resolved;
  }

  /** A new provider (close it if it is {@link AutoCloseable}). */
  AwsCredentialsProvider credentialsProvider() {
    if (accessKey != null) {
      return StaticCredentialsProvider.create(sessionToken != null
          ? AwsSessionCredentials.create(accessKey, secretKey, sessionToken)
          : AwsBasicCredentials.create(accessKey, secretKey));
    }
    if (anonymous) {
      return AnonymousCredentialsProvider.create();
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** Where the credentials come from, for error messages (no secret). */
  String credentialsSource() {
    if (accessKey != null) {
      return "access key " + accessKey + " from fs.s3a.access.key/fs.s3a.secret.key"
          + (sessionToken != null ? "/fs.s3a.session.token" : "")
          + " (or fs.s3a.bucket." + bucket + ".*)";
    }
    return anonymous ? "anonymous access (fs.s3a.aws.credentials.provider)"
        : "the default AWS credentials chain (no fs.s3a.access.key set)";
  }

  /** The URLConnection HTTP client: no Netty, no Apache client. */
  static UrlConnectionHttpClient.Builder http(Duration apiCallTimeout) {
    return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(apiCallTimeout.compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofSeconds(1) : apiCallTimeout);
  }

  /** Bounded time per call, three attempts. */
  static void timeouts(ClientOverrideConfiguration.Builder c, Duration apiCallTimeout) {
    c.apiCallTimeout(apiCallTimeout).retryStrategy(r -> r.maxAttempts(3));
  }

  static URI endpointUri(String endpoint) {
    try {
      return URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("S3 endpoint '" + endpoint + "' is not a valid URL", e);
    }
  }

  @Override
  public String toString() {
    return "S3Settings[bucket " + bucket + ", endpoint " + (endpoint == null ? "(AWS)" : endpoint)
        + ", path style " + pathStyle + ", region " + (region == null ? "(default)" : region)
        + (pageSize == MAX_PAGE_SIZE ? "" : ", " + pageSize + " keys a page")
        + ", credentials " + (accessKey != null ? "access key " + accessKey
            + (sessionToken != null ? " with session token" : "")
            : anonymous ? "anonymous" : "default chain")
        + "]";
  }

  private static String get(Configuration conf, String bucket, String key) {
    String value = conf.getTrimmed("fs.s3a.bucket." + bucket + "." + key);
    if (value == null || value.isEmpty()) {
      value = conf.getTrimmed("fs.s3a." + key);
    }
    return value == null || value.isEmpty() ? null : value;
  }

  private static String secret(Configuration conf, String bucket, String key) {
    for (String name : new String[] {"fs.s3a.bucket." + bucket + "." + key, "fs.s3a." + key}) {
      try {
        char[] value = conf.getPassword(name);
        if (value != null && value.length > 0) {
          String s = new String(value).trim();
          if (!s.isEmpty()) {
            return s;
          }
        }
      } catch (IOException e) {
        // Never echo the provider's message: it may quote the value.
        throw new IllegalArgumentException("Cannot read " + name + " from the Hadoop credential"
            + " providers (hadoop.security.credential.provider.path): "
            + e.getClass().getSimpleName());
      }
    }
    return null;
  }

  private static String orDefault(String value, String dflt) {
    return value == null ? dflt : value.toLowerCase(Locale.ROOT);
  }
}
