package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.USERS;
import static io.medallion.table.cdc.CdcTestSupport.dltSpec;
import static io.medallion.table.cdc.CdcTestSupport.dltUsers;
import static io.medallion.table.cdc.CdcTestSupport.dump;
import static io.medallion.table.cdc.CdcTestSupport.engine;
import static io.medallion.table.cdc.CdcTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.table.internal.cdc.CdcResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DLT's documented AUTO CDC examples, out-of-order delivery, replays, tombstones and bad input. */
class CdcEngineTest {
  @TempDir static Path warehouse;
  static SparkSession spark;
  static final AtomicInteger TABLES = new AtomicInteger();

  @BeforeAll
  static void start() {
    spark = CdcTestSupport.spark(warehouse, "cdct");
  }

  static TableName fresh() {
    return TableName.of("cdct", "s", "t" + TABLES.incrementAndGet());
  }

  static final List<String> DLT_SCD1 = List.of("124|Raul|Oaxaca", "125|Mercedes|Guadalajara", "126|Lily|Cancun");
  static final List<String> DLT_SCD2 = List.of(
      "123|Isabel|Chihuahua|5|6",
      "123|Isabel|Monterrey|1|5",
      "124|Raul|Oaxaca|1|null",
      "125|Mercedes|Guadalajara|6|null",
      "125|Mercedes|Mexicali|5|6",
      "125|Mercedes|Tijuana|2|5",
      "126|Lily|Cancun|2|null");

  @Test
  void dltScd1Example() {
    TableName t = fresh();
    CdcResult r = engine(spark, t, dltSpec().build(), USERS).apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, t)).containsExactlyElementsOf(DLT_SCD1);
    assertThat(r.upserts()).isEqualTo(7);
    assertThat(r.deletes()).isEqualTo(1);
  }

  @Test
  void dltScd2Example() {
    TableName t = fresh();
    CdcResult r = engine(spark, t, dltSpec().scdType2().build(), USERS).apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, t)).containsExactlyElementsOf(DLT_SCD2);
    assertThat(r.historyRowsOpened()).isEqualTo(7);
  }

  @Test
  void dltScd2TrackHistoryExceptCityExample() {
    TableName t = fresh();
    CdcSpec spec = dltSpec().scdType2().trackHistoryExceptColumnList(List.of("city")).build();
    engine(spark, t, spec, USERS).apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, t)).containsExactly(
        "123|Isabel|Chihuahua|1|6", "124|Raul|Oaxaca|1|null", "125|Mercedes|Guadalajara|2|null", "126|Lily|Cancun|2|null");
  }

  @Test
  void dltScd2TrackHistoryColumnListExample() {
    TableName t = fresh();
    CdcSpec spec = dltSpec().scdType2().trackHistoryColumnList(List.of("name")).build();
    engine(spark, t, spec, USERS).apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, t)).containsExactly(
        "123|Isabel|Chihuahua|1|6", "124|Raul|Oaxaca|1|null", "125|Mercedes|Guadalajara|2|null", "126|Lily|Cancun|2|null");
  }

  @Test
  void dltScd1TruncateExample() {
    TableName t = fresh();
    List<Row> rows = new ArrayList<>(dltUsers());
    rows.add(RowFactory.create(null, null, null, "TRUNCATE", 3L));
    CdcSpec spec = dltSpec().applyAsTruncates("operation = 'TRUNCATE'").build();
    CdcResult r = engine(spark, t, spec, USERS).apply(frame(spark, rows, USERS), "app", 0);
    // the truncate (sequence 3) removes every row whose last change is at or before 3
    assertThat(dump(spark, t)).containsExactly("125|Mercedes|Guadalajara");
    assertThat(r.truncates()).isEqualTo(1);
  }

  @Test
  void outOfOrderAcrossBatchesEqualsInOrder() {
    TableName scd1 = fresh();
    TableName scd2 = fresh();
    CdcEngine e1 = engine(spark, scd1, dltSpec().build(), USERS);
    CdcEngine e2 = engine(spark, scd2, dltSpec().scdType2().build(), USERS);
    List<Row> reversed = new ArrayList<>(dltUsers());
    java.util.Collections.reverse(reversed);
    long batch = 0;
    for (int i = 0; i < reversed.size(); i += 3) {
      List<Row> part = reversed.subList(i, Math.min(i + 3, reversed.size()));
      e1.apply(frame(spark, part, USERS), "app", batch);
      e2.apply(frame(spark, part, USERS), "app", batch++);
    }
    assertThat(dump(spark, scd1)).containsExactlyElementsOf(DLT_SCD1);
    assertThat(dump(spark, scd2)).containsExactlyElementsOf(DLT_SCD2);
  }

  @Test
  void aReplayedBatchAndRedeliveredChangesCommitNothing() {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().scdType2().build(), USERS);
    e.apply(frame(spark, dltUsers(), USERS), "app", 0);
    long version = DeltaTables.version(spark, t).getAsLong();
    long changes = DeltaTables.version(spark, CdcEngine.changesTable(t)).getAsLong();
    CdcResult replay = e.apply(frame(spark, dltUsers(), USERS), "app", 0);
    CdcResult redelivery = e.apply(frame(spark, dltUsers().subList(2, 5), USERS), "app", 1);
    assertThat(replay.duplicates()).isEqualTo(8);
    assertThat(redelivery.duplicates()).isEqualTo(3);
    assertThat(redelivery.upserts() + redelivery.deletes()).isZero();
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(DeltaTables.version(spark, CdcEngine.changesTable(t)).getAsLong()).isEqualTo(changes);
    assertThat(dump(spark, t)).containsExactlyElementsOf(DLT_SCD2);
  }

  @Test
  void deltaHonoursTxnConfsOnMerge() {
    // the fact the engine's MERGE idempotence rests on (Delta 3.3.3)
    TableName t = fresh();
    spark.sql("CREATE TABLE " + t.quoted() + " (id INT, v INT) USING delta");
    SparkSession clone = spark.cloneSession();
    clone.conf().set("spark.databricks.delta.write.txnAppId", "fact");
    clone.conf().set("spark.databricks.delta.write.txnVersion", "7");
    String merge = "MERGE INTO " + t.quoted() + " t USING (SELECT 1 AS id, 1 AS v) s ON t.id = s.id"
        + " WHEN MATCHED THEN UPDATE SET v = t.v + 1 WHEN NOT MATCHED THEN INSERT *";
    clone.sql(merge);
    clone.conf().set("spark.databricks.delta.write.txnAppId", "fact");
    clone.conf().set("spark.databricks.delta.write.txnVersion", "7");
    clone.sql(merge);
    assertThat(dump(spark, t)).containsExactly("1|1");
    assertThat(spark.conf().getOption("spark.databricks.delta.write.txnAppId").isDefined()).isFalse();
  }

  @Test
  void aDeleteBeforeItsInsertKeepsTheKeyDeletedUntilTheTombstoneExpires() {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().tombstoneRetention(Duration.ofDays(2)).build(), USERS);
    e.apply(frame(spark, List.of(RowFactory.create(1, null, null, "DELETE", 9L)), USERS), "app", 0);
    e.apply(frame(spark, List.of(RowFactory.create(1, "Ann", "Lima", "INSERT", 3L),
        RowFactory.create(2, "Bob", "Oslo", "INSERT", 3L)), USERS), "app", 1);
    assertThat(dump(spark, t)).containsExactly("2|Bob|Oslo");
    assertThat(e.expireTombstones(Instant.now())).isZero();
    assertThat(e.expireTombstones(Instant.now().plus(Duration.ofDays(3)))).isEqualTo(1);
    e.apply(frame(spark, List.of(RowFactory.create(1, "Ann", "Rome", "UPDATE", 4L)), USERS), "app", 2);
    assertThat(dump(spark, t)).containsExactly("1|Ann|Rome", "2|Bob|Oslo");
  }

  @Test
  void ignoreNullUpdatesKeepsValuesEvenWhenTheUpdateArrivesEarly() {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().ignoreNullUpdates().build(), USERS);
    e.apply(frame(spark, List.of(RowFactory.create(1, null, "Oslo", "UPDATE", 3L)), USERS), "app", 0);
    e.apply(frame(spark, List.of(RowFactory.create(1, "Ann", "Lima", "INSERT", 1L)), USERS), "app", 1);
    assertThat(dump(spark, t)).containsExactly("1|Ann|Oslo");
  }

  @Test
  void severalSequenceColumnsOrderLikeAStruct() {
    StructType schema = StructType.fromDDL("id INT, v STRING, ts BIGINT, lsn INT");
    TableName t = fresh();
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of("ts", "lsn")).scdType2().exceptColumnList(List.of("ts", "lsn")).build();
    CdcEngine e = engine(spark, t, spec, schema);
    e.apply(frame(spark, List.of(RowFactory.create(1, "b", 5L, 2), RowFactory.create(1, "a", 5L, 1)), schema), "app", 0);
    assertThat(dump(spark, t)).containsExactly("1|a|[5,1]|[5,2]", "1|b|[5,2]|null");
    assertThat(spark.read().table(t.quoted()).schema().apply(CdcEngine.START).dataType().typeName()).isEqualTo("struct");
  }

  @Test
  void badInputFailsWithNothingWritten() {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().build(), USERS);
    e.apply(frame(spark, List.of(RowFactory.create(1, "Ann", "Lima", "INSERT", 1L)), USERS), "app", 0);
    long version = DeltaTables.version(spark, t).getAsLong();
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(null, "X", "Y", "INSERT", 2L)), USERS), "app", 1))
        .isInstanceOf(MedallionException.class).hasMessageContaining("NULL in key column userId")
        .hasMessageContaining("nothing written");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(2, "X", "Y", "INSERT", null)), USERS), "app", 1))
        .hasMessageContaining("NULL in sequence-by column sequenceNum");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(2, "X", "Y", null, 4L)), USERS), "app", 1))
        .hasMessageContaining("apply-as-deletes (operation = 'DELETE') is NULL").hasMessageContaining("missing Op");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(2, "X", "Y", "INSERT", 4L),
        RowFactory.create(2, "Z", "Y", "UPDATE", 4L)), USERS), "app", 1))
        .hasMessageContaining("key userId=2").hasMessageContaining("sequence value sequenceNum=4");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(1, "Other", "Lima", "UPDATE", 1L)), USERS), "app", 1))
        .hasMessageContaining("key userId=1").hasMessageContaining("sequenceNum=1");
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(dump(spark, t)).containsExactly("1|Ann|Lima");
  }

  @Test
  void specMistakesAreNamedWithTheFix() {
    StructType schema = StructType.fromDDL("id INT, m MAP<STRING, INT>, v STRING");
    assertThatThrownBy(() -> CdcEngine.check(CdcSpec.builder(List.of("id"), List.of("m")).build(), schema, "p.silver.x.cdc"))
        .hasMessageContaining("p.silver.x.cdc.sequence-by").hasMessageContaining("cannot be ordered");
    assertThatThrownBy(() -> CdcEngine.check(CdcSpec.builder(List.of("id"), List.of("v")).columnList(List.of("v", "nope")).build(),
        schema, "p.silver.x.cdc"))
        .hasMessageContaining("p.silver.x.cdc.column-list").hasMessageContaining("[nope]");
    assertThatThrownBy(() -> CdcEngine.check(CdcSpec.builder(List.of("id"), List.of("v")).exceptColumnList(List.of("id")).build(),
        schema, "p.silver.x.cdc")).hasMessageContaining("must keep its keys");
    assertThatThrownBy(() -> CdcSpec.builder(List.of("id"), List.of("v")).scdType2().applyAsTruncates("op = 'T'").build())
        .hasMessageContaining("cdc.apply-as-truncates").hasMessageContaining("SCD type 1 only");
    assertThatThrownBy(() -> CdcSpec.builder(List.of("id"), List.of("v")).columnList(List.of("v")).exceptColumnList(List.of("m")).build())
        .hasMessageContaining("not both");
  }
}
