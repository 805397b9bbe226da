package io.medallion.stage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.CdcSpec;
import io.medallion.table.DeltaSink;
import io.medallion.table.TableName;
import io.medallion.table.Write;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A small micro-batch of a Delta stream runs interpreted, on the query's own session only; a batch
 * above the threshold, a user's own setting, the threshold 0 and the shared session keep Spark's
 * code generation.
 */
@ExtendWith(MedallionExtension.class)
class SmallBatchCodegenTest {
  /** What {@code choose} answered in a batch, and the batch session's two settings after it. */
  record Seen(boolean interpreted, Optional<String> wholeStage, Optional<String> factoryMode, boolean ownSession) {}

  /** Streams the Delta table at {@code path} once through {@code choose(root, batch)}. */
  private static List<Seen> streamOnce(SparkSession root, String path, String checkpoint) throws Exception {
    List<Seen> seen = new ArrayList<>();
    root.readStream().format("delta").load(path).writeStream()
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          boolean interpreted = SmallBatchCodegen.choose(root, batch, () -> OptionalLong.of(0));
          SparkSession s = batch.sparkSession();
          seen.add(new Seen(interpreted, option(s, SmallBatchCodegen.WHOLE_STAGE), option(s, SmallBatchCodegen.FACTORY_MODE),
              s != root));
          batch.count(); // the batch still computes
        })
        .start().awaitTermination();
    return seen;
  }

  /** {@code choose} for a batch of {@code session} (a stand-in for a query's own), and the session's settings after it. */
  private static Seen choose(SparkSession root, SparkSession session, String table, OptionalLong tablesRead) {
    boolean interpreted = SmallBatchCodegen.choose(root, session.read().format("delta").load(table), () -> tablesRead);
    return new Seen(interpreted, option(session, SmallBatchCodegen.WHOLE_STAGE),
        option(session, SmallBatchCodegen.FACTORY_MODE), session != root);
  }

  private static Optional<String> option(SparkSession s, String key) {
    return s.conf().contains(key) ? Optional.of(s.conf().get(key)) : Optional.empty();
  }

  @Test
  void aSmallBatchRunsInterpretedOnItsQuerysSessionOnly(Lakehouse lake) throws Exception {
    SparkSession root = lake.spark();
    String table = lake.root().resolve("small").toString();
    root.range(0, 100).selectExpr("id", "CAST(id AS STRING) AS v").write().format("delta").save(table);
    // the test kit's session sets both settings itself (as a user would): take them out for this test
    Optional<String> wholeStage = option(root, SmallBatchCodegen.WHOLE_STAGE);
    Optional<String> factoryMode = option(root, SmallBatchCodegen.FACTORY_MODE);
    root.conf().unset(SmallBatchCodegen.WHOLE_STAGE);
    root.conf().unset(SmallBatchCodegen.FACTORY_MODE);
    Seen interpreted = new Seen(true, Optional.of("false"), Optional.of("NO_CODEGEN"), true);
    Seen generated = new Seen(false, Optional.empty(), Optional.empty(), true);
    try {
      // a real stream: its batch's session is the query's own, and the shared one is untouched
      assertThat(streamOnce(root, table, lake.root().resolve("cp1").toString())).containsExactly(interpreted);
      assertThat(option(root, SmallBatchCodegen.WHOLE_STAGE)).as("the shared session is untouched").isEmpty();
      assertThat(option(root, SmallBatchCodegen.FACTORY_MODE)).isEmpty();

      // one session's batches in turn: each larger one puts Spark's defaults back
      SparkSession query = root.newSession();
      assertThat(choose(root, query, table, OptionalLong.of(0))).isEqualTo(interpreted);
      root.conf().set(SmallBatchCodegen.THRESHOLD_CONF, "1"); // above the threshold (1 byte)
      assertThat(choose(root, query, table, OptionalLong.of(0))).isEqualTo(generated);
      root.conf().unset(SmallBatchCodegen.THRESHOLD_CONF);
      assertThat(choose(root, query, table, OptionalLong.of(0))).isEqualTo(interpreted);
      // a small batch whose write scans a large target (a MERGE's), or a target of unknown size
      assertThat(choose(root, query, table, OptionalLong.of(SmallBatchCodegen.DEFAULT_THRESHOLD))).isEqualTo(generated);
      assertThat(choose(root, query, table, OptionalLong.of(0))).isEqualTo(interpreted);
      assertThat(choose(root, query, table, OptionalLong.empty())).isEqualTo(generated);
      // 0 turns the choice off: nothing set
      root.conf().set(SmallBatchCodegen.THRESHOLD_CONF, "0");
      assertThat(choose(root, query, table, OptionalLong.of(0))).isEqualTo(generated);
      root.conf().unset(SmallBatchCodegen.THRESHOLD_CONF);

      // a batch of the shared session (a batch run's) is never switched
      assertThat(SmallBatchCodegen.choose(root, root.read().format("delta").load(table), () -> OptionalLong.of(0))).isFalse();
      assertThat(option(root, SmallBatchCodegen.WHOLE_STAGE)).isEmpty();
    } finally {
      wholeStage.ifPresent(v -> root.conf().set(SmallBatchCodegen.WHOLE_STAGE, v));
      factoryMode.ifPresent(v -> root.conf().set(SmallBatchCodegen.FACTORY_MODE, v));
    }
    // the user's own setting wins: the test kit's, set again, is neither replaced nor removed
    SparkSession query = root.newSession();
    query.conf().set(SmallBatchCodegen.WHOLE_STAGE, "true");
    assertThat(choose(root, query, table, OptionalLong.empty()))
        .isEqualTo(new Seen(false, Optional.of("true"), option(query, SmallBatchCodegen.FACTORY_MODE), true));
    assertThat(choose(root, query, table, OptionalLong.of(0)).interpreted()).isFalse();
  }

  /** What a write reads besides its rows: Delta's own size of each table (DESCRIBE DETAIL), no job. */
  @Test
  void aMergeReadsItsTargetAndACdcWriteItsStoredChangesToo(Lakehouse lake) {
    SparkSession spark = lake.spark();
    WarehouseCatalog.register(spark, "sized", lake.root().resolve("sized").toUri().toString());
    spark.sql("CREATE SCHEMA IF NOT EXISTS sized.s");
    TableName target = TableName.of("sized", "s", "t");
    TableName changes = TableName.of("sized", "s", "t__cdc_changes");
    spark.sql("CREATE TABLE " + target.quoted() + " USING delta AS SELECT id, CAST(id AS STRING) v FROM range(0, 500)");
    spark.sql("CREATE TABLE " + changes.quoted() + " USING delta AS SELECT id FROM range(0, 40)");
    long targetBytes = spark.sql("DESCRIBE DETAIL " + target.quoted()).first().<Long>getAs("sizeInBytes");
    long changesBytes = spark.sql("DESCRIBE DETAIL " + changes.quoted()).first().<Long>getAs("sizeInBytes");
    assertThat(targetBytes).isPositive();
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of("v")).build();

    assertThat(DeltaSink.bytesReadByWrite(spark, target, Write.append())).hasValue(0);
    assertThat(DeltaSink.bytesReadByWrite(spark, target,
        Write.merge(List.of("id"), Optional.empty()))).hasValue(targetBytes);
    assertThat(DeltaSink.bytesReadByWrite(spark, target,
        Write.cdc(spec, "p.silver.t.cdc"))).hasValue(targetBytes + changesBytes);
    // a table that does not exist has no size to tell: unknown
    assertThat(DeltaSink.bytesReadByWrite(spark, TableName.of("sized", "s", "nope"),
        Write.merge(List.of("id"), Optional.empty()))).isEmpty();
  }

  @Test
  void onlyAKnownSizeBelowTheThresholdIsSmall() {
    assertThat(SmallBatchCodegen.interpreted(0, 100)).isTrue();
    assertThat(SmallBatchCodegen.interpreted(99, 100)).isTrue();
    assertThat(SmallBatchCodegen.interpreted(100, 100)).isFalse();
    assertThat(SmallBatchCodegen.interpreted(-1, 100)).as("size unknown (Kafka, Kinesis)").isFalse();
    assertThat(SmallBatchCodegen.threshold("8m")).isEqualTo(SmallBatchCodegen.DEFAULT_THRESHOLD);
    assertThat(SmallBatchCodegen.threshold("4096")).isEqualTo(4096);
    assertThatThrownBy(() -> SmallBatchCodegen.threshold("eight megs"))
        .hasMessage("spark.medallion.interpretedBatchMaxBytes = 'eight megs' is not a size: set it in bytes (8388608)"
            + " or with a unit (8m, 512k), or to 0 to run every micro-batch with Spark's generated code");
  }
}
