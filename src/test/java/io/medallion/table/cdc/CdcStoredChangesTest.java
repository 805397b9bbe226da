package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.dump;
import static io.medallion.table.cdc.CdcTestSupport.engine;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.table.internal.cdc.CdcResult;
import io.medallion.table.internal.cdc.CdcSnapshots;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Removing superseded stored changes ({@link CdcEngine#removeSupersededChanges}) from an SCD1 table
 * changes nothing later batches do: late changes, redeliveries of removed changes, deletes before
 * inserts and truncates give the rows of in-order delivery, and a replayed batch still commits
 * nothing. ({@code CdcPropertyTest} removes them between random batches too; {@code RunKillTest}
 * kills a JVM right after a removal's commit.)
 */
class CdcStoredChangesTest {
  @TempDir static Path warehouse;

  static final StructType SCHEMA = StructType.fromDDL("id INT, v STRING, op STRING, seq BIGINT");

  static CdcSpec.Builder spec() {
    return CdcSpec.builder(List.of("id"), List.of("seq")).applyAsDeletes("op = 'D'")
        .exceptColumnList(List.of("op", "seq"));
  }

  static Row u(int id, String v, long seq) {
    return RowFactory.create(id, v, "U", seq);
  }

  static Row d(int id, long seq) {
    return RowFactory.create(id, null, "D", seq);
  }

  @Test
  void anScd1TableKeepsItsRowsThroughLateChangesRedeliveriesAndTruncatesAfterTheRemoval() {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdcst");
    CdcSpec scd1 = spec().applyAsTruncates("op = 'T'").build();
    TableName compacted = TableName.of("cdcst", "s", "compacted");
    CdcEngine some = engine(spark, compacted, scd1, SCHEMA);
    List<List<Row>> batches = List.of(
        // a delete before its key's older insert (3), two keys with several changes
        List.of(u(1, "a", 1), u(1, "b", 3), u(2, "x", 2), d(3, 5), u(4, "p", 1)),
        // late older changes (1 at 2, 3 at 4 stays deleted), newer ones, a redelivery of 1 at 3
        List.of(u(1, "c", 2), u(2, "y", 4), u(3, "q", 4), u(4, "r", 2), u(1, "b", 3)));
    for (int b = 0; b < batches.size(); b++) {
      some.apply(spark.createDataFrame(batches.get(b), SCHEMA), "st", b);
    }
    assertThat(dump(spark, compacted)).containsExactly("1|b", "2|y", "4|r");
    TableName changes = CdcEngine.changesTable(compacted);
    Timestamp key3Applied = newestApplied(spark, changes, 3);

    assertThat(CdcEngine.removeSupersededChanges(spark, compacted, scd1)).hasValue(5);
    // one change per key, the newest: 1 at 3, 2 at 4, 3's delete at 5, 4 at 2
    assertThat(dump(spark.read().table(changes.quoted()).select("id", "v", "seq", "__op")))
        .containsExactly("1|b|3|U", "2|y|4|U", "3|null|5|D", "4|r|2|U");
    // the kept delete carries its key's newest applied time (batch 1's late insert), so it expires
    // no earlier than it would have
    assertThat(newestApplied(spark, changes, 3)).isEqualTo(key3Applied);
    assertThat(spark.read().table(changes.quoted()).where("id = 3").first().<Timestamp>getAs("__applied_at"))
        .isEqualTo(key3Applied);

    // a redelivery of a removed change (1 at 1), a newer change, a late delete older than 2's newest,
    // a truncate at 7, and a change after it
    List<Row> third = List.of(u(1, "a", 1), u(1, "d", 6), d(2, 3), RowFactory.create(null, null, "T", 7L),
        u(4, "s", 8));
    CdcResult someThird = some.apply(spark.createDataFrame(third, SCHEMA), "st", 2);
    assertThat(dump(spark, compacted)).containsExactly("4|s");
    // the removed change counts as new again in the metrics (2 with every change kept): the rows are the same
    assertThat(someThird.upserts()).isEqualTo(3);

    // 1 at 1 (stored again) and at 3, 2's late delete at 3, 4 at 2
    assertThat(CdcEngine.removeSupersededChanges(spark, compacted, scd1)).hasValue(4);
    assertThat(dump(spark.read().table(changes.quoted()).select("id", "seq", "__op")))
        .containsExactly("1|6|U", "2|4|U", "3|5|D", "4|8|U", "null|7|T");
    // nothing superseded left: nothing written
    long stored = DeltaTables.version(spark, changes).getAsLong();
    assertThat(CdcEngine.removeSupersededChanges(spark, compacted, scd1)).hasValue(0);
    assertThat(DeltaTables.version(spark, changes)).hasValue(stored);
    // a new key older than the kept truncate stays truncated; a newer change of 1 comes back
    List<Row> fourth = List.of(u(5, "z", 6), u(1, "e", 9));
    some.apply(spark.createDataFrame(fourth, SCHEMA), "st", 3);
    assertThat(dump(spark, compacted)).containsExactly("1|e", "4|s");

    // a replayed batch commits nothing: the transaction ids survive the removal's commits
    long target = DeltaTables.version(spark, compacted).getAsLong();
    stored = DeltaTables.version(spark, changes).getAsLong();
    some.apply(spark.createDataFrame(fourth, SCHEMA), "st", 3);
    assertThat(DeltaTables.version(spark, compacted)).hasValue(target);
    assertThat(DeltaTables.version(spark, changes)).hasValue(stored);
  }

  @Test
  void scd2AndIgnoreNullTablesKeepEveryChange() {
    // their replays need every change: nothing is read or written (an empty result, not 0)
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdcst");
    for (CdcSpec spec : List.of(spec().scdType2().build(), spec().ignoreNullUpdates().build())) {
      TableName t = TableName.of("cdcst", "s", spec.scd2() ? "history" : "nulls");
      engine(spark, t, spec, SCHEMA);
      OptionalLong version = DeltaTables.version(spark, CdcEngine.changesTable(t));
      assertThat(CdcEngine.removeSupersededChanges(spark, t, spec)).as(t.table()).isEmpty();
      assertThat(DeltaTables.version(spark, CdcEngine.changesTable(t))).isEqualTo(version);
    }
  }

  @Test
  void anScd1SnapshotTableKeepsTheNewestChangePerKeyAndAppliesTheNextSnapshotAsBefore() {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdcst");
    StructType users = StructType.fromDDL("id INT, name STRING, city STRING");
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of()).fromSnapshot(CdcSpec.FromSnapshot.fromTable()).build();
    TableName t = TableName.of("cdcst", "s", "users");
    CdcSnapshots s = CdcSnapshots.prepare(spark, t, spec, users, "test.users.cdc", TableSpec.defaults());
    List<List<Row>> versions = List.of(
        List.of(RowFactory.create(1, "Ann", "Lima"), RowFactory.create(2, "Bob", "Oslo"), RowFactory.create(3, "Cy", "Rome")),
        List.of(RowFactory.create(1, "Ann", "Lima"), RowFactory.create(2, "Bob", "Bern")),
        List.of(RowFactory.create(1, "Ann", "Quito"), RowFactory.create(3, "Cy", "Rome")));
    s.apply(spark.createDataFrame(versions.get(0), users), 1);
    s.apply(spark.createDataFrame(versions.get(1), users), 2);
    // 1 at 1, 2 at 1 and 2, 3 at 1 and its delete at 2: 2's and 3's first changes are superseded
    assertThat(CdcEngine.removeSupersededChanges(spark, t, spec)).hasValue(2);
    assertThat(spark.read().table(CdcEngine.changesTable(t).quoted()).count()).isEqualTo(3);
    s.apply(spark.createDataFrame(versions.get(2), users), 3);
    assertThat(dump(spark, t)).containsExactly("1|Ann|Quito", "3|Cy|Rome");
    assertThat(s.lastVersion()).hasValue(3);
  }

  private static Timestamp newestApplied(SparkSession spark, TableName changes, int id) {
    return spark.read().table(changes.quoted()).where("id = " + id)
        .agg(org.apache.spark.sql.functions.max("__applied_at")).first().getTimestamp(0);
  }
}
