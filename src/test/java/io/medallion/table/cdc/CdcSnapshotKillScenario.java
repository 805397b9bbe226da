package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.dump;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.table.internal.cdc.CdcSnapshots;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * kill -9 in the middle of applying a snapshot, a scenario of {@link CdcKillScenario}: a child JVM
 * applies snapshot version 1 to an SCD2 target, then dies ({@code halt}, no shutdown hooks) while
 * applying version 2, right after the companion changes table committed and before the target
 * records version 2 as applied. The target then already holds version 2's rows but still says
 * version 1; applying version 2 again gives exactly the table of a run that was not killed, and a
 * further apply commits nothing.
 */
final class CdcSnapshotKillScenario {
  private CdcSnapshotKillScenario() {}

  static final StructType SCHEMA = StructType.fromDDL("id INT, name STRING, city STRING");
  static final TableName TARGET = TableName.of("cdcsk", "s", "users");
  static final TableName UNKILLED = TableName.of("cdcsk", "s", "unkilled");

  static CdcSnapshots snapshots(SparkSession spark, TableName target) {
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of()).scdType2()
        .fromSnapshot(CdcSpec.FromSnapshot.fromTable()).build();
    return CdcSnapshots.prepare(spark, target, spec, SCHEMA, "test." + target.table() + ".cdc", TableSpec.defaults());
  }

  /** Snapshot 1: three users; snapshot 2: Bob moved, Cy gone. */
  static Dataset<Row> version(SparkSession spark, int v) {
    List<Object[]> rows = v == 1
        ? List.of(new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Oslo"}, new Object[] {3, "Cy", "Rome"})
        : List.of(new Object[] {1, "Ann", "Lima"}, new Object[] {2, "Bob", "Bern"});
    return spark.createDataFrame(rows.stream().map(RowFactory::create).toList(), SCHEMA);
  }

  /** The child's part ({@code warehouse}): version 1, then version 2 halted after the companion's commit. */
  static void killed(Path warehouse) {
    SparkSession spark = CdcTestSupport.spark(warehouse, TARGET.catalog());
    CdcSnapshots s = snapshots(spark, TARGET);
    s.apply(version(spark, 1), 1);
    CdcKillScenario.haltAfterNextCommit(spark, CdcEngine.changesTable(TARGET));
    s.apply(version(spark, 2), 2);
  }

  /** The companion's stored changes without the time they were stored at (which differs per run). */
  static List<String> storedChanges(SparkSession spark, TableName target) {
    Dataset<Row> stored = spark.read().table(CdcEngine.changesTable(target).quoted());
    for (var f : stored.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.TimestampType) {
        stored = stored.drop(f.name());
      }
    }
    return dump(stored);
  }

  /** After the kill ({@code spark} has the scenario's catalog): the rerun gives the unkilled table, once. */
  static void assertTheRerunGivesTheUnkilledTable(SparkSession spark) {
    CdcSnapshots unkilled = snapshots(spark, UNKILLED);
    for (int v = 1; v <= 2; v++) {
      unkilled.apply(version(spark, v), v);
    }
    List<String> expected = dump(spark, UNKILLED);
    assertThat(expected).containsExactly("1|Ann|Lima|1|null", "2|Bob|Bern|2|null", "2|Bob|Oslo|1|2", "3|Cy|Rome|1|2");

    CdcSnapshots s = snapshots(spark, TARGET);
    // the kill fell after version 2's changes were stored and before the target recorded version 2
    assertThat(dump(spark, TARGET)).containsExactlyElementsOf(expected);
    assertThat(s.lastVersion()).hasValue(1);

    CdcSnapshots.Result rerun = s.apply(version(spark, 2), 2);
    assertThat(rerun.outcome()).isEqualTo(CdcSnapshots.Outcome.APPLIED);
    assertThat(Arrays.asList(rerun.changes().upserts(), rerun.changes().deletes())).as("nothing applied twice")
        .containsExactly(0L, 0L);
    assertThat(dump(spark, TARGET)).containsExactlyElementsOf(expected);
    assertThat(storedChanges(spark, TARGET)).as("each change stored once")
        .containsExactlyElementsOf(storedChanges(spark, UNKILLED));
    assertThat(s.lastVersion()).hasValue(2);

    long version = DeltaTables.version(spark, TARGET).getAsLong();
    assertThat(s.apply(version(spark, 2), 2).outcome()).isEqualTo(CdcSnapshots.Outcome.ALREADY_APPLIED);
    assertThat(DeltaTables.version(spark, TARGET).getAsLong()).as("a further apply commits nothing").isEqualTo(version);
  }
}
