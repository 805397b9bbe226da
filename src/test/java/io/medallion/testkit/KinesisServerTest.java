package io.medallion.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

class KinesisServerTest {
  private static KinesisServer kinesis;

  @BeforeAll
  static void start() {
    kinesis = KinesisServer.start();
  }

  @AfterAll
  static void stop() {
    kinesis.close();
  }

  @Test
  void putsAndReadsBackOnLoopback() {
    assertThat(kinesis.endpoint()).startsWith("http://127.0.0.1:");
    kinesis.createStream("kit", 2);
    var put = kinesis.put("kit", "k", "hello".getBytes(StandardCharsets.UTF_8));
    String iterator = kinesis.client().getShardIterator(b -> b.streamName("kit")
        .shardId(put.shardId()).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
    var records = kinesis.client().getRecords(b -> b.shardIterator(iterator)).records();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).data().asUtf8String()).isEqualTo("hello");
    assertThat(records.get(0).sequenceNumber()).isEqualTo(put.sequenceNumber());
  }

  @Test
  void splitsShards() {
    kinesis.createStream("kit-split", 1);
    String shard = kinesis.shards("kit-split").get(0).shardId();
    kinesis.splitShard("kit-split", shard);
    assertThat(kinesis.shards("kit-split")).hasSize(3);
    assertThat(kinesis.shards("kit-split").get(1).parentShardId()).isEqualTo(shard);
  }

  @Test
  void atTimestampPastAllRecordsAnswersWithTheTip() {
    kinesis.createStream("kit-ts", 1);
    kinesis.put("kit-ts", "k", new byte[] {1});
    String shard = kinesis.shards("kit-ts").get(0).shardId();
    String iterator = kinesis.client().getShardIterator(b -> b.streamName("kit-ts").shardId(shard)
        .shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(Instant.now()))
        .shardIterator();
    assertThat(kinesis.client().getRecords(b -> b.shardIterator(iterator)).records()).isEmpty();
    kinesis.put("kit-ts", "k", new byte[] {2});
    String again = kinesis.client().getShardIterator(b -> b.streamName("kit-ts").shardId(shard)
        .shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(Instant.EPOCH))
        .shardIterator();
    assertThat(kinesis.client().getRecords(b -> b.shardIterator(again)).records()).hasSize(2);
  }

  /**
   * A client that goes away before its request has arrived whole (a Spark task interrupted by
   * {@code StreamingQuery.stop()}) must not take the server down: kinesalite 3.3.3 alone crashes
   * on it, and every later call of the test class was refused.
   */
  @Test
  void survivesClientsThatDisconnectMidRequest() throws Exception {
    URI endpoint = URI.create(kinesis.endpoint());
    for (int i = 0; i < 3; i++) {
      try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST / HTTP/1.1\r\nHost: kinesis\r\nContent-Type: application/x-amz-json-1.1\r\n"
            + "X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 1000\r\n\r\n{\"Limit\":")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(100); // the server has read the headers and waits for the rest of the body
        socket.setSoLinger(true, 0); // close with a reset, as an interrupted client does
      }
    }
    kinesis.createStream("kit-after-abort", 1);
    assertThat(kinesis.shards("kit-after-abort")).hasSize(1);
  }
}
