package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** Auto Loader code, unchanged, on open-source Spark: discovery, limits, filters, restarts. */
class CloudFilesSourceTest extends CloudFilesTestBase {

  @Test
  void databricksAutoLoaderCodeRunsUnchanged() throws Exception {
    write("2024/06/01/a.json", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
    write("2024/06/02/b.json", "{\"id\": 3, \"name\": \"c\", \"extra\": true}\n");

    Dataset<Row> df = spark().readStream().format("cloudFiles")
        .option("cloudFiles.format", "json")
        .option("cloudFiles.schemaLocation", checkpoint().toString())
        .option("cloudFiles.schemaEvolutionMode", "rescue")
        .load(landing().toString())
        .select(functions.col("*"), functions.col("_metadata.file_path").as("source_file"),
            functions.col("_metadata.file_size").as("size"),
            functions.col("_metadata.file_modification_time").as("mtime"));
    availableNow(df);

    // Inferred from the files present at first start: JSON columns are strings unless
    // inferColumnTypes; the rescued-data column comes last.
    assertThat(table().schema().fieldNames())
        .containsExactly("extra", "id", "name", "_rescued_data", "source_file", "size", "mtime");
    assertThat(table().schema().apply("id").dataType()).isEqualTo(DataTypes.StringType);
    List<Row> rows = table().orderBy("id").collectAsList();
    assertThat(rows).extracting(r -> r.getString(1)).containsExactly("1", "2", "3");
    assertThat(rows.get(2).getString(0)).isEqualTo("true");
    assertThat(rows.get(2).getString(4)).startsWith("file:").endsWith("landing/2024/06/02/b.json");
    assertThat(rows.get(2).getLong(5)).isEqualTo(Files.size(landing().resolve("2024/06/02/b.json")));
    assertThat(table().where("_rescued_data IS NOT NULL").count()).isZero();
    assertThat(Files.exists(checkpoint().resolve("_schemas/0"))).isTrue();

    // A later file with a field the schema does not have: in rescue mode it lands in _rescued_data.
    java.nio.file.Path c = write("2024/06/03/c.json", "{\"id\": 4, \"color\": \"red\"}\n");
    availableNow(df);
    assertThat(table().where("id = '4'").select("_rescued_data").first().getString(0))
        .isEqualTo("{\"color\":\"red\",\"_file_path\":\"file:" + c + "\"}");
  }

  @Test
  void eachFileIsReadOnceAcrossRestarts() throws Exception {
    IntStream.range(0, 7).forEach(i -> write("d/f" + i + ".json", "{\"id\": " + i + "}\n"));
    availableNow(autoLoader("json").load(landing().toString()));
    assertThat(table().count()).isEqualTo(7);

    StreamingQuery again = availableNow(autoLoader("json").load(landing().toString()));
    assertThat(table().count()).isEqualTo(7);
    assertThat(again.recentProgress()).allMatch(p -> p.numInputRows() == 0);

    write("d/f7.json", "{\"id\": 7}\n{\"id\": 8}\n");
    availableNow(autoLoader("json").load(landing().toString()));
    assertThat(strings(table(), "id")).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7", "8");
  }

  @Test
  void maxFilesAndMaxBytesPerTriggerSplitTheBacklog() throws Exception {
    IntStream.range(0, 25).forEach(i -> write(String.format("f%02d.json", i), "{\"id\": " + i + "}\n"));
    StreamingQuery q = availableNow(autoLoader("json").option("cloudFiles.maxFilesPerTrigger", "10")
        .load(landing().toString()));
    assertThat(dataBatches(q)).containsExactly(10L, 10L, 5L);
    assertThat(q.recentProgress()[0].sources()[0].metrics())
        .containsEntry("numFilesInLastBatch", "10").containsEntry("numFilesDiscovered", "25");

    IntStream.range(25, 31).forEach(i -> write(String.format("f%02d.json", i), "{\"id\": " + i + "}\n"));
    long size = Files.size(landing().resolve("f25.json"));
    StreamingQuery bytes = availableNow(autoLoader("json")
        .option("cloudFiles.maxBytesPerTrigger", Long.toString(2 * size)).load(landing().toString()));
    assertThat(dataBatches(bytes)).containsExactly(2L, 2L, 2L);
    assertThat(table().count()).isEqualTo(31);
  }

  @Test
  void triggerOnceReadsEverythingInOneBatch() throws Exception {
    IntStream.range(0, 12).forEach(i -> write(String.format("f%02d.json", i), "{\"id\": " + i + "}\n"));
    StreamingQuery q = autoLoader("json").option("cloudFiles.maxFilesPerTrigger", "5").load(landing().toString())
        .writeStream().format("delta").option("checkpointLocation", checkpoint().toString())
        .trigger(org.apache.spark.sql.streaming.Trigger.Once()).start(target().toString());
    q.awaitTermination();
    assertThat(dataBatches(q)).containsExactly(12L);
  }

  @Test
  void globAndModificationTimeFiltersAndIncludeExistingFiles() throws Exception {
    write("a.json", "{\"id\": 1}\n");
    write("b.txt", "{\"id\": 2}\n");
    write("old.json", "{\"id\": 3}\n");
    Files.setLastModifiedTime(landing().resolve("old.json"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    availableNow(autoLoader("json").option("pathGlobFilter", "*.json")
        .option("modifiedAfter", "2021-01-01T00:00:00").load(landing().toString()));
    assertThat(strings(table(), "id")).containsExactly("1");
  }

  @Test
  void includeExistingFilesFalseReadsOnlyFilesThatArriveLater() throws Exception {
    write("before.json", "{\"id\": 1}\n");
    Files.setLastModifiedTime(landing().resolve("before.json"), FileTime.from(Instant.now().minusSeconds(60)));
    Dataset<Row> df = autoLoader("json").option("cloudFiles.includeExistingFiles", "false").load(landing().toString());
    availableNow(df);
    assertThat(Files.exists(target()) ? table().count() : 0).isZero();
    write("after.json", "{\"id\": 2}\n");
    availableNow(autoLoader("json").option("cloudFiles.includeExistingFiles", "false").load(landing().toString()));
    assertThat(strings(table(), "id")).containsExactly("2");
  }

  @Test
  void incrementalListingReadsOnlyPathsAfterTheLastOne() throws Exception {
    IntStream.range(0, 5).forEach(i -> write("2024-01-0" + (i + 1) + "/x.json", "{\"id\": " + i + "}\n"));
    Dataset<Row> df = autoLoader("json").option("cloudFiles.useIncrementalListing", "true").load(landing().toString());
    availableNow(df);
    write("2024-01-06/x.json", "{\"id\": 5}\n");
    write("2023-12-31/late.json", "{\"id\": -1}\n"); // sorts before the last path seen
    StreamingQuery q = availableNow(autoLoader("json").option("cloudFiles.useIncrementalListing", "true")
        .load(landing().toString()));
    assertThat(strings(table(), "id")).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5");
    // The listing skipped the four folders before the last path seen: listStatus of the root, of
    // the last folder seen (2024-01-05) and of the new one.
    assertThat(Long.parseLong(q.recentProgress()[0].sources()[0].metrics().get("numListRequests"))).isEqualTo(3);

    // A backfill (full listing) finds the late file.
    availableNow(autoLoader("json").option("cloudFiles.useIncrementalListing", "true")
        .option("cloudFiles.backfillInterval", "1 ms").load(landing().toString()));
    assertThat(strings(table(), "id")).contains("-1").hasSize(7);
  }

  @Test
  void cleanSourceMovesFilesOnceTheirBatchCommitted() throws Exception {
    IntStream.range(0, 4).forEach(i -> write("in/f" + i + ".json", "{\"id\": " + i + "}\n"));
    java.nio.file.Path archive = dir.resolve("archive");
    Dataset<Row> df = autoLoader("json").option("cloudFiles.maxFilesPerTrigger", "2")
        .option("cloudFiles.cleanSource", "MOVE")
        .option("cloudFiles.cleanSource.moveDestination", archive.toString())
        .option("cloudFiles.cleanSource.retentionDuration", "0 s")
        .load(landing().toString());
    availableNow(df);
    assertThat(table().count()).isEqualTo(4);
    assertThat(Files.list(landing().resolve("in")).toList()).isEmpty();
    assertThat(Files.list(archive.resolve("in")).map(p -> p.getFileName().toString()).sorted().toList())
        .containsExactly("f0.json", "f1.json", "f2.json", "f3.json");
  }

  @Test
  void anOverwrittenFileIsReportedAndReadAgainOnlyWithAllowOverwrites() throws Exception {
    write("a.json", "{\"id\": 1}\n");
    availableNow(autoLoader("json").load(landing().toString()));
    write("a.json", "{\"id\": 1}\n{\"id\": 2}\n");
    StreamingQuery q = availableNow(autoLoader("json").load(landing().toString()));
    assertThat(table().count()).isEqualTo(1);
    assertThat(q.lastProgress().sources()[0].metrics()).containsEntry("numOverwrittenFilesIgnored", "1");

    availableNow(autoLoader("json").option("cloudFiles.allowOverwrites", "true").load(landing().toString()));
    assertThat(strings(table(), "id")).containsExactlyInAnyOrder("1", "1", "2");
  }

  static List<Long> dataBatches(StreamingQuery q) {
    return java.util.Arrays.stream(q.recentProgress()).map(StreamingQueryProgress::numInputRows)
        .filter(n -> n > 0).toList();
  }
}
