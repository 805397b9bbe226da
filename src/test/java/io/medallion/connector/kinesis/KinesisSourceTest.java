package io.medallion.connector.kinesis;

import static io.medallion.connector.kinesis.KinesisStreams.availableNow;
import static io.medallion.connector.kinesis.KinesisStreams.ids;
import static io.medallion.connector.kinesis.KinesisStreams.put;
import static io.medallion.connector.kinesis.KinesisStreams.reader;
import static io.medallion.connector.kinesis.KinesisStreams.spark;
import static io.medallion.connector.kinesis.KinesisStreams.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** The source against a real kinesalite, into real Delta tables. */
class KinesisSourceTest extends KinesisTestBase {

  @Test
  void availableNowReadsEveryRecordOnceIntoDelta() throws Exception {
    kinesis.createStream("four", 4);
    Set<String> put = put(kinesis, "four", "v", 2_000, 50);
    Path table = dir.resolve("table");

    availableNow(reader(kinesis, "four", "trim_horizon").load(), table, dir.resolve("ckpt"));

    StructField[] fields = table(table).schema().fields();
    assertThat(fields).extracting(StructField::name).containsExactly("partitionKey", "data",
        "stream", "shardId", "sequenceNumber", "approximateArrivalTimestamp");
    assertThat(fields).extracting(StructField::dataType).containsExactly(DataTypes.StringType,
        DataTypes.BinaryType, DataTypes.StringType, DataTypes.StringType, DataTypes.StringType,
        DataTypes.TimestampType);
    List<String> ids = ids(table);
    assertThat(ids).hasSize(2_000).doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).isEqualTo(put);
    assertThat(ids.stream().map(id -> id.substring(0, id.indexOf('/'))).distinct())
        .hasSize(4);
    Set<String> values = table(table).select("data").collectAsList().stream()
        .map(r -> new String((byte[]) r.get(0), StandardCharsets.UTF_8))
        .collect(Collectors.toSet());
    assertThat(values).isEqualTo(
        IntStream.range(0, 2_000).mapToObj(i -> "v-" + i).collect(Collectors.toSet()));
    Row first = table(table).where("data = cast('v-7' as binary)").first();
    assertThat(first.getString(0)).isEqualTo("key-7");
    assertThat(first.getString(2)).isEqualTo("four");
    assertThat(first.getTimestamp(5)).isNotNull();
  }

  @Test
  void restartsFromTheCheckpointExactlyOnce() throws Exception {
    kinesis.createStream("restart", 3);
    Path table = dir.resolve("table");
    Path ckpt = dir.resolve("ckpt");
    Set<String> expected = new HashSet<>(put(kinesis, "restart", "a", 300, 20));
    availableNow(reader(kinesis, "restart", "trim_horizon").load(), table, ckpt);
    assertThat(ids(table)).hasSize(300);

    expected.addAll(put(kinesis, "restart", "b", 300, 20));
    availableNow(reader(kinesis, "restart", "trim_horizon").load(), table, ckpt);
    assertThat(ids(table)).hasSize(600).doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids(table))).isEqualTo(expected);

    // A processing-time query stopped while records keep coming, then restarted.
    StreamingQuery query = reader(kinesis, "restart", "trim_horizon")
        .option("maxRecordsPerTrigger", "100").load()
        .writeStream().format("delta").option("checkpointLocation", ckpt.toString())
        .trigger(Trigger.ProcessingTime(100)).start(table.toString());
    for (int round = 0; round < 6; round++) {
      expected.addAll(put(kinesis, "restart", "c" + round, 100, 20));
      Thread.sleep(150);
    }
    long deadline = System.currentTimeMillis() + 60_000;
    while ((query.lastProgress() == null || query.lastProgress().batchId() < 3)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    query.stop();
    assertThat(ids(table).size()).isLessThanOrEqualTo(expected.size());
    expected.addAll(put(kinesis, "restart", "d", 200, 20));
    availableNow(reader(kinesis, "restart", "trim_horizon").load(), table, ckpt);

    List<String> ids = ids(table);
    assertThat(ids).hasSize(expected.size()).doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).isEqualTo(expected);
  }

  @Test
  void latestStartsAfterTheRecordsAlreadyThere() throws Exception {
    kinesis.createStream("latest", 2);
    put(kinesis, "latest", "old", 100, 10);
    Path table = dir.resolve("table");
    Path ckpt = dir.resolve("ckpt");
    // The first run pins "latest" in the checkpoint and finds nothing to read.
    availableNow(reader(kinesis, "latest", "latest").load(), table, ckpt);
    Set<String> fresh = put(kinesis, "latest", "new", 50, 10);
    availableNow(reader(kinesis, "latest", "latest").load(), table, ckpt);
    assertThat(new HashSet<>(ids(table))).isEqualTo(fresh);
    assertThat(ids(table)).hasSize(50);
  }

  @Test
  void atTimestampStartsAtTheFirstRecordArrivedSince() throws Exception {
    kinesis.createStream("stamp", 2);
    put(kinesis, "stamp", "before", 100, 10);
    Thread.sleep(50);
    String since = java.time.Instant.now().toString();
    Thread.sleep(50);
    Set<String> after = put(kinesis, "stamp", "after", 70, 10);
    Path table = dir.resolve("table");
    availableNow(reader(kinesis, "stamp", since).load(), table, dir.resolve("ckpt"));
    assertThat(new HashSet<>(ids(table))).isEqualTo(after);

    Path all = dir.resolve("all");
    availableNow(reader(kinesis, "stamp", "earliest").load(), all, dir.resolve("ckpt-all"));
    assertThat(ids(all)).hasSize(170);
  }

  @Test
  void triggerOnceReadsOneBatch() throws Exception {
    kinesis.createStream("once", 2);
    Set<String> put = put(kinesis, "once", "x", 120, 10);
    Path table = dir.resolve("table");
    StreamingQuery query = reader(kinesis, "once", "trim_horizon").load().writeStream()
        .format("delta").option("checkpointLocation", dir.resolve("ckpt").toString())
        .trigger(Trigger.Once()).start(table.toString());
    query.awaitTermination();
    assertThat(new HashSet<>(ids(table))).isEqualTo(put);
    assertThat(spark().read().format("delta").load(table.toString()).count()).isEqualTo(120);
  }
}
