package io.medallion.testkit;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * A real S3-compatible server for tests: <a href="https://github.com/gaul/s3proxy">s3proxy</a>
 * with its in-memory backend, run as a child JVM on {@code 127.0.0.1} (its own classpath cannot
 * clash with Spark's), with generated credentials (V2 or V4 signatures) and one bucket.
 *
 * <pre>
 * try (S3Server s3 = S3Server.start()) {
 *   s3.configure(spark);                       // s3a:// settings for this bucket
 *   spark.range(3).write().format("delta").save(s3.uri("tables/t"));
 * }
 * </pre>
 *
 * <p>The server jar is found through the system property {@value #SERVERS_DIR_PROPERTY} (a
 * directory holding {@code s3proxy.jar}); the project's Maven build copies
 * {@code org.gaul:s3proxy:jar-with-dependencies} there and sets the property for tests. Data lives
 * in the child's memory and is gone when the server stops. The child is killed by {@link #close()}
 * or, failing that, by a JVM shutdown hook. The secret key is never logged nor printed by
 * {@link #toString()}.
 */
public final class S3Server extends ChildServer {
  /** System property naming the directory that holds {@code s3proxy.jar}. */
  public static final String SERVERS_DIR_PROPERTY = "medallion.test.servers";

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
  private static final long START_TIMEOUT_MS = 60_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String endpoint;
  private final String accessKey;
  private final String secretKey;
  private final String bucket;

  private S3Server(Launched child, String endpoint, String accessKey, String secretKey, String bucket) {
    super("s3proxy", child);
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.bucket = bucket;
  }

  /**
   * Starts a server with a bucket of a fresh random name, so that several servers in one JVM
   * never share Hadoop's cached {@code s3a://bucket} file system.
   */
  public static S3Server start() {
    return start("medallion-" + randomHex(6));
  }

  /**
   * Starts a server with bucket {@code bucket}, waiting up to 60 s for it to answer.
   *
   * @throws IllegalStateException if the jar is missing, or the server does not start (the message
   *     holds the child's output)
   */
  public static S3Server start(String bucket) {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("Bucket name '" + bucket + "' is not a valid S3 bucket"
          + " name: 3 to 63 lower-case letters, digits and '-'");
    }
    Path jar = locateJar();
    String accessKey = "medallion-" + randomHex(4);
    String secretKey = randomHex(20);
    Path workDir;
    try {
      workDir = Files.createTempDirectory("medallion-s3proxy-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start s3proxy", e);
    }
    int port = freePort();
    String endpoint = "http://127.0.0.1:" + port;
    Launched child = null;
    try {
      Path properties = writeProperties(workDir, endpoint, accessKey, secretKey);
      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      child = launch("s3proxy", List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--properties",
              properties.toString()), workDir, workDir.resolve("s3proxy.log"), true);
      awaitPort("s3proxy", child, port, START_TIMEOUT_MS, secretKey);
      S3Server server = new S3Server(child, endpoint, accessKey, secretKey, bucket);
      server.createBucket(child.log);
      return server;
    } catch (IOException | RuntimeException e) {
      throw startFailed("s3proxy", child, workDir, e);
    }
  }

  /** The HTTP endpoint, e.g. {@code http://127.0.0.1:40123}. */
  public String endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public String bucket() {
    return bucket;
  }

  /** {@code s3a://<bucket>/<path>}. */
  public String uri(String path) {
    return "s3a://" + bucket + "/" + (path.startsWith("/") ? path.substring(1) : path);
  }

  /** Configures {@code spark}'s Hadoop configuration for {@code s3a://<bucket>} (see below). */
  public void configure(SparkSession spark) {
    configure(spark.sparkContext().hadoopConfiguration());
  }

  /**
   * Sets the S3A settings for this server. Per-bucket keys ({@code fs.s3a.bucket.<bucket>.*}) are
   * used, so other buckets (real S3, other servers) keep their own settings: endpoint, path-style
   * access, no TLS, the generated keys with the simple credentials provider, and no change
   * detection (s3proxy keeps no object versions). Must run before the bucket's file system is
   * first used: Hadoop caches it per bucket.
   */
  public void configure(Configuration conf) {
    conf.set("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    String prefix = "fs.s3a.bucket." + bucket + ".";
    conf.set(prefix + "endpoint", endpoint);
    conf.set(prefix + "endpoint.region", "us-east-1");
    conf.set(prefix + "path.style.access", "true");
    conf.set(prefix + "connection.ssl.enabled", "false");
    conf.set(prefix + "aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set(prefix + "access.key", accessKey);
    conf.set(prefix + "secret.key", secretKey);
    conf.set(prefix + "change.detection.mode", "none");
    conf.set(prefix + "attempts.maximum", "3");
    conf.set(prefix + "retry.limit", "3");
  }

  @Override
  public String toString() {
    return "S3Server[" + endpoint + ", bucket " + bucket + ", access key " + accessKey + "]";
  }

  // ---- helpers ----

  private static Path locateJar() {
    String dir = System.getProperty(SERVERS_DIR_PROPERTY);
    Path jar = dir == null ? null : Paths.get(dir, "s3proxy.jar");
    if (jar == null || !Files.isRegularFile(jar)) {
      throw new IllegalStateException("s3proxy.jar not found ("
          + (dir == null ? "system property " + SERVERS_DIR_PROPERTY + " is not set"
              : jar + " does not exist")
          + "): run the tests through Maven (mvn test), whose generate-test-resources phase"
          + " copies org.gaul:s3proxy:jar-with-dependencies to target/test-servers, or set -D"
          + SERVERS_DIR_PROPERTY + "=<directory holding s3proxy.jar>");
    }
    return jar.toAbsolutePath();
  }

  private static Path writeProperties(Path dir, String endpoint, String accessKey,
      String secretKey) throws IOException {
    Properties props = new Properties();
    props.setProperty("s3proxy.endpoint", endpoint);
    props.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    props.setProperty("s3proxy.identity", accessKey);
    props.setProperty("s3proxy.credential", secretKey);
    props.setProperty("jclouds.provider", "transient");
    props.setProperty("jclouds.identity", "unused");
    props.setProperty("jclouds.credential", "unused");
    Path file = dir.resolve("s3proxy.properties");
    Files.createFile(file);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the temp directory's own permissions apply.
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "medallion S3Server");
    }
    return file;
  }

  private void createBucket(Path log) {
    AmazonS3 s3 = AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(
            new AWSStaticCredentialsProvider(new BasicAWSCredentials(accessKey, secretKey)))
        .build();
    try {
      RuntimeException last = null;
      for (int attempt = 0; attempt < 20; attempt++) {
        try {
          s3.createBucket(bucket);
          return;
        } catch (RuntimeException e) {
          last = e; // the port may answer a moment before the S3 handler is ready
          sleep(250, "creating bucket " + bucket);
        }
      }
      throw new IllegalStateException("Cannot create bucket " + bucket + " on s3proxy at "
          + endpoint + ". Its output:\n" + output(log, secretKey), last);
    } finally {
      s3.shutdown();
    }
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
