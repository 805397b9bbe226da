package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.LatestVersion;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import io.medallion.table.internal.ColumnRange;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DeltaTables#readLatest} and {@link DeltaTables#readVersion}: a table written since it was
 * last read is read over its checksum's file list in one Spark job (Delta's own read first
 * rebuilds the table's state with jobs of its own), and gives exactly Delta's rows, through appends, copy-on-write updates and
 * deletes, and deletion vectors (rows they mark stay deleted); a table of more files than the
 * checksum lists is read by Delta, with the same rows. A version read at the latest version is
 * read the same way; at an older version it is Delta's time travel.
 */
@ExtendWith(MedallionExtension.class)
class ReadLatestTest {
  /** The rows read by {@code readLatest} (sorted), checked against Delta's; the jobs the read ran. */
  private static int jobsOfALatestRead(SparkSession spark, TableName t, int rows) {
    AtomicReference<List<String>> latest = new AtomicReference<>();
    int jobs = AppendRowsTest.jobs(spark, () -> latest.set(sorted(DeltaTables.readLatest(spark, t).collectAsList())));
    assertThat(latest.get()).as(t.toString()).hasSize(rows)
        .isEqualTo(sorted(spark.read().table(t.quoted()).collectAsList()));
    return jobs;
  }

  private static List<String> sorted(List<Row> rows) {
    return rows.stream().map(Row::toString).sorted().toList();
  }

  @Test
  void aTableWrittenSinceItsLastReadIsReadInOneJobWithDeltasRows(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = RowCountTest.table(lake, "latest_cow", "");
    assertThat(jobsOfALatestRead(spark, t, 0)).isLessThanOrEqualTo(1);
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'a' FROM range(0, 30)");
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'b' FROM range(30, 42)");
    assertThat(jobsOfALatestRead(spark, t, 42)).isEqualTo(1);
    spark.sql("UPDATE " + t.quoted() + " SET v = 'c' WHERE id < 5");
    spark.sql("DELETE FROM " + t.quoted() + " WHERE id >= 40");
    assertThat(jobsOfALatestRead(spark, t, 40)).isEqualTo(1);
    // Delta's own read of the same kind of new version rebuilds the state first
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'd' FROM range(42, 45)");
    assertThat(AppendRowsTest.jobs(spark, () -> spark.read().table(t.quoted()).collectAsList())).isGreaterThan(1);

    // a version read: at the latest version as above, at an older one Delta's time travel
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'e' FROM range(45, 47)");
    long latest = DeltaTables.version(spark, t).getAsLong();
    AtomicReference<List<String>> at = new AtomicReference<>();
    assertThat(AppendRowsTest.jobs(spark, () -> at.set(sorted(DeltaTables.readVersion(spark, t, latest).collectAsList()))))
        .isEqualTo(1);
    assertThat(at.get()).hasSize(45).isEqualTo(sorted(spark.read().table(t.quoted()).collectAsList()));
    assertThat(sorted(DeltaTables.readVersion(spark, t, latest - 2).collectAsList())).hasSize(40)
        .isEqualTo(sorted(spark.sql("SELECT * FROM " + t.quoted() + " VERSION AS OF " + (latest - 2)).collectAsList()));
  }

  @Test
  void rowsMarkedDeletedStayDeletedAndManyFilesAreReadByDelta(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName dv = RowCountTest.table(lake, "latest_dv", " TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')");
    spark.sql("INSERT INTO " + dv.quoted() + " SELECT id, 'a' FROM range(0, 100)");
    spark.sql("DELETE FROM " + dv.quoted() + " WHERE id % 10 = 3");
    assertThat(spark.sql("DESCRIBE HISTORY " + dv.quoted() + " LIMIT 1")
        .selectExpr("CAST(operationMetrics['numDeletionVectorsAdded'] AS INT)").first().getInt(0)).isPositive();
    assertThat(jobsOfALatestRead(spark, dv, 90)).isEqualTo(1);
    TableName many = RowCountTest.table(lake, "latest_many", "");
    spark.range(0, 102).selectExpr("id", "'x' AS v").repartition(51).write().format("delta").mode("append")
        .saveAsTable(many.quoted());
    jobsOfALatestRead(spark, many, 102);
    // within key ranges (ReadLatestTest#aReadWithinKeyRanges...): Delta's read, the same filter
    assertThat(LatestVersion.of(spark, many).rangesCanSkipFiles("id", DataTypes.LongType)).as("no file list").isTrue();
    assertThat(sorted(LatestVersion.of(spark, many).read(List.of(
        new ColumnRange("id", DataTypes.LongType, BigDecimal.valueOf(10), BigDecimal.valueOf(19)))).collectAsList()))
        .hasSize(10).isEqualTo(sorted(spark.read().table(many.quoted()).where("id BETWEEN 10 AND 19").collectAsList()));
  }

  /**
   * A {@link LatestVersion} is the version its log update found: written again afterwards, the
   * table's new rows are not in its reads, whole or within a range, over the checksum's file list
   * and over Delta's own read (more files than the checksum lists), and the next one has them.
   */
  @Test
  void aLatestVersionKeepsReadingItsVersionAfterALaterWrite(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName few = RowCountTest.table(lake, "latest_kept_few", "");
    spark.sql("INSERT INTO " + few.quoted() + " SELECT id, 'a' FROM range(0, 10)");
    TableName many = RowCountTest.table(lake, "latest_kept_many", "");
    spark.range(0, 102).selectExpr("id", "'x' AS v").repartition(51).write().format("delta").mode("append")
        .saveAsTable(many.quoted());
    ColumnRange all = new ColumnRange("id", DataTypes.LongType, BigDecimal.ZERO, BigDecimal.valueOf(1_000));
    for (TableName t : List.of(few, many)) {
      LatestVersion before = LatestVersion.of(spark, t);
      long rows = spark.read().table(t.quoted()).count();
      spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'new' FROM range(500, 503)");
      assertThat(before.read().count()).as("%s, whole", t).isEqualTo(rows);
      assertThat(before.read(List.of(all)).count()).as("%s, within a range", t).isEqualTo(rows);
      assertThat(before.read().where("v = 'new'").count()).as("%s, the later rows", t).isZero();
      assertThat(LatestVersion.of(spark, t).read().where("v = 'new'").count()).as("%s, the next version", t).isEqualTo(3);
    }
  }

  /**
   * A read within key ranges ({@code LatestVersion.read(ranges)}, a CDC batch's read of
   * its stored changes) reads only the files whose statistics may hold rows in the ranges, by a
   * long, a date and a decimal column, and gives Delta's rows filtered by the ranges (a table of more
   * files than the checksum lists: the test above).
   */
  @Test
  void aReadWithinKeyRangesReadsTheFilesThatMayHoldThemWithDeltasRows(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = RowCountTest.table(lake, "latest_ranges", "");
    spark.sql("DROP TABLE " + t.quoted());
    spark.sql("CREATE TABLE " + t.quoted() + " (id BIGINT, d DATE, amount DECIMAL(12,2), v STRING) USING delta");
    assertThat(LatestVersion.of(spark, t).rangesCanSkipFiles("id", DataTypes.LongType)).as("no files").isFalse();
    for (int from : new int[] {0, 100, 200}) {
      spark.sql("INSERT INTO " + t.quoted() + " SELECT /*+ COALESCE(1) */ id, date_add(DATE'2024-01-01', CAST(id AS INT)),"
          + " CAST(id * 1.5 AS DECIMAL(12,2)), 'a' FROM range(" + from + ", " + (from + 30) + ")");
      assertThat(LatestVersion.of(spark, t).rangesCanSkipFiles("id", DataTypes.LongType)).as("after %d", from)
          .isEqualTo(from > 0);
    }
    spark.sql("INSERT INTO " + t.quoted() + " SELECT /*+ COALESCE(1) */ * FROM VALUES (NULL, NULL, NULL, 'null keys'), (300, DATE'2025-01-01', 1.00, 'b')");
    java.util.function.BiConsumer<ColumnRange, String> check = (range, sql) -> {
      Dataset<Row> read = LatestVersion.of(spark, t).read(List.of(range));
      assertThat(sorted(read.collectAsList())).as(sql).isNotEmpty()
          .isEqualTo(sorted(spark.read().table(t.quoted()).where(sql).collectAsList()));
      assertThat(read.inputFiles()).as("files read for %s", sql).hasSize(1);
    };
    check.accept(new ColumnRange("id", DataTypes.LongType, BigDecimal.valueOf(95), BigDecimal.valueOf(140)),
        "id BETWEEN 95 AND 140");
    check.accept(new ColumnRange("d", DataTypes.DateType, BigDecimal.valueOf(LocalDate.parse("2024-04-10").toEpochDay()),
        BigDecimal.valueOf(LocalDate.parse("2024-04-20").toEpochDay())), "d BETWEEN DATE'2024-04-10' AND DATE'2024-04-20'");
    check.accept(new ColumnRange("amount", DataTypes.createDecimalType(12, 2), new BigDecimal("300.00"),
        new BigDecimal("310.50")), "amount BETWEEN 300.00 AND 310.50");
    // both ranges: the files that may hold rows in each
    assertThat(LatestVersion.of(spark, t).read(List.of(
        new ColumnRange("id", DataTypes.LongType, BigDecimal.valueOf(0), BigDecimal.valueOf(400)),
        new ColumnRange("d", DataTypes.DateType, BigDecimal.valueOf(LocalDate.parse("2024-12-01").toEpochDay()),
            BigDecimal.valueOf(LocalDate.parse("2025-02-01").toEpochDay())))).collectAsList())
        .extracting(r -> r.getLong(0)).containsExactly(300L);
  }
}
