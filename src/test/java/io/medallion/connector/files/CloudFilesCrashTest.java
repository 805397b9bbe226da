package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM killed (SIGKILL-like {@code halt}) between discovery and commit, and between commit and
 * cleanSource; the restarted stream ingests every file exactly once and cleans every file.
 */
class CloudFilesCrashTest extends CloudFilesTestBase {
  static final int FILES = 30;

  /** Auto Loader into Delta through foreachBatch, idempotent per batch (txnAppId/txnVersion). */
  static StreamingQuery stream(SparkSession spark, String landing, String checkpoint, String target,
      Trigger trigger, LongConsumer beforeWrite) throws Exception {
    Dataset<Row> files = spark.readStream().format("cloudFiles")
        .option("cloudFiles.format", "csv")
        .option("cloudFiles.schemaLocation", checkpoint)
        .option("cloudFiles.maxFilesPerTrigger", "5")
        .option("cloudFiles.cleanSource", "DELETE")
        .option("cloudFiles.cleanSource.retentionDuration", "0 seconds")
        .option("header", "true")
        .load(landing);
    return files.writeStream()
        .option("checkpointLocation", checkpoint)
        .trigger(trigger)
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          beforeWrite.accept(id);
          batch.write().format("delta").mode("append")
              .option("txnAppId", "crash-test").option("txnVersion", id)
              .save(target);
        })
        .start();
  }

  @ParameterizedTest
  @ValueSource(strings = {"in-batch-2", "after-commit-2"})
  void aKilledJvmLosesNothingAndDuplicatesNothing(String where) throws Exception {
    for (int i = 0; i < FILES; i++) {
      write(String.format("f%03d.csv", i), "id,file\n" + (2 * i) + "," + i + "\n" + (2 * i + 1) + "," + i + "\n");
    }

    Process child = child(where);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).isEqualTo(137);
    long before = Files.exists(target()) ? table().count() : 0;
    assertThat(before).as("rows written before the kill").isEqualTo(where.equals("in-batch-2") ? 20 : 30);

    stream(spark(), landing().toString(), checkpoint().toString(), target().toString(), Trigger.AvailableNow(), id -> {})
        .awaitTermination();

    List<String> ids = strings(table(), "id");
    assertThat(ids).hasSize(2 * FILES).doesNotHaveDuplicates();
    try (Stream<Path> left = Files.walk(landing())) {
      assertThat(left.filter(Files::isRegularFile).toList()).as("cleanSource deleted every file").isEmpty();
    }
  }

  private Process child(String where) throws Exception {
    return ChildJvm.start(CloudFilesChild.class, dir.resolve("child.log").toFile(),
        landing().toString(), checkpoint().toString(), target().toString(), where);
  }
}
