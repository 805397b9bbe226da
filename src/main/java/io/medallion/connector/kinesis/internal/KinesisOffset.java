package io.medallion.connector.kinesis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.connector.read.streaming.Offset;

/**
 * The source's offset: one {@link ShardPosition} per shard of one stream, persisted in the
 * checkpoint's offset log as versioned JSON and parsed strictly:
 *
 * <pre>{"version":1,"stream":"events","shards":{"shardId-000000000000":"after:4959...","shardId-000000000001":"closed"}}</pre>
 *
 * Shards are sorted by id so that equal offsets have equal JSON (Spark compares offsets by it).
 * Closed shards stay in the offset until Kinesis no longer lists them (past the retention
 * period), so that their children know they were read to the end.
 */
public final class KinesisOffset extends Offset {
  /** The version this code writes; it reads only this version. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String stream;
  private final SortedMap<String, ShardPosition> shards;

  public KinesisOffset(String stream, Map<String, ShardPosition> shards) {
    this.stream = stream;
    this.shards = Collections.unmodifiableSortedMap(new TreeMap<>(shards));
  }

  public String stream() {
    return stream;
  }

  /** Shard id to position, sorted by shard id. */
  public SortedMap<String, ShardPosition> shards() {
    return shards;
  }

  @Override
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("stream", stream);
    ObjectNode s = root.putObject("shards");
    shards.forEach((id, position) -> s.put(id, position.toString()));
    return root.toString();
  }

  /**
   * Parses an offset written by {@link #json()}.
   *
   * @throws IllegalStateException naming the checkpoint problem when the JSON is malformed, of
   *     another version, or of another stream than {@code expectedStream}
   */
  public static KinesisOffset parse(String json, String expectedStream) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw KinesisErrors.badCheckpoint(json, "it is not valid JSON (" + e.getOriginalMessage()
          + ")");
    }
    if (root == null || !root.isObject()) {
      throw KinesisErrors.badCheckpoint(json, "it is not a JSON object");
    }
    Set<String> fields = new java.util.HashSet<>();
    root.fieldNames().forEachRemaining(fields::add);
    if (!fields.contains("version") || !root.get("version").isInt()) {
      throw KinesisErrors.badCheckpoint(json, "it has no integer field 'version'");
    }
    int version = root.get("version").intValue();
    if (version != VERSION) {
      throw KinesisErrors.badCheckpoint(json, "its version is " + version + " but this medallion"
          + " reads version " + VERSION + (version > VERSION
              ? " (the checkpoint was written by a newer medallion: upgrade medallion)" : ""));
    }
    if (!fields.equals(Set.of("version", "stream", "shards"))) {
      throw KinesisErrors.badCheckpoint(json, "its fields are " + new java.util.TreeSet<>(fields)
          + ", expected exactly [shards, stream, version]");
    }
    JsonNode stream = root.get("stream");
    if (!stream.isTextual()) {
      throw KinesisErrors.badCheckpoint(json, "field 'stream' is not a string");
    }
    if (expectedStream != null && !stream.asText().equals(expectedStream)) {
      throw KinesisErrors.otherStream(stream.asText(), expectedStream);
    }
    JsonNode shardsNode = root.get("shards");
    if (!shardsNode.isObject()) {
      throw KinesisErrors.badCheckpoint(json, "field 'shards' is not an object");
    }
    Map<String, ShardPosition> shards = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = shardsNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ShardPosition position = e.getValue().isTextual() ? ShardPosition.parse(e.getValue().asText())
          : null;
      if (position == null) {
        throw KinesisErrors.badCheckpoint(json, "shard " + e.getKey() + " has position "
            + e.getValue() + ", expected trim_horizon, at_timestamp:<millis>, after:<sequence>"
            + " or closed");
      }
      shards.put(e.getKey(), position);
    }
    return new KinesisOffset(stream.asText(), shards);
  }

  @Override
  public String toString() {
    return json();
  }
}
