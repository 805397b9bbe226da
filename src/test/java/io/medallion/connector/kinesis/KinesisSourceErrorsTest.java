package io.medallion.connector.kinesis;

import static io.medallion.connector.kinesis.KinesisStreams.messages;
import static io.medallion.connector.kinesis.KinesisStreams.spark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Errors come within bounded time, say what to fix, and never show the secret key. */
class KinesisSourceErrorsTest extends KinesisTestBase {
  private static final String SECRET = "s3cr3t-Never-Log-This-0123456789";

  /** Runs an AvailableNow query of {@code options} and returns its failure and elapsed time. */
  private Failure run(Map<String, String> options) {
    long start = System.nanoTime();
    Throwable thrown = catchThrowable(() -> {
      StreamingQuery query = spark().readStream().format("kinesis").options(options)
          .option("initialPosition", "trim_horizon").load()
          .writeStream().format("delta")
          .option("checkpointLocation", dir.resolve("ckpt").toString())
          .trigger(Trigger.AvailableNow()).start(dir.resolve("table").toString());
      query.awaitTermination();
    });
    return new Failure(thrown, (System.nanoTime() - start) / 1_000_000);
  }

  private record Failure(Throwable error, long millis) {}

  @Test
  void missingStreamNamesStreamRegionEndpointAndFix() {
    Failure f = run(Map.of("streamName", "no-such-stream", "region", "us-east-1",
        "endpoint", kinesis.endpoint(), "awsAccessKey", "AKIDTEST", "awsSecretKey", SECRET));
    assertThat(f.error()).isNotNull();
    String all = messages(f.error());
    assertThat(all).contains("Kinesis stream 'no-such-stream' does not exist in region us-east-1,"
        + " endpoint " + kinesis.endpoint()).contains("Fix: create the stream")
        .doesNotContain(SECRET);
    assertThat(f.millis()).isLessThan(30_000);
  }

  @Test
  void unreachableEndpointFailsFast() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort;
    Failure f = run(Map.of("streamName", "s", "region", "us-east-1", "endpoint", endpoint,
        "awsAccessKey", "AKIDTEST", "awsSecretKey", SECRET));
    assertThat(messages(f.error())).contains("Cannot reach Kinesis for ListShards")
        .contains(endpoint).contains("Fix: check the endpoint").doesNotContain(SECRET);
    assertThat(f.millis()).isLessThan(30_000);
  }

  @Test
  void silentEndpointTimesOutWithinApiCallTimeout() {
    // A non-routable address: packets go nowhere (or the network says unreachable at once).
    Failure f = run(Map.of("streamName", "s", "region", "us-east-1",
        "endpoint", "http://10.255.255.1:4567", "apiCallTimeout", "3s",
        "awsAccessKey", "AKIDTEST", "awsSecretKey", SECRET));
    assertThat(messages(f.error())).contains("10.255.255.1").contains("Kinesis ListShards")
        .doesNotContain(SECRET);
    assertThat(f.millis()).isLessThan(20_000);
  }

  @Test
  void badOptionsFailAtLoadWithoutTheSecret() {
    Throwable t = catchThrowable(() -> spark().readStream().format("kinesis")
        .option("streamName", "s").option("awsSecretKey", SECRET).load());
    assertThat(messages(t)).contains("only awsSecretKey is set").doesNotContain(SECRET);
  }

  @Test
  void fullClassNameWorksAsFormat() throws Exception {
    kinesis.createStream("by-class", 1);
    kinesis.put("by-class", "k", new byte[] {42});
    StreamingQuery query = spark().readStream()
        .format(KinesisSourceProvider.class.getName())
        .options(kinesis.sourceOptions("by-class")).option("initialPosition", "earliest")
        .option("minFetchPeriod", "5ms").load()
        .writeStream().format("memory").queryName("by_class")
        .trigger(Trigger.AvailableNow()).start();
    query.awaitTermination();
    assertThat(spark().table("by_class").count()).isEqualTo(1);
    assertThat(query.toString()).doesNotContain(kinesis.secretKey());
  }
}
