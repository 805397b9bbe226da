package io.medallion.connector.kinesis;

import io.medallion.testkit.KinesisServer;
import io.medallion.testkit.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/** Helpers of the Kinesis source tests: puts, fast source options, AvailableNow runs into Delta. */
final class KinesisStreams {
  private KinesisStreams() {}

  static SparkSession spark() {
    return LocalSpark.session();
  }

  /** A reader of {@code stream} on {@code kinesis}, with rate limits relaxed for tests. */
  static DataStreamReader reader(KinesisServer kinesis, String stream, String initialPosition) {
    return spark().readStream().format("kinesis").options(kinesis.sourceOptions(stream))
        .option("initialPosition", initialPosition)
        .option("minFetchPeriod", "5ms")
        .option("maxFetchRate", "100");
  }

  /** Puts {@code count} records "prefix-i" with keys "key-(i % keys)"; returns "shard/seq" ids. */
  static Set<String> put(KinesisServer kinesis, String stream, String prefix, int count, int keys) {
    List<String> partitionKeys = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      partitionKeys.add("key-" + (i % keys));
      data.add((prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
    }
    Set<String> ids = new HashSet<>();
    for (PutRecordsResultEntry e : kinesis.putAll(stream, partitionKeys, data)) {
      ids.add(e.shardId() + "/" + e.sequenceNumber());
    }
    return ids;
  }

  /** Runs {@code source} to a Delta table at {@code table} with Trigger.AvailableNow, to the end. */
  static void availableNow(Dataset<Row> source, Path table, Path checkpoint)
      throws TimeoutException, StreamingQueryException {
    StreamingQuery query = source.writeStream().format("delta")
        .option("checkpointLocation", checkpoint.toString())
        .trigger(Trigger.AvailableNow())
        .start(table.toString());
    query.awaitTermination();
  }

  static Dataset<Row> table(Path table) {
    return spark().read().format("delta").load(table.toString());
  }

  /** The "shardId/sequenceNumber" of every row; fails on duplicates. */
  static List<String> ids(Path table) {
    List<String> ids = new ArrayList<>();
    for (Row r : table(table).select("shardId", "sequenceNumber").collectAsList()) {
      ids.add(r.getString(0) + "/" + r.getString(1));
    }
    return ids;
  }

  /** Every message in the cause chain, joined. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return b.toString();
  }
}
