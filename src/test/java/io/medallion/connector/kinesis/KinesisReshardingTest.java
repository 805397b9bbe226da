package io.medallion.connector.kinesis;

import static io.medallion.connector.kinesis.KinesisStreams.reader;
import static io.medallion.connector.kinesis.KinesisStreams.spark;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * A shard split between two runs, with records in the parent not yet read and records in the
 * children: every record lands once, and for every key the parent's records come in earlier
 * batches than the children's.
 */
class KinesisReshardingTest extends KinesisTestBase {
  private static final int KEYS = 12;

  /** Puts, for every key, the values from..to-1 ("key-k:value"), in value order. */
  private static void put(String stream, int from, int to) {
    List<String> keys = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    for (int v = from; v < to; v++) {
      for (int k = 0; k < KEYS; k++) {
        keys.add("key-" + k);
        data.add(("key-" + k + ":" + v).getBytes(StandardCharsets.UTF_8));
      }
    }
    kinesis.putAll(stream, keys, data);
  }

  /** AvailableNow into Delta with the batch id on every row (idempotent: txnAppId/txnVersion). */
  private void run(String stream, Path table, Path ckpt, String maxRecordsPerTrigger)
      throws Exception {
    VoidFunction2<Dataset<Row>, Long> write = (batch, batchId) -> batch
        .withColumn("batchId", functions.lit(batchId))
        .write().format("delta").mode("append")
        .option("txnAppId", "resharding-test").option("txnVersion", batchId)
        .save(table.toString());
    StreamingQuery query = reader(kinesis, stream, "trim_horizon")
        .option("maxRecordsPerTrigger", maxRecordsPerTrigger).load()
        .writeStream().foreachBatch(write)
        .option("checkpointLocation", ckpt.toString())
        .trigger(Trigger.AvailableNow()).start();
    query.awaitTermination();
  }

  @Test
  void splitKeepsEveryRecordOnceAndParentsBeforeChildren() throws Exception {
    kinesis.createStream("split", 2);
    Path table = dir.resolve("table");
    Path ckpt = dir.resolve("ckpt");
    put("split", 0, 20);
    run("split", table, ckpt, "100000");

    put("split", 20, 40);                 // in shard 0 (and 1), not read yet
    kinesis.splitShard("split", "shardId-000000000000");
    put("split", 40, 60);                 // shard 0's keys now go to its children
    List<Shard> shards = kinesis.shards("split");
    assertThat(shards).hasSize(4);
    Set<String> children = shards.stream()
        .filter(s -> "shardId-000000000000".equals(s.parentShardId()))
        .map(Shard::shardId).collect(Collectors.toSet());
    assertThat(children).hasSize(2);
    // kinesalite dates records of a new child shard up to 1 s ahead (shard creation + 1 s), and
    // AvailableNow takes records that arrived before it started: let that second pass.
    Thread.sleep(1_100);
    run("split", table, ckpt, "300");     // small batches: the parent spans two

    List<Row> rows = spark().read().format("delta").load(table.toString())
        .select("data", "shardId", "sequenceNumber", "batchId").collectAsList();
    assertThat(rows.size()).as("rows per shard and batch: %s", spark().read().format("delta")
        .load(table.toString()).groupBy("shardId", "batchId").count().orderBy("batchId", "shardId")
        .collectAsList()).isEqualTo(60 * KEYS);
    assertThat(rows.stream().map(r -> r.getString(1) + "/" + r.getString(2)).distinct().count())
        .isEqualTo(60L * KEYS);

    Map<String, List<Row>> byKey = new HashMap<>();
    for (Row r : rows) {
      String data = new String((byte[]) r.get(0), StandardCharsets.UTF_8);
      byKey.computeIfAbsent(data.substring(0, data.indexOf(':')), k -> new ArrayList<>()).add(r);
    }
    assertThat(byKey).hasSize(KEYS);
    boolean sawChild = false;
    for (Map.Entry<String, List<Row>> e : byKey.entrySet()) {
      List<Row> ordered = new ArrayList<>(e.getValue());
      // A key is in one shard per batch, so (batch, sequence number) is its delivery order.
      ordered.sort(Comparator.<Row>comparingLong(r -> r.getLong(3))
          .thenComparing(r -> new BigInteger(r.getString(2))));
      List<Integer> values = ordered.stream().map(r -> {
        String data = new String((byte[]) r.get(0), StandardCharsets.UTF_8);
        return Integer.parseInt(data.substring(data.indexOf(':') + 1));
      }).collect(Collectors.toList());
      assertThat(values).as("values of %s in delivery order", e.getKey()).isSorted()
          .doesNotHaveDuplicates().hasSize(60);
      long lastParentBatch = ordered.stream().filter(r -> r.getString(1)
          .equals("shardId-000000000000")).mapToLong(r -> r.getLong(3)).max().orElse(-1);
      long firstChildBatch = ordered.stream().filter(r -> children.contains(r.getString(1)))
          .mapToLong(r -> r.getLong(3)).min().orElse(Long.MAX_VALUE);
      if (firstChildBatch != Long.MAX_VALUE) {
        sawChild = true;
        assertThat(firstChildBatch).as("first child batch of %s", e.getKey())
            .isGreaterThan(lastParentBatch);
      }
    }
    assertThat(sawChild).isTrue();
  }
}
