package io.medallion.connector.files;

import io.medallion.testkit.LocalSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.io.TempDir;

/** Helpers for cloudFiles tests: a landing directory, a checkpoint, a Delta target per test. */
public abstract class CloudFilesTestBase {
  @TempDir public Path dir;

  public static SparkSession spark() {
    return LocalSpark.session();
  }

  public Path landing() {
    return dir.resolve("landing");
  }

  public Path checkpoint() {
    return dir.resolve("checkpoint");
  }

  public Path target() {
    return dir.resolve("target");
  }

  /** Writes a file under the landing directory (creating folders) and returns its path. */
  public Path write(String relative, String content) {
    try {
      Path p = landing().resolve(relative);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Auto Loader code as a user writes it on Databricks. */
  public DataStreamReader autoLoader(String format) {
    return spark().readStream().format("cloudFiles")
        .option("cloudFiles.format", format)
        .option("cloudFiles.schemaLocation", checkpoint().toString());
  }

  /** Runs a stream into the Delta target with Trigger.AvailableNow and waits for the end. */
  public StreamingQuery availableNow(Dataset<Row> stream) throws TimeoutException, StreamingQueryException {
    StreamingQuery q = stream.writeStream().format("delta")
        .option("checkpointLocation", checkpoint().toString())
        .option("mergeSchema", "true")
        .trigger(Trigger.AvailableNow())
        .start(target().toString());
    q.awaitTermination();
    return q;
  }

  public Dataset<Row> table() {
    return spark().read().format("delta").load(target().toString());
  }

  public static List<String> strings(Dataset<Row> rows, String column) {
    return rows.select(column).collectAsList().stream().map(r -> r.isNullAt(0) ? null : r.get(0).toString()).toList();
  }
}
