package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DeltaSink#rowCount}: a small table's count comes from its checksum's file list without a
 * Spark job, through appends, copy-on-write updates and deletion vectors; a table of more files
 * than the checksum lists, or of files without statistics, is counted by Delta from its log. Each
 * count equals Spark's count of the rows.
 */
@ExtendWith(MedallionExtension.class)
class RowCountTest {
  /** A new Delta table {@code (id BIGINT, v STRING)} named {@code name} in its own catalog. */
  static TableName table(Lakehouse lake, String name, String properties) {
    String catalog = "count_" + name;
    WarehouseCatalog.register(lake.spark(), catalog, lake.root().resolve(catalog).toUri().toString());
    TableName t = TableName.of(catalog, "s", name);
    lake.spark().sql("CREATE SCHEMA IF NOT EXISTS `" + catalog + "`.`s`");
    lake.spark().sql("CREATE TABLE " + t.quoted() + " (id BIGINT, v STRING) USING delta" + properties);
    return t;
  }

  /** The count, which must run no Spark job, and must equal Spark's count of the rows. */
  private static long countedWithoutAJob(SparkSession spark, TableName t) {
    AtomicLong n = new AtomicLong();
    assertThat(AppendRowsTest.jobs(spark, () -> n.set(DeltaSink.rowCount(spark, t)))).as(t + ": jobs").isZero();
    assertThat(n.get()).as(t.toString()).isEqualTo(spark.table(t.quoted()).count());
    return n.get();
  }

  @Test
  void aSmallTableIsCountedFromItsChecksumWithoutAJob(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "cow", "");
    assertThat(countedWithoutAJob(spark, t)).isZero();
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'a' FROM range(0, 30)");
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'b' FROM range(30, 42)");
    assertThat(countedWithoutAJob(spark, t)).isEqualTo(42);
    spark.sql("UPDATE " + t.quoted() + " SET v = 'c' WHERE id < 5");
    spark.sql("DELETE FROM " + t.quoted() + " WHERE id >= 40");
    assertThat(countedWithoutAJob(spark, t)).isEqualTo(40);
  }

  @Test
  void rowsMarkedDeletedByDeletionVectorsAreNotCounted(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "dv", " TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')");
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'a' FROM range(0, 100)");
    spark.sql("DELETE FROM " + t.quoted() + " WHERE id % 10 = 3");
    assertThat(spark.sql("DESCRIBE HISTORY " + t.quoted() + " LIMIT 1")
        .selectExpr("CAST(operationMetrics['numDeletionVectorsAdded'] AS INT)").first().getInt(0)).isPositive();
    assertThat(countedWithoutAJob(spark, t)).isEqualTo(90);
  }

  @Test
  void manyFilesOrFilesWithoutStatisticsAreCountedFromTheLog(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName many = table(lake, "many", "");
    spark.range(0, 102).selectExpr("id", "'x' AS v").repartition(51).write().format("delta").mode("append")
        .saveAsTable(many.quoted());
    TableName bare = table(lake, "bare", "");
    spark.conf().set("spark.databricks.delta.stats.collect", "false");
    try {
      spark.sql("INSERT INTO " + bare.quoted() + " SELECT id, 'a' FROM range(0, 7)");
    } finally {
      spark.conf().unset("spark.databricks.delta.stats.collect");
    }
    for (TableName t : java.util.List.of(many, bare)) {
      AtomicLong n = new AtomicLong();
      assertThat(AppendRowsTest.jobs(spark, () -> n.set(DeltaSink.rowCount(spark, t)))).as(t + ": jobs").isPositive();
      assertThat(n.get()).as(t.toString()).isEqualTo(t == many ? 102 : 7);
    }
  }
}
