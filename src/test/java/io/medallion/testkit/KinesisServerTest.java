package io.medallion.testkit;

import static org.assertj.core.api.Assertions.assertThat;

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
}
