package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.DeltaWriter;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink's {@link Write#replaceWhere} (incremental gold's write): on a small table it is one
 * transaction over the checksum's file list ({@code ChecksumOverwrite}, two Spark jobs) and
 * gives exactly the rows of Delta's own {@code replaceWhere} on a twin table, NULLs of the
 * condition kept, rows marked deleted by deletion vectors staying deleted, the commit's user
 * metadata and the new rows counted; a new row outside the condition fails the write and commits
 * nothing; a table with its change data feed on, or a partitioned one, goes through Delta's own
 * path with the same rows.
 */
@ExtendWith(MedallionExtension.class)
class ReplaceWhereTest {
  static final String CONDITION = "v IN ('b', 'c')";

  /** The new rows: replace groups 'b' and 'c' (three rows, 'c' is new). */
  static Dataset<Row> newRows(SparkSession spark) {
    return spark.sql("SELECT CAST(id AS BIGINT) AS id, v FROM VALUES (100, 'b'), (101, 'c'), (102, 'c') AS t(id, v)");
  }

  /** Ids 0-59 in groups a and b, a few without a group (NULL: the condition is NULL, kept), some deleted. */
  static void fill(SparkSession spark, TableName t) {
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, CASE WHEN id % 7 = 0 THEN NULL WHEN id % 2 = 0 THEN 'a'"
        + " ELSE 'b' END FROM range(0, 40)");
    spark.sql("INSERT INTO " + t.quoted() + " SELECT id, 'b' FROM range(40, 60)");
    spark.sql("DELETE FROM " + t.quoted() + " WHERE id % 10 = 4");
  }

  static List<String> rows(SparkSession spark, TableName t) {
    return spark.read().table(t.quoted()).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  /** Delta's own replaceWhere of the same rows on {@code twin}. */
  static void deltaReplaceWhere(SparkSession spark, TableName twin) throws Exception {
    newRows(spark).writeTo(twin.quoted()).overwrite(functions.expr(CONDITION));
  }

  @Test
  void aSmallTableIsReplacedInTwoJobsWithDeltasRows(Lakehouse lake) throws Exception {
    SparkSession spark = lake.spark();
    String dv = " TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')";
    TableName t = RowCountTest.table(lake, "rw_small", dv);
    TableName twin = RowCountTest.table(lake, "rw_twin", dv);
    fill(spark, t);
    fill(spark, twin);
    assertThat(spark.sql("DESCRIBE HISTORY " + t.quoted() + " LIMIT 1")
        .selectExpr("CAST(operationMetrics['numDeletionVectorsAdded'] AS INT)").first().getInt(0))
        .as("rows marked deleted").isPositive();

    AtomicReference<Commit> commit = new AtomicReference<>();
    int jobs = AppendRowsTest.jobs(spark, () -> commit.set(DeltaWriter.write(newRows(spark), t, TableSpec.defaults(),
        Write.recording(Write.replaceWhere(CONDITION), "{\"step\":1}"), Txn.NONE)));
    deltaReplaceWhere(spark, twin);

    assertThat(rows(spark, t)).isEqualTo(rows(spark, twin)).contains("[100,b]", "[101,c]", "[0,null]")
        .noneMatch(r -> r.equals("[1,b]") || r.equals("[14,null]"));
    assertThat(jobs).as("Spark jobs of the replace").isEqualTo(2);
    assertThat(commit.get().committed()).isTrue();
    assertThat(commit.get().rowsWritten()).as("the new rows").isEqualTo(3);
    Row last = spark.sql("DESCRIBE HISTORY " + t.quoted() + " LIMIT 1").first();
    assertThat(last.<String>getAs("operation")).isEqualTo("WRITE");
    assertThat(last.<String>getAs("userMetadata")).isEqualTo("{\"step\":1}");
    assertThat(last.<scala.collection.Map<String, String>>getAs("operationMetrics").get("numOutputRows").get())
        .as("the commit's metrics count the new rows, as Delta's replaceWhere does").isEqualTo("3");
    assertThat(last.<scala.collection.Map<String, String>>getAs("operationParameters").get("predicate").get())
        .contains(CONDITION);

    // Delta's own replaceWhere of the same kind of table runs more jobs
    fill(spark, twin);
    assertThat(AppendRowsTest.jobs(spark, () -> {
      try {
        deltaReplaceWhere(spark, twin);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).isGreaterThan(2);
  }

  @Test
  void aNewRowOutsideTheConditionFailsAndCommitsNothing(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = RowCountTest.table(lake, "rw_outside", "");
    fill(spark, t);
    long version = DeltaTables.version(spark, t).getAsLong();
    List<String> before = rows(spark, t);
    Dataset<Row> outside = newRows(spark).union(spark.sql("SELECT CAST(7 AS BIGINT) AS id, 'z' AS v"));
    assertThatThrownBy(() -> DeltaWriter.write(outside, t, TableSpec.defaults(), Write.replaceWhere(CONDITION), Txn.NONE))
        .hasStackTraceContaining("CHECK constraint replaceWhere").hasStackTraceContaining(CONDITION);
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(rows(spark, t)).isEqualTo(before);
  }

  @Test
  void aTableWithItsChangeFeedOrPartitionsGoesThroughDeltasOwnPath(Lakehouse lake) throws Exception {
    SparkSession spark = lake.spark();
    TableName twin = RowCountTest.table(lake, "rw_plain", "");
    fill(spark, twin);
    deltaReplaceWhere(spark, twin);
    for (String properties : List.of(" TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')", " PARTITIONED BY (v)")) {
      TableName t = RowCountTest.table(lake, properties.contains("Feed") ? "rw_cdf" : "rw_part", properties);
      fill(spark, t);
      int jobs = AppendRowsTest.jobs(spark, () -> DeltaWriter.write(newRows(spark), t, TableSpec.defaults(),
          Write.replaceWhere(CONDITION), Txn.NONE));
      assertThat(rows(spark, t)).as(properties).isEqualTo(rows(spark, twin));
      assertThat(jobs).as(properties).isGreaterThan(2);
    }
  }
}
