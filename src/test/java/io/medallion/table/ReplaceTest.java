package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.DeltaWriter;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import scala.Option;

/**
 * The sink's {@link Write#replace} (a full gold recompute, batch bronze and silver): a small table
 * that already has the layout the replace gives it is overwritten in one transaction over its
 * checksum's file list ({@code ChecksumOverwrite}, one Spark job) with the rows, columns,
 * partitioning, properties, constraints and comments of Delta's own replace (a twin table created
 * by it), keeping its table id; a row that breaks a constraint fails the write and commits nothing;
 * a table whose layout changes goes through Delta's own replace.
 */
@ExtendWith(MedallionExtension.class)
class ReplaceTest {
  static final TableSpec SPEC = new TableSpec(Optional.of("the totals"), List.of(),
      Map.of("delta.deletedFileRetentionDuration", "interval 2 days", "team", "sales"), List.of(),
      Map.of("known_v", "v <> 'bad'"), false, Map.of("V", "the group"), List.of());

  static Dataset<Row> rows(SparkSession spark, int from, int to) {
    return spark.sql("SELECT CAST(id AS BIGINT) AS id, CAST(id % 3 AS STRING) AS v, id * 2 AS twice FROM range("
        + from + ", " + to + ")");
  }

  static TableName table(Lakehouse lake, String name) {
    String catalog = "replace_" + name;
    WarehouseCatalog.register(lake.spark(), catalog, lake.root().resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", name);
  }

  static List<String> contents(SparkSession spark, TableName t) {
    return spark.read().table(t.quoted()).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  static Snapshot snapshot(SparkSession spark, TableName t) {
    return DeltaTables.deltaLog(spark, t).update(false, Option.empty(), Option.empty());
  }

  /** Created by the sink's replace, then appended to: written since its last read. */
  static void fill(SparkSession spark, TableName t, TableSpec spec) {
    DeltaWriter.write(rows(spark, 0, 50), t, spec, Write.replace(), Txn.NONE);
    spark.sql("INSERT INTO " + t.quoted() + " SELECT CAST(id AS BIGINT), 'x', id FROM range(90, 95)");
  }

  /** {@code t}, replaced through the sink, has exactly the rows and layout of {@code twin}, which Delta's replace created. */
  static void assertSameAsDeltas(SparkSession spark, TableName t, TableName twin) {
    assertThat(contents(spark, t)).isEqualTo(contents(spark, twin));
    Snapshot s = snapshot(spark, t);
    Snapshot d = snapshot(spark, twin);
    assertThat(s.schema()).isEqualTo(d.schema());
    assertThat(s.metadata().partitionColumns()).isEqualTo(d.metadata().partitionColumns());
    assertThat(s.metadata().configuration()).isEqualTo(d.metadata().configuration());
    assertThat(s.metadata().description()).isEqualTo(d.metadata().description());
    assertThat(s.protocol()).isEqualTo(d.protocol());
  }

  @Test
  void aSmallTableIsReplacedInOneJobWithDeltasLayout(Lakehouse lake) {
    SparkSession spark = lake.spark();
    for (TableSpec spec : List.of(SPEC, new TableSpec(Optional.empty(), List.of("v"), Map.of()))) {
      String kind = spec.partitionBy().isEmpty() ? "plain" : "part";
      TableName t = table(lake, "r_" + kind);
      TableName twin = table(lake, "r_" + kind + "_twin");
      fill(spark, t, spec);
      String id = snapshot(spark, t).metadata().id();
      long version = DeltaTables.version(spark, t).getAsLong();

      AtomicReference<Commit> commit = new AtomicReference<>();
      int jobs = AppendRowsTest.jobs(spark, () -> commit.set(DeltaWriter.write(rows(spark, 100, 130), t, spec,
          Write.recording(Write.replace(), "{\"step\":2}"), Txn.NONE)));
      DeltaWriter.write(rows(spark, 100, 130), twin, spec, Write.replace(), Txn.NONE); // created by Delta's replace

      assertSameAsDeltas(spark, t, twin);
      assertThat(contents(spark, t)).as(kind).hasSize(30).contains("[100,1,200]").noneMatch(r -> r.contains(",x,"));
      assertThat(jobs).as(kind + ": Spark jobs of the replace").isEqualTo(1);
      assertThat(commit.get().committed()).isTrue();
      assertThat(commit.get().rowsWritten()).as(kind + ": the new rows").isEqualTo(30);
      assertThat(DeltaTables.version(spark, t).getAsLong()).as(kind + ": one commit").isEqualTo(version + 1);
      assertThat(snapshot(spark, t).metadata().id()).as(kind + ": the table id is kept").isEqualTo(id);
      Row last = spark.sql("DESCRIBE HISTORY " + t.quoted() + " LIMIT 1").first();
      assertThat(last.<String>getAs("operation")).isEqualTo("WRITE");
      assertThat(last.<scala.collection.Map<String, String>>getAs("operationParameters").get("mode").get())
          .isEqualTo("Overwrite");
      assertThat(last.<String>getAs("userMetadata")).isEqualTo("{\"step\":2}");
      assertThat(last.<scala.collection.Map<String, String>>getAs("operationMetrics").get("numOutputRows").get())
          .isEqualTo("30");
    }
  }

  @Test
  void aRowThatBreaksAConstraintFailsTheReplaceAndCommitsNothing(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "r_bad");
    fill(spark, t, SPEC);
    long version = DeltaTables.version(spark, t).getAsLong();
    List<String> before = contents(spark, t);
    Dataset<Row> bad = rows(spark, 100, 110).union(spark.sql("SELECT CAST(7 AS BIGINT) AS id, 'bad' AS v, 14L AS twice"));
    assertThatThrownBy(() -> DeltaWriter.write(bad, t, SPEC, Write.replace(), Txn.NONE))
        .hasStackTraceContaining("CHECK constraint known_v");
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(contents(spark, t)).isEqualTo(before);
  }

  @Test
  void aTableWhoseLayoutChangesGoesThroughDeltasReplace(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableSpec more = new TableSpec(SPEC.comment(), List.of(), Map.of("team", "finance"), List.of(),
        SPEC.constraints(), false, SPEC.columnComments(), List.of()); // other properties only
    Map<String, TableSpec> changes = Map.of("props", more, "cols", SPEC);
    for (Map.Entry<String, TableSpec> change : changes.entrySet()) {
      TableName t = table(lake, "r_" + change.getKey());
      TableName twin = table(lake, "r_" + change.getKey() + "_twin");
      fill(spark, t, SPEC);
      String id = snapshot(spark, t).metadata().id();
      Dataset<Row> next = change.getKey().equals("cols")
          ? rows(spark, 100, 130).selectExpr("id", "v", "twice", "id % 2 = 0 AS even") : rows(spark, 100, 130);
      DeltaWriter.write(next, t, change.getValue(), Write.replace(), Txn.NONE);
      DeltaWriter.write(next, twin, change.getValue(), Write.replace(), Txn.NONE);
      assertSameAsDeltas(spark, t, twin);
      assertThat(snapshot(spark, t).metadata().id()).as(change.getKey() + ": Delta's replace, a new table id")
          .isNotEqualTo(id);
    }
  }
}
