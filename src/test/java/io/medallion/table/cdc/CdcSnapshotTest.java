package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.dump;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcSnapshots;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot CDC (DLT's from-snapshot flow): three snapshots, with a key deleted (3 in version 2)
 * that comes back (version 3), applied as SCD type 1 and 2; a late older snapshot is skipped and a
 * rerun of the last one changes nothing.
 */
class CdcSnapshotTest {
  static final StructType SCHEMA = StructType.fromDDL("id INT, name STRING, city STRING");
  @TempDir static Path warehouse;

  static Dataset<Row> snapshot(SparkSession spark, Object[]... rows) {
    return spark.createDataFrame(java.util.Arrays.stream(rows).map(RowFactory::create).toList(), SCHEMA);
  }

  @Test
  void threeSnapshotsGiveExactScd1AndScd2Tables() {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdcs");
    List<Dataset<Row>> versions = List.of(
        snapshot(spark, new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Oslo"}, new Object[] {3, "Cy", "Rome"}),
        snapshot(spark, new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Bern"}),
        snapshot(spark, new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Bern"}, new Object[] {3, "Cy", "Nice"}));
    CdcSpec scd1Spec = CdcSpec.builder(List.of("id"), List.of("unused")).build();
    CdcSpec scd2Spec = CdcSpec.builder(List.of("id"), List.of("unused")).scdType2().build();
    TableName t1 = TableName.of("cdcs", "s", "scd1");
    TableName t2 = TableName.of("cdcs", "s", "scd2");
    CdcSnapshots s1 = CdcSnapshots.prepare(spark, t1, scd1Spec, SCHEMA, "test.scd1.cdc", TableSpec.defaults());
    CdcSnapshots s2 = CdcSnapshots.prepare(spark, t2, scd2Spec, SCHEMA, "test.scd2.cdc", TableSpec.defaults());
    for (int v = 1; v <= 2; v++) {
      assertThat(s1.apply(versions.get(v - 1), v).outcome()).isEqualTo(CdcSnapshots.Outcome.APPLIED);
      s2.apply(versions.get(v - 1), v);
    }
    assertThat(dump(spark, t1)).containsExactly("1|Ann|Lima", "2|Bob|Bern");
    CdcSnapshots.Result third = s1.apply(versions.get(2), 3);
    assertThat(third.changes().upserts()).isEqualTo(1);
    s2.apply(versions.get(2), 3);

    List<String> scd1 = List.of("1|Ann|Lima", "2|Bob|Bern", "3|Cy|Nice");
    List<String> scd2 = List.of(
        "1|Ann|Lima|1|null",
        "2|Bob|Bern|2|null",
        "2|Bob|Oslo|1|2",
        "3|Cy|Nice|3|null",
        "3|Cy|Rome|1|2");
    assertThat(dump(spark, t1)).containsExactlyElementsOf(scd1);
    assertThat(dump(spark, t2)).containsExactlyElementsOf(scd2);

    long version = DeltaTables.version(spark, t2).getAsLong();
    CdcSnapshots.Result late = s2.apply(versions.get(0), 1);
    assertThat(late.outcome()).isEqualTo(CdcSnapshots.Outcome.SKIPPED_LATE);
    assertThat(late.message()).contains("snapshot version 1").contains("older than the last applied version 3");
    assertThat(s2.apply(versions.get(2), 3).outcome()).isEqualTo(CdcSnapshots.Outcome.ALREADY_APPLIED);
    assertThat(s2.lastVersion()).hasValue(3);
    assertThat(DeltaTables.version(spark, t2).getAsLong()).isEqualTo(version);
    assertThat(dump(spark, t2)).containsExactlyElementsOf(scd2);
  }

  /**
   * Each applied snapshot is read once: its changes are derived once and kept for the engine,
   * which reads its batch twice (the stored changes of the batch's keys, then the batch), so each
   * read derived them again, reading the whole snapshot (docs/cdc.md, "Snapshot CDC"). Counted
   * by an accumulator in a filter over the snapshot's rows.
   */
  @Test
  void eachSnapshotIsReadOnceWhenItsChangesAreDerived() {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdcsr");
    org.apache.spark.util.LongAccumulator read = spark.sparkContext().longAccumulator("snapshot rows read");
    org.apache.spark.sql.expressions.UserDefinedFunction counted = org.apache.spark.sql.functions.udf(
        (org.apache.spark.sql.api.java.UDF1<Integer, Boolean>) id -> {
          read.add(1);
          return true;
        }, org.apache.spark.sql.types.DataTypes.BooleanType).asNondeterministic();
    TableName t = TableName.of("cdcsr", "s", "read_once");
    CdcSnapshots s = CdcSnapshots.prepare(spark, t, CdcSpec.builder(List.of("id"), List.of("unused")).scdType2().build(),
        SCHEMA, "test.scd2.cdc", TableSpec.defaults());
    Dataset<Row> first = snapshot(spark, new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Oslo"},
        new Object[] {3, "Cy", "Rome"});
    Dataset<Row> second = snapshot(spark, new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Bern"});
    assertThat(s.apply(first.where(counted.apply(first.col("id"))), 1).changes().upserts()).isEqualTo(3);
    assertThat(read.value()).as("rows read for version 1").isEqualTo(3);
    CdcSnapshots.Result r = s.apply(second.where(counted.apply(second.col("id"))), 2);
    assertThat(r.changes().upserts()).isEqualTo(1);
    assertThat(r.changes().deletes()).isEqualTo(1);
    assertThat(read.value()).as("rows read for versions 1 and 2").isEqualTo(5);
    assertThat(dump(spark, t)).containsExactly("1|Ann|Lima|1|null", "2|Bob|Bern|2|null", "2|Bob|Oslo|1|2", "3|Cy|Rome|1|2");
  }
}
