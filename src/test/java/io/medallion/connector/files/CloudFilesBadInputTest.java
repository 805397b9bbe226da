package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Bad input at the source: counted, kept with its path, never silently lost; the stream goes on. */
class CloudFilesBadInputTest extends CloudFilesTestBase {

  @Test
  void aCsvRowWithTheWrongColumnCountIsRescuedWhole() throws Exception {
    Path b = write("b.csv", "id,name\n3,c\n4,d,EXTRA\n5\n");
    write("a.csv", "id,name\n1,a\n");
    StreamingQuery q = availableNow(autoLoader("csv").option("header", "true").load(landing().toString()));

    assertThat(table().count()).isEqualTo(4);
    assertThat(table().where("id = '4'").select("_rescued_data").first().getString(0))
        .isEqualTo("{\"_corrupt_record\":\"4,d,EXTRA\",\"_file_path\":\"file:" + b + "\"}");
    assertThat(table().where("id = '5'").select("_rescued_data").first().getString(0)).contains("\"_corrupt_record\":\"5\"");
    assertThat(q.lastProgress().sources()[0].metrics()).containsEntry("numCorruptRecords", "2");
  }

  @Test
  void aFileDeletedBetweenDiscoveryAndReadingBecomesOneErrorRow() throws Exception {
    write("f1.json", "{\"id\": 1}\n");
    Path gone = write("f2.json", "{\"id\": 2}\n");
    write("f3.json", "{\"id\": 3}\n");
    write("f4.json", "{\"id\": 4}\n");
    Dataset<Row> files = autoLoader("json").option("cloudFiles.maxFilesPerTrigger", "1").load(landing().toString());
    StreamingQuery q = files.writeStream().option("checkpointLocation", checkpoint().toString())
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          if (id == 0) {
            Files.delete(gone); // all four were discovered when the run started
          }
          batch.write().format("delta").mode("append").save(target().toString());
        })
        .start();
    q.awaitTermination();

    assertThat(strings(table().where("id IS NOT NULL"), "id")).containsExactlyInAnyOrder("1", "3", "4");
    String error = table().where("id IS NULL").select("_rescued_data").first().getString(0);
    assertThat(error).contains("file not found (deleted or moved after discovery)")
        .endsWith("\"_file_path\":\"file:" + gone + "\"}");
    assertThat(q.lastProgress().sources()[0].metrics()).containsEntry("numUnreadableFiles", "1");
  }

  @Test
  void emptyAndZeroByteFilesAreCountedAndDoNotStopTheStream() throws Exception {
    write("a.json", "{\"id\": 1}\n");
    write("empty.json", "\n \n");
    write("zero.json", "");
    StreamingQuery q = availableNow(autoLoader("json").load(landing().toString()));
    assertThat(table().count()).isEqualTo(1);
    assertThat(q.lastProgress().sources()[0].metrics()).containsEntry("numEmptyFiles", "1")
        .containsEntry("numFilesDiscovered", "3");
  }
}
