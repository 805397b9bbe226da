package io.medallion.connector.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KinesisOffsetTest {
  private static final KinesisOffset OFFSET = new KinesisOffset("events", Map.of(
      "shardId-000000000002", ShardPosition.after("49590338271490256608559692538361571095921575989136588898"),
      "shardId-000000000000", ShardPosition.END,
      "shardId-000000000001", ShardPosition.TRIM,
      "shardId-000000000003", ShardPosition.atTimestamp(Instant.ofEpochMilli(1593105825000L))));

  @Test
  void roundTripsThroughSortedVersionedJson() {
    String json = OFFSET.json();
    assertThat(json).isEqualTo("{\"version\":1,\"stream\":\"events\",\"shards\":{"
        + "\"shardId-000000000000\":\"closed\",\"shardId-000000000001\":\"trim_horizon\","
        + "\"shardId-000000000002\":\"after:49590338271490256608559692538361571095921575989136588898\","
        + "\"shardId-000000000003\":\"at_timestamp:1593105825000\"}}");
    KinesisOffset back = KinesisOffset.parse(json, "events");
    assertThat(back).isEqualTo(OFFSET);
    assertThat(back.shards()).isEqualTo(OFFSET.shards());
    assertThat(back.shards().get("shardId-000000000003").timestamp())
        .isEqualTo(Instant.ofEpochMilli(1593105825000L));
  }

  @Test
  void rejectsMalformedJsonNamingTheCheckpoint() {
    assertThatThrownBy(() -> KinesisOffset.parse("{\"version\":1,", "events"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot read an offset from the checkpoint")
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("new checkpoint location");
    assertThatThrownBy(() -> KinesisOffset.parse("[1]", "events"))
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void rejectsOtherVersions() {
    assertThatThrownBy(() -> KinesisOffset.parse(
        "{\"version\":2,\"stream\":\"events\",\"shards\":{}}", "events"))
        .hasMessageContaining("version is 2")
        .hasMessageContaining("newer medallion");
    assertThatThrownBy(() -> KinesisOffset.parse("{\"stream\":\"events\",\"shards\":{}}", "events"))
        .hasMessageContaining("no integer field 'version'");
    assertThatThrownBy(() -> KinesisOffset.parse(
        "{\"version\":\"1\",\"stream\":\"events\",\"shards\":{}}", "events"))
        .hasMessageContaining("no integer field 'version'");
  }

  @Test
  void rejectsUnknownFieldsAndBadPositions() {
    assertThatThrownBy(() -> KinesisOffset.parse(
        "{\"version\":1,\"stream\":\"events\",\"shards\":{},\"extra\":0}", "events"))
        .hasMessageContaining("expected exactly [shards, stream, version]");
    assertThatThrownBy(() -> KinesisOffset.parse(
        "{\"version\":1,\"stream\":\"events\",\"shards\":{\"shardId-0\":\"after:12x\"}}", "events"))
        .hasMessageContaining("shard shardId-0 has position \"after:12x\"");
    assertThatThrownBy(() -> KinesisOffset.parse(
        "{\"version\":1,\"stream\":\"events\",\"shards\":{\"shardId-0\":7}}", "events"))
        .hasMessageContaining("shard shardId-0 has position 7");
    assertThatThrownBy(() -> KinesisOffset.parse(
        "{\"version\":1,\"stream\":\"events\",\"shards\":[]}", "events"))
        .hasMessageContaining("'shards' is not an object");
  }

  @Test
  void rejectsAnotherStreamsCheckpoint() {
    assertThatThrownBy(() -> KinesisOffset.parse(OFFSET.json(), "orders"))
        .hasMessageContaining("offsets of Kinesis stream 'events'")
        .hasMessageContaining("reads stream 'orders'");
  }
}
