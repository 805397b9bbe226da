package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Issue 15, items 3, 4 and 7: what reading and cleaning must never do silently. */
class CloudFilesReliabilityTest extends CloudFilesTestBase {

  @Test
  void anIoErrorFailsTheBatchAndTheRestartReadsTheWholeFile() throws Exception {
    spark().conf().set("fs.flaky.impl", FlakyFileSystem.class.getName());
    write("a.json", "{\"id\": 1}\n{\"id\": 2}\n");
    String root = "flaky://" + landing();
    FlakyFileSystem.FAILURES.set(1);
    try {
      assertThatThrownBy(() -> availableNow(spark().readStream().format("cloudFiles")
          .option("cloudFiles.format", "json").option("rescuedDataColumn", "_rescued_data")
          .schema("id LONG").load(root)))
          .hasStackTraceContaining("failed with an I/O error")
          .hasStackTraceContaining("Read timed out (simulated)");
    } finally {
      FlakyFileSystem.FAILURES.set(0);
    }
    assertThat(Files.exists(target().resolve("_delta_log/00000000000000000000.json"))).isFalse();

    availableNow(spark().readStream().format("cloudFiles").option("cloudFiles.format", "json")
        .option("rescuedDataColumn", "_rescued_data").schema("id LONG").load(root));
    assertThat(strings(table().orderBy("id"), "id")).containsExactly("1", "2");
    assertThat(table().where("_rescued_data IS NOT NULL").count()).isZero();
  }

  @Test
  void aCsvValueWithALineBreakIsOneRecordByDefault() throws Exception {
    write("a.csv", "id,note\n1,\"line one\nline two\"\n2,plain\n");
    availableNow(autoLoader("csv").option("header", "true").load(landing().toString()));
    assertThat(table().count()).isEqualTo(2);
    assertThat(table().where("id = '1'").select("note").first().getString(0)).isEqualTo("line one\nline two");
    assertThat(table().where("_rescued_data IS NOT NULL").count()).isZero();
  }

  @Test
  void cleanSourceLeavesAFileThatChangedAfterItWasRead() throws Exception {
    Path file = write("a.json", "{\"id\": 1}\n");
    Dataset<Row> files = autoLoader("json").option("cloudFiles.cleanSource", "DELETE")
        .option("cloudFiles.cleanSource.retentionDuration", "0 seconds").load(landing().toString());
    files.writeStream().option("checkpointLocation", checkpoint().toString())
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          batch.write().format("delta").mode("append").save(target().toString());
          Files.writeString(file, "{\"id\": 22, \"note\": \"written after the read\"}\n"); // overwritten
        })
        .start().awaitTermination();

    assertThat(strings(table(), "id")).containsExactly("1");
    assertThat(file).exists();
    assertThat(Files.readString(file)).contains("written after the read");
  }
}
