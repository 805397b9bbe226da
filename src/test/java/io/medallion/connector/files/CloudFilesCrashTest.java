package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.ChildJvm;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM killed (SIGKILL-like {@code halt}) between discovery and commit, and between commit and
 * cleanSource; the restarted stream ingests every file exactly once and cleans every file. One
 * child JVM runs both streams, each with its own files, checkpoint and target, and dies when both
 * are at their points ({@link CloudFilesChild}).
 */
class CloudFilesCrashTest {
  static final int FILES = 30;
  static final List<String> WHERE = List.of("in-batch-2", "after-commit-2");
  @TempDir static Path root;
  static Process child;
  static Path childLog;

  /** Called at the start of each batch, before its write. */
  interface BeforeWrite {
    void accept(long batchId) throws Exception;
  }

  /** Auto Loader into Delta through foreachBatch, idempotent per batch (txnAppId/txnVersion). */
  static StreamingQuery stream(SparkSession spark, String landing, String checkpoint, String target,
      Trigger trigger, BeforeWrite beforeWrite) throws Exception {
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

  static Path landing(String where) {
    return root.resolve(where).resolve("landing");
  }

  static Path checkpoint(String where) {
    return root.resolve(where).resolve("checkpoint");
  }

  static Path target(String where) {
    return root.resolve(where).resolve("target");
  }

  /** Each scenario's files, then the child that runs both. */
  @BeforeAll
  static void startTheChild() throws Exception {
    List<String> args = new ArrayList<>();
    for (String where : WHERE) {
      Files.createDirectories(landing(where));
      for (int i = 0; i < FILES; i++) {
        Files.writeString(landing(where).resolve(String.format("f%03d.csv", i)),
            "id,file\n" + (2 * i) + "," + i + "\n" + (2 * i + 1) + "," + i + "\n");
      }
      args.addAll(List.of(landing(where).toString(), checkpoint(where).toString(), target(where).toString()));
    }
    childLog = root.resolve("child.log");
    child = ChildJvm.start(CloudFilesChild.class, childLog.toFile(), args.toArray(String[]::new));
  }

  @AfterAll
  static void stopTheChild() {
    if (child != null) { // null when the preparation failed before starting it
      child.destroyForcibly();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"in-batch-2", "after-commit-2"})
  void aKilledJvmLosesNothingAndDuplicatesNothing(String where) throws Exception {
    SparkSession spark = LocalSpark.session();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(childLog)).isEqualTo(137);
    assertThat(Files.readString(childLog)).contains(where + ": ");
    long before = Files.exists(target(where)) ? table(spark, where).count() : 0;
    assertThat(before).as("rows written before the kill").isEqualTo(where.equals("in-batch-2") ? 20 : 30);

    stream(spark, landing(where).toString(), checkpoint(where).toString(), target(where).toString(),
        Trigger.AvailableNow(), id -> {}).awaitTermination();

    List<String> ids = CloudFilesTestBase.strings(table(spark, where), "id");
    assertThat(ids).hasSize(2 * FILES).doesNotHaveDuplicates();
    try (Stream<Path> left = Files.walk(landing(where))) {
      assertThat(left.filter(Files::isRegularFile).toList()).as("cleanSource deleted every file").isEmpty();
    }
  }

  static Dataset<Row> table(SparkSession spark, String where) {
    return spark.read().format("delta").load(target(where).toString());
  }
}
