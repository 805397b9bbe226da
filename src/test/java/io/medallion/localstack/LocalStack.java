package io.medallion.localstack;

import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KinesisServer;
import io.medallion.testkit.S3Server;
import io.medallion.testkit.SqsServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A local stack for exploring medallion ({@code scripts/local-stack.sh up|down}): the test kit's
 * S3 (s3proxy), Kafka, SQS (ElasticMQ) and Kinesis (kinesalite) servers on 127.0.0.1, with bucket
 * {@value #BUCKET}, topic {@code orders}, stream {@code clicks}, queue {@code landing-events} and
 * {@value #SAMPLE_RECORDS} sample records in each of topic and stream. Writes the endpoints to
 * {@code <dir>/local-stack.env} (owner-only: it holds the generated S3 keys), prints them (without
 * secrets), then runs until killed; the servers stop with it.
 */
public final class LocalStack implements AutoCloseable {
  public static final String BUCKET = "lakehouse";
  public static final int SAMPLE_RECORDS = 100;

  private final List<AutoCloseable> servers = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Path envFile;

  private LocalStack(Path dir) throws IOException {
    Files.createDirectories(dir);
    this.envFile = dir.resolve("local-stack.env");
  }

  /** Starts every server, creates the bucket, topic, stream and queue, produces the samples, writes the env file. */
  public static LocalStack start(Path dir) throws IOException {
    LocalStack stack = new LocalStack(dir);
    try {
      S3Server s3 = stack.add(S3Server.start(BUCKET));
      SqsServer sqs = stack.add(SqsServer.start());
      KafkaBroker kafka = stack.add(KafkaBroker.start());
      KinesisServer kinesis = stack.add(KinesisServer.start());
      String queue = sqs.createQueue("landing-events");
      kafka.createTopic("orders", 2);
      kinesis.createStream("clicks", 1);
      List<String> orders = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      List<byte[]> clicks = new ArrayList<>();
      String[] statuses = {"new", "paid", "shipped", "cancelled"};
      for (int i = 1; i <= SAMPLE_RECORDS; i++) {
        orders.add(String.format(Locale.ROOT, "{\"order_id\":\"o-%d\",\"customer_id\":\"c-%d\",\"amount\":%d.50,"
            + "\"status\":\"%s\",\"updated_at\":\"2026-12-01T10:%02d:00Z\"}", i, i % 17, i * 3, statuses[i % 4], i % 60));
        keys.add("s-" + i % 7);
        clicks.add(String.format(Locale.ROOT, "{\"session_id\":\"s-%d\",\"url\":\"/p/%d\",\"ts\":\"2026-12-01T10:%02d:00Z\"}",
            i % 7, i, i % 60).getBytes(StandardCharsets.UTF_8));
      }
      kafka.send("orders", orders);
      kinesis.putAll("clicks", keys, clicks);
      stack.env.put("MEDALLION_S3_ENDPOINT", s3.endpoint());
      stack.env.put("MEDALLION_S3_BUCKET", s3.bucket());
      stack.env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
      stack.env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
      stack.env.put("AWS_REGION", "us-east-1");
      stack.env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      stack.env.put("SQS_ENDPOINT", sqs.endpoint());
      stack.env.put("SQS_QUEUE_URL", queue);
      stack.env.put("KINESIS_ENDPOINT", kinesis.endpoint());
      stack.env.put("KINESIS_REGION", kinesis.region());
      stack.env.put("KINESIS_INITIAL_POSITION", "trim_horizon");
      stack.env.put("JAVA_TOOL_OPTIONS", "-Daws.cborEnabled=false"); // kinesalite speaks JSON, not CBOR
      stack.writeEnvFile();
      return stack;
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /** The variables written to the env file. */
  public Map<String, String> environment() {
    return Collections.unmodifiableMap(env);
  }

  public Path envFile() {
    return envFile;
  }

  /** The endpoints, for people (no secrets). */
  public String describe() {
    return String.join("\n",
        "medallion local stack on 127.0.0.1:",
        "  S3 (s3proxy)        " + env.get("MEDALLION_S3_ENDPOINT") + "  bucket s3a://" + env.get("MEDALLION_S3_BUCKET"),
        "  Kafka               " + env.get("KAFKA_BOOTSTRAP_SERVERS") + "  topic orders (" + SAMPLE_RECORDS + " records)",
        "  SQS (ElasticMQ)     " + env.get("SQS_ENDPOINT") + "  queue landing-events",
        "  Kinesis (kinesalite) " + env.get("KINESIS_ENDPOINT") + "  stream clicks (" + SAMPLE_RECORDS + " records)",
        "Environment file (with the generated S3 keys): " + envFile.toAbsolutePath(),
        "  set -a; . " + envFile.toAbsolutePath() + "; set +a");
  }

  private void writeEnvFile() throws IOException {
    StringBuilder sb = new StringBuilder("# medallion local stack: source it with  set -a; . <this file>; set +a\n");
    env.forEach((k, v) -> sb.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
    Files.deleteIfExists(envFile);
    Files.createFile(envFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(envFile, sb.toString());
  }

  private <T extends AutoCloseable> T add(T server) {
    servers.add(server);
    return server;
  }

  /** Stops every server, the last started first. */
  @Override
  public void close() {
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).close();
      } catch (Exception e) {
        System.err.println("Could not stop " + servers.get(i).getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    servers.clear();
  }

  /** {@code LocalStack [dir]}: starts the stack, prints the endpoints, runs until killed. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/local-stack");
    LocalStack stack = start(dir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }, "local-stack-shutdown"));
    System.out.println(stack.describe());
    Files.writeString(dir.resolve("ready"), Long.toString(ProcessHandle.current().pid()));
    stopped.await();
  }
}
