package io.medallion.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS-compatible server for tests: <a href="https://github.com/softwaremill/elasticmq">
 * ElasticMQ</a> (in memory) run as a child JVM on {@code 127.0.0.1} (its Scala 2.13 and Pekko
 * class path cannot clash with Spark's Scala 2.12).
 *
 * <pre>
 * try (SqsServer sqs = SqsServer.start()) {
 *   String queue = sqs.createQueue("landing-events");
 *   sqs.sendS3Event(queue, "my-bucket", "landing/2024/01/01/a b.json", 123);
 * }
 * </pre>
 *
 * <p>The server's jars are found in the directory {@code elasticmq} under the system property
 * {@value S3Server#SERVERS_DIR_PROPERTY}; the project's Maven build copies {@code
 * org.elasticmq:elasticmq-server_2.13} and its dependencies there and sets the property for
 * tests. It accepts any credentials ({@link #credentials()} are dummies) and region {@value
 * #REGION}. The child is killed by {@link #close()} or, failing that, by a JVM shutdown hook.
 */
public final class SqsServer extends ChildServer {
  /** The region queue URLs and clients use. */
  public static final String REGION = "us-east-1";

  private static final long START_TIMEOUT_MS = 60_000;

  private final String endpoint;
  private final SqsClient client;

  private SqsServer(Launched child, String endpoint) {
    super("ElasticMQ", child);
    this.endpoint = endpoint;
    this.client = SqsClient.builder().endpointOverride(URI.create(endpoint))
        .region(Region.of(REGION)).credentialsProvider(credentials())
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(30)))
        .build();
  }

  /**
   * Starts a server on a free port, waiting up to 60 s for it to answer.
   *
   * @throws IllegalStateException if the jars are missing, or the server does not start (the
   *     message holds the child's output)
   */
  public static SqsServer start() {
    Path jars = locateJars();
    Path workDir;
    try {
      workDir = Files.createTempDirectory("medallion-elasticmq-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start ElasticMQ", e);
    }
    int port = freePort();
    String endpoint = "http://127.0.0.1:" + port;
    Launched child = null;
    try {
      Path config = workDir.resolve("elasticmq.conf");
      Files.writeString(config, String.join("\n",
          "include classpath(\"application.conf\")",
          "node-address { protocol = \"http\", host = \"127.0.0.1\", port = " + port
              + ", context-path = \"\" }",
          "rest-sqs { enabled = true, bind-port = " + port
              + ", bind-hostname = \"127.0.0.1\", sqs-limits = strict }",
          "rest-stats { enabled = false }",
          "generate-node-address = false",
          "aws { region = \"" + REGION + "\", accountId = \"000000000000\" }",
          ""), StandardCharsets.UTF_8);
      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      child = launch("ElasticMQ", List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1", "-Dconfig.file=" + config, "-cp",
              jars.toString() + File.separator + "*", "org.elasticmq.server.Main"),
          workDir, workDir.resolve("elasticmq.log"), true);
      awaitPort("ElasticMQ", child, port, START_TIMEOUT_MS, null);
      SqsServer server = new SqsServer(child, endpoint);
      server.waitUntilServing(child.log);
      return server;
    } catch (IOException | RuntimeException e) {
      throw startFailed("ElasticMQ", child, workDir, e);
    }
  }

  /** The HTTP endpoint, e.g. {@code http://127.0.0.1:40123}. */
  public String endpoint() {
    return endpoint;
  }

  /** Dummy static credentials (the server accepts any). */
  public AwsCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("medallion", "medallion"));
  }

  /** A client of this server (owned by it: do not close). */
  public SqsClient client() {
    return client;
  }

  /** Creates queue {@code name} with a 30 s visibility timeout; returns its URL. */
  public String createQueue(String name) {
    return createQueue(name, Duration.ofSeconds(30));
  }

  /** Creates queue {@code name} with the given visibility timeout (whole seconds); its URL. */
  public String createQueue(String name, Duration visibilityTimeout) {
    return client.createQueue(b -> b.queueName(name).attributes(Map.of(
        QueueAttributeName.VISIBILITY_TIMEOUT,
        Long.toString(Math.max(0, visibilityTimeout.toSeconds()))))).queueUrl();
  }

  /** Sends {@code body} as is; returns the message id. */
  public String send(String queueUrl, String body) {
    return client.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body)).messageId();
  }

  /** Sends the S3 {@code ObjectCreated:Put} notification of {@code key}, as S3 does. */
  public String sendS3Event(String queueUrl, String bucket, String key, long size) {
    return send(queueUrl, s3EventJson("ObjectCreated:Put", bucket, key, size, Instant.now()));
  }

  /** Messages visible or in flight on the queue (approximate, as on SQS). */
  public int messageCount(String queueUrl) {
    Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b
        .queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
    return Integer.parseInt(attributes.getOrDefault(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
        + Integer.parseInt(attributes.getOrDefault(
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
  }

  /**
   * The JSON body of an S3 event notification as S3 sends it to SQS: one record, the key
   * URL-encoded with {@code +} for a space, event time in milliseconds.
   */
  public static String s3EventJson(String eventName, String bucket, String key, long size,
      Instant eventTime) {
    String encodedKey = URLEncoder.encode(key, StandardCharsets.UTF_8)
        .replace("%2F", "/").replace("*", "%2A").replace("%7E", "~");
    String time = eventTime.truncatedTo(ChronoUnit.MILLIS).toString();
    if (!time.contains(".")) {
      time = time.replace("Z", ".000Z");
    }
    String etag = Long.toHexString(key.hashCode() & 0xffffffffL) + Long.toHexString(size);
    return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\","
        + "\"awsRegion\":\"" + REGION + "\",\"eventTime\":\"" + time + "\","
        + "\"eventName\":\"" + eventName + "\","
        + "\"userIdentity\":{\"principalId\":\"AWS:AIDAEXAMPLE\"},"
        + "\"requestParameters\":{\"sourceIPAddress\":\"127.0.0.1\"},"
        + "\"responseElements\":{\"x-amz-request-id\":\"C3D13FE58DE4C810\","
        + "\"x-amz-id-2\":\"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD\"},"
        + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"medallion-test\","
        + "\"bucket\":{\"name\":\"" + bucket + "\","
        + "\"ownerIdentity\":{\"principalId\":\"A3NL1KOZZKExample\"},"
        + "\"arn\":\"arn:aws:s3:::" + bucket + "\"},"
        + "\"object\":{\"key\":\"" + encodedKey + "\",\"size\":" + size + ","
        + "\"eTag\":\"" + etag + "\",\"sequencer\":\"0055AED6DCD90281E5\"}}}]}";
  }

  /** The {@code s3:TestEvent} message S3 sends when notifications are configured. */
  public static String s3TestEventJson(String bucket) {
    return "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\""
        + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\",\"Bucket\":\"" + bucket + "\","
        + "\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE\"}";
  }

  /** {@code s3EventJson} wrapped in an SNS notification (S3 -> SNS topic -> SQS, raw delivery off). */
  public static String snsWrapped(String s3EventJson) {
    return "{\"Type\":\"Notification\",\"MessageId\":\"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\","
        + "\"TopicArn\":\"arn:aws:sns:" + REGION + ":000000000000:landing\","
        + "\"Subject\":\"Amazon S3 Notification\",\"Message\":" + jsonString(s3EventJson) + ","
        + "\"Timestamp\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\","
        + "\"SignatureVersion\":\"1\",\"Signature\":\"EXAMPLE\"}";
  }

  /** Stops the server (its queues are lost) and deletes its working directory. */
  @Override
  public void close() {
    client.close();
    super.close();
  }

  @Override
  public String toString() {
    return "SqsServer[" + endpoint + "]";
  }

  // ---- helpers ----

  static String jsonString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"').toString();
  }

  private static Path locateJars() {
    String dir = System.getProperty(S3Server.SERVERS_DIR_PROPERTY);
    Path jars = dir == null ? null : Paths.get(dir, "elasticmq");
    boolean ok = false;
    if (jars != null && Files.isDirectory(jars)) {
      try (Stream<Path> files = Files.list(jars)) {
        ok = files.anyMatch(p -> p.getFileName().toString().startsWith("elasticmq-server"));
      } catch (IOException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalStateException("ElasticMQ jars not found ("
          + (dir == null ? "system property " + S3Server.SERVERS_DIR_PROPERTY + " is not set"
              : jars + " holds no elasticmq-server jar")
          + "): run the tests through Maven (mvn test), whose generate-test-resources phase"
          + " copies org.elasticmq:elasticmq-server_2.13 and its dependencies to"
          + " target/test-servers/elasticmq, or set -D" + S3Server.SERVERS_DIR_PROPERTY
          + "=<directory holding elasticmq/*.jar>");
    }
    return jars.toAbsolutePath();
  }

  private void waitUntilServing(Path log) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 40; attempt++) {
      try {
        client.listQueues();
        return;
      } catch (RuntimeException e) {
        last = e; // the port may answer a moment before the SQS routes are ready
        sleep(250, "starting ElasticMQ");
      }
    }
    throw new IllegalStateException("ElasticMQ at " + endpoint + " does not answer ListQueues."
        + " Its output:\n" + output(log, null), last);
  }
}
