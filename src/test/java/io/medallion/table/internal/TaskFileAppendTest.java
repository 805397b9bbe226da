package io.medallion.table.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.TableName;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TaskFileAppend#discard} removes the files of its own tasks that never reported to the
 * driver (Spark drops the reports of a failed job's tasks that succeed after the failure), and no
 * file of another append.
 */
@ExtendWith(MedallionExtension.class)
class TaskFileAppendTest {
  @Test
  void discardRemovesItsUnreportedFilesAndNoOtherAppends(Lakehouse lake) throws Exception {
    SparkSession spark = lake.spark();
    WarehouseCatalog.register(spark, "tfa", lake.root().resolve("tfa").toUri().toString());
    TableName t = TableName.of("tfa", "s", "q");
    spark.sql("CREATE SCHEMA IF NOT EXISTS tfa.s");
    spark.sql("CREATE TABLE " + t.quoted() + " (id STRING, n BIGINT) USING delta");
    StructType schema = StructType.fromDDL("id STRING, n BIGINT");
    TaskFileAppend mine = TaskFileAppend.forTable(spark, t, schema);
    TaskFileAppend other = TaskFileAppend.forTable(spark, t, schema);
    Path folder = lake.root().resolve("tfa").resolve("s").resolve("q");

    // as a task that finished its file just as its job failed leaves it: never reported
    Path unreported = folder.resolve(mine.fileName(3, 41, CompressionCodecName.SNAPPY));
    Path othersFile = folder.resolve(other.fileName(3, 41, CompressionCodecName.SNAPPY));
    Files.writeString(unreported, "x");
    Files.writeString(othersFile, "x");
    assertThat(mine.rows()).isZero();

    mine.discard();
    assertThat(unreported).doesNotExist();
    assertThat(othersFile).exists();
    assertThat(folder.resolve("_delta_log")).isDirectory();
    assertThat(spark.read().table(t.quoted()).count()).isZero();
  }
}
