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

/**
 * DLT's documented AUTO CDC examples, out-of-order delivery, replays, tombstones and bad input.
 * Every Delta commit costs seconds here, so scenarios share a table where their spec is the same and
 * use disjoint keys.
 */
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

  /** DLT's example feed with every key moved by {@code offset}, newest first (reversed). */
  static List<Row> reversedUsers(int offset) {
    List<Row> out = new ArrayList<>();
    for (Row r : dltUsers()) {
      out.add(0, RowFactory.create(r.getInt(0) + offset, r.get(1), r.get(2), r.get(3), r.get(4)));
    }
    return out;
  }

  static List<String> moved(List<String> rows, int offset) {
    List<String> out = new ArrayList<>();
    for (String r : rows) {
      int bar = r.indexOf('|');
      out.add((Integer.parseInt(r.substring(0, bar)) + offset) + r.substring(bar));
    }
    return out;
  }

  static List<String> union(List<String>... parts) {
    List<String> out = new ArrayList<>();
    for (List<String> p : parts) {
      out.addAll(p);
    }
    java.util.Collections.sort(out);
    return out;
  }

  /**
   * One SCD1 table, its scenarios on disjoint keys: DLT's example in one batch (keys 123-126), the
   * same feed reversed across two batches (keys 1123-1126), a delete before its insert (key 1)
   * until its tombstone expires, then bad input that writes nothing.
   */
  @Test
  void scd1DltExampleOutOfOrderTombstonesAndBadInput() {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().tombstoneRetention(Duration.ofDays(2)).build(), USERS);
    CdcResult r = e.apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, t)).containsExactlyElementsOf(DLT_SCD1);
    assertThat(r.upserts()).isEqualTo(7);
    assertThat(r.deletes()).isEqualTo(1);
    assertThat(r.rowsInserted()).isEqualTo(3);

    List<Row> one = new ArrayList<>(reversedUsers(1000).subList(0, 4));
    one.add(RowFactory.create(1, null, null, "DELETE", 9L));
    List<Row> two = new ArrayList<>(reversedUsers(1000).subList(4, 8));
    two.add(RowFactory.create(1, "Ann", "Lima", "INSERT", 3L));
    two.add(RowFactory.create(2, "Bob", "Oslo", "INSERT", 3L));
    two.add(RowFactory.create(3, null, null, "DELETE", 1L));   // deleted, then inserted again
    two.add(RowFactory.create(3, "Cy", "Nice", "INSERT", 2L));
    e.apply(frame(spark, one, USERS), "app", 1);
    e.apply(frame(spark, two, USERS), "app", 2);
    // the late insert of key 1 stays deleted: the delete at sequence 9 is remembered
    assertThat(dump(spark, t)).containsExactlyElementsOf(
        union(DLT_SCD1, moved(DLT_SCD1, 1000), List.of("2|Bob|Oslo", "3|Cy|Nice")));

    // deleted keys: 123, 1123 and 1; key 3's delete is as old, but its last change is an insert
    assertThat(e.expireTombstones(Instant.now())).isZero();
    assertThat(e.expireTombstones(Instant.now().plus(Duration.ofDays(3)))).isEqualTo(3);
    e.apply(frame(spark, List.of(RowFactory.create(1, "Ann", "Rome", "UPDATE", 4L)), USERS), "app", 3);
    List<String> expected = union(DLT_SCD1, moved(DLT_SCD1, 1000), List.of("1|Ann|Rome", "2|Bob|Oslo", "3|Cy|Nice"));
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);

    long version = DeltaTables.version(spark, t).getAsLong();
    long changes = DeltaTables.version(spark, CdcEngine.changesTable(t)).getAsLong();
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(null, "X", "Y", "INSERT", 2L)), USERS), "app", 4))
        .isInstanceOf(MedallionException.class).hasMessageContaining("NULL in key column userId")
        .hasMessageContaining("nothing written").hasMessageContaining("\"userId\":null")
        .hasMessageContaining("test." + t.table() + ".expectations, e.g. { expr = \"userId IS NOT NULL\", on-violation = quarantine }");
    // the change shows the NULL; the fix names the table's sql and expectations, not its cdc block
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(5, "X", "Y", "INSERT", null)), USERS), "app", 4))
        .hasMessageContaining("NULL in sequence-by column sequenceNum").hasMessageContaining("\"sequenceNum\":null")
        .hasMessageContaining("fill it in test." + t.table() + ".sql (e.g. COALESCE)")
        .hasMessageContaining("test." + t.table() + ".expectations, e.g. { expr = \"sequenceNum IS NOT NULL\"");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(5, "X", "Y", null, 4L)), USERS), "app", 4))
        .hasMessageContaining("apply-as-deletes (operation = 'DELETE') is NULL").hasMessageContaining("missing Op");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(5, "X", "Y", "INSERT", 4L),
        RowFactory.create(5, "Z", "Y", "UPDATE", 4L)), USERS), "app", 4))
        .hasMessageContaining("key userId=5").hasMessageContaining("sequence value sequenceNum=4");
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(2, "Other", "Oslo", "UPDATE", 3L)), USERS), "app", 4))
        .hasMessageContaining("key userId=2").hasMessageContaining("sequenceNum=3");
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(DeltaTables.version(spark, CdcEngine.changesTable(t)).getAsLong()).isEqualTo(changes);
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);
  }

  /**
   * One SCD2 table: DLT's example in one batch (keys 123-126), the same feed reversed across two
   * batches (keys 1123-1126), then a replayed batch and redelivered changes, which commit nothing.
   */
  @Test
  void scd2DltExampleOutOfOrderAndReplays() {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().scdType2().build(), USERS);
    CdcResult r = e.apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, t)).containsExactlyElementsOf(DLT_SCD2);
    assertThat(r.historyRowsOpened()).isEqualTo(7);
    e.apply(frame(spark, reversedUsers(1000).subList(0, 4), USERS), "app", 1);
    e.apply(frame(spark, reversedUsers(1000).subList(4, 8), USERS), "app", 2);
    List<String> expected = union(DLT_SCD2, moved(DLT_SCD2, 1000));
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);

    long version = DeltaTables.version(spark, t).getAsLong();
    long changes = DeltaTables.version(spark, CdcEngine.changesTable(t)).getAsLong();
    CdcResult replay = e.apply(frame(spark, dltUsers(), USERS), "app", 0);
    CdcResult redelivery = e.apply(frame(spark, reversedUsers(1000).subList(2, 5), USERS), "app", 3);
    assertThat(replay.duplicates()).isEqualTo(8);
    assertThat(redelivery.duplicates()).isEqualTo(3);
    assertThat(redelivery.upserts() + redelivery.deletes()).isZero();
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(DeltaTables.version(spark, CdcEngine.changesTable(t)).getAsLong()).isEqualTo(changes);
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);
  }

  /**
   * A batch into a table without rows is appended, not MERGEd: one WRITE commit, the rows in key
   * ranges (files whose key ranges do not overlap), the inserted count right. A later batch whose
   * keys lie in one file's range MERGEs with Delta looking for matches in that file only (of eight),
   * and updates and deletes its rows. A rerun of the first batch
   * that finds none of its changes stored (the companion emptied: the rerun's replay then yields
   * every row as an insert again) is skipped by the same (app id, batch) check, now on the MERGE
   * path: the target keeps its version and rows.
   */
  @Test
  void aFirstBatchIsAppendedInKeyRangesItsRerunChangesNothingAndAMergeReadsItsRangeOnly() throws Exception {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().build(), USERS);
    List<Row> rows = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int id = 1; id <= 400; id++) {
      rows.add(RowFactory.create(id, "n" + id, "c" + id, "INSERT", 1L));
      rows.add(RowFactory.create(id, "n" + id, "c" + id + "b", "UPDATE", 2L));
      expected.add(id + "|n" + id + "|c" + id + "b");
    }
    rows.add(RowFactory.create(401, null, null, "DELETE", 3L)); // a tombstone: nothing to write
    java.util.Collections.shuffle(rows, random);
    java.util.Collections.sort(expected);
    // a batch larger than the advisory partition size (below it, one file and no ranges: the next
    // test), but less than eight times it: the fewest ranges, eight
    String advisory = spark.conf().get(ADVISORY);
    spark.conf().set(ADVISORY, "32k");
    CdcResult r;
    try {
      r = e.apply(frame(spark, rows, USERS), "app", 0);
    } finally {
      spark.conf().set(ADVISORY, advisory);
    }
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);
    assertThat(r.rowsInserted()).isEqualTo(400);
    assertThat(r.rowsUpdated() + r.rowsDeleted()).isZero();
    long version = DeltaTables.version(spark, t).getAsLong();
    List<Row> history = spark.sql("DESCRIBE HISTORY " + t.quoted()).where("version = " + version)
        .select("operation").collectAsList();
    assertThat(history.get(0).getString(0)).isEqualTo("WRITE");
    // each file's key range (from its statistics), in order: none overlaps the next
    List<Row> ranges = fileRanges(t);
    assertThat(ranges).hasSize(CdcEngine.MIN_RANGES);
    for (int i = 1; i < ranges.size(); i++) {
      assertThat(ranges.get(i).getInt(0)).as("file %d starts after file %d ends: %s", i, i - 1, ranges)
          .isGreaterThan(ranges.get(i - 1).getInt(1));
    }

    // the stored changes of the first batch are in key ranges as well
    TableName companion = CdcEngine.changesTable(t);
    List<Row> storedRanges = fileRanges(companion);
    assertThat(storedRanges).hasSize(CdcEngine.MIN_RANGES);
    for (int i = 1; i < storedRanges.size(); i++) {
      assertThat(storedRanges.get(i).getInt(0)).as("stored file %d starts after %d ends: %s", i, i - 1, storedRanges)
          .isGreaterThan(storedRanges.get(i - 1).getInt(1));
    }

    // a later batch on keys of one range: its MERGE looks for matches in that range's file only
    // (the batch's key range is a target-only condition, which Delta's file skipping uses), and
    // its pass reads the stored changes of that range's file only
    List<Row> later = List.of(RowFactory.create(130, "n130", "moved", "UPDATE", 4L),
        RowFactory.create(120, "n120", "moved", "UPDATE", 4L), RowFactory.create(140, null, null, "DELETE", 4L));
    List<Long> storedFilesRead = new ArrayList<>();
    MergeFiles merge = MergeFiles.during(spark, () -> {
      try {
        storedFilesRead.addAll(FilesRead.during(spark, companion, () -> e.apply(frame(spark, later, USERS), "app", 1)));
      } catch (java.util.concurrent.TimeoutException timeout) {
        throw new IllegalStateException(timeout);
      }
    });
    assertThat(merge.before).isEqualTo(CdcEngine.MIN_RANGES);
    assertThat(merge.after).isEqualTo(1);
    assertThat(storedFilesRead).as("files read by each scan of the stored changes").containsExactly(1L);
    expected.replaceAll(line -> line.startsWith("130|") ? "130|n130|moved" : line.startsWith("120|") ? "120|n120|moved" : line);
    expected.remove("140|n140|c140b");
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);

    // the next batch's keys move a little (121-141 against 120-140): its bounds, widened to the same
    // grid (a step of 2 for these spans), are the same literals, so Spark reuses the classes it
    // compiled for the previous MERGE; the MERGE still looks in that range's file only
    List<Row> next = List.of(RowFactory.create(121, "n121", "again", "UPDATE", 5L),
        RowFactory.create(141, "n141", "again", "UPDATE", 5L));
    MergeFiles nextMerge = MergeFiles.during(spark, () -> e.apply(frame(spark, next, USERS), "app", 2));
    assertThat(nextMerge.after).isEqualTo(1);
    List<String> predicates = spark.sql("DESCRIBE HISTORY " + t.quoted()).where("operation = 'MERGE'")
        .orderBy("version").select("operationParameters.predicate").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList().stream().map(p -> p.replaceAll("#\\d+", "")).toList();
    assertThat(predicates).hasSize(2).allMatch(p -> p.contains("userId >= 120") && p.contains("userId <= 141"), "bounds 120 and 141");
    assertThat(predicates.get(1)).isEqualTo(predicates.get(0));
    expected.replaceAll(line -> line.startsWith("121|") ? "121|n121|again" : line.startsWith("141|") ? "141|n141|again" : line);
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);

    // the first batch again, its changes no longer stored: skipped by its (app id, batch)
    version = DeltaTables.version(spark, t).getAsLong();
    spark.sql("DELETE FROM " + CdcEngine.changesTable(t).quoted());
    CdcResult rerun = e.apply(frame(spark, rows, USERS), "app", 0);
    assertThat(rerun.rowsInserted() + rerun.rowsUpdated() + rerun.rowsDeleted()).isZero();
    assertThat(DeltaTables.version(spark, t).getAsLong()).isEqualTo(version);
    assertThat(dump(spark, t)).containsExactlyElementsOf(expected);
  }

  /**
   * Date and decimal keys get bounds written as SQL literals, which still match the rows they must
   * (a wrong literal fails the MERGE or inserts a second row); a string key gets none, so its
   * values (often names or e-mail addresses) stay out of the MERGE's condition, which Delta records
   * in the table's history and Spark in its plans and event log.
   */
  @Test
  void dateAndDecimalKeysAreBoundedAndStringKeysStayOutOfTheCondition() throws Exception {
    TableName t = fresh();
    StructType schema = StructType.fromDDL(
        "day DATE, amount DECIMAL(10,2), name STRING, city STRING, operation STRING, sequenceNum BIGINT");
    CdcSpec spec = CdcSpec.builder(List.of("day", "amount", "name"), List.of("sequenceNum"))
        .applyAsDeletes("operation = 'DELETE'").exceptColumnList(List.of("operation", "sequenceNum")).build();
    CdcEngine e = engine(spark, t, spec, schema);
    java.sql.Date d1 = java.sql.Date.valueOf("2024-01-15");
    java.sql.Date d2 = java.sql.Date.valueOf("2024-02-29");
    java.math.BigDecimal a1 = new java.math.BigDecimal("12.50");
    java.math.BigDecimal a2 = new java.math.BigDecimal("99999.99");
    e.apply(frame(spark, List.of(RowFactory.create(d1, a1, "O'Brien", "Cork", "INSERT", 1L),
        RowFactory.create(d2, a2, "back\\slash", "Oslo", "INSERT", 1L),
        RowFactory.create(d2, a1, "Zoe", "Rome", "INSERT", 1L)), schema), "app", 0);
    e.apply(frame(spark, List.of(RowFactory.create(d1, a1, "O'Brien", "Dublin", "UPDATE", 2L),
        RowFactory.create(d2, a2, "back\\slash", null, "DELETE", 2L)), schema), "app", 1);
    assertThat(dump(spark, t)).containsExactly("2024-01-15|12.50|O'Brien|Dublin", "2024-02-29|12.50|Zoe|Rome");
    String predicate = spark.sql("DESCRIBE HISTORY " + t.quoted()).where("operation = 'MERGE'")
        .select("operationParameters.predicate").first().getString(0);
    assertThat(predicate).contains("day").contains("amount").doesNotContain("O'Brien").doesNotContain("slash");
  }

  static final String ADVISORY = "spark.sql.adaptive.advisoryPartitionSizeInBytes";

  /**
   * A first batch smaller than adaptive execution's advisory partition size is not written in key
   * ranges: neither its rows nor its stored changes (no range's sampling job and shuffle, a fixed
   * cost that one file would not repay), and a later batch then reads every stored change.
   */
  @Test
  void aSmallFirstBatchIsNotWrittenInKeyRanges() throws Exception {
    TableName t = fresh();
    CdcEngine e = engine(spark, t, dltSpec().build(), USERS);
    List<Row> rows = new ArrayList<>();
    for (int id = 1; id <= 400; id++) {
      rows.add(RowFactory.create(id, "n" + id, "c" + id, "INSERT", 1L));
    }
    String partitions = spark.conf().get("spark.sql.shuffle.partitions");
    String coalesce = spark.conf().get("spark.sql.adaptive.coalescePartitions.enabled");
    spark.conf().set("spark.sql.shuffle.partitions", "4");
    spark.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "false");
    try {
      e.apply(frame(spark, rows, USERS), "app", 0); // ~40 KB against the default 64 MB
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", partitions);
      spark.conf().set("spark.sql.adaptive.coalescePartitions.enabled", coalesce);
    }
    for (TableName written : List.of(t, CdcEngine.changesTable(t))) {
      List<Row> ranges = fileRanges(written);
      assertThat(ranges).as("%s: %s", written, ranges).isNotEmpty()
          .anyMatch(f -> f.getInt(0) <= 10 && f.getInt(1) >= 390); // a file of every range
    }
    List<Long> read = FilesRead.during(spark, CdcEngine.changesTable(t),
        () -> e.apply(frame(spark, List.of(RowFactory.create(7, "n7", "moved", "UPDATE", 2L)), USERS), "app", 1));
    assertThat(read).containsExactly((long) fileRanges(CdcEngine.changesTable(t)).size() - 1);
    assertThat(dump(spark, t)).contains("7|n7|moved").hasSize(400);
  }

  /** Each file's {@code userId} range [lo, hi] in {@code t}'s latest version, from its statistics, by lo. */
  static List<Row> fileRanges(TableName t) {
    return DeltaTables.deltaLog(spark, t).update(false, scala.Option.empty(), scala.Option.empty()).allFiles()
        .selectExpr("from_json(stats, 'minValues STRUCT<userId: INT>, maxValues STRUCT<userId: INT>') AS s")
        .selectExpr("s.minValues.userId AS lo", "s.maxValues.userId AS hi").orderBy("lo").collectAsList();
  }

  /** The files each scan of {@code table} read during an action (Spark's "number of files read"), in order. */
  static final class FilesRead {
    static List<Long> during(SparkSession spark, TableName table, Runnable action)
        throws java.util.concurrent.TimeoutException {
      String folder = "/" + table.table() + "/";
      List<Long> read = java.util.Collections.synchronizedList(new ArrayList<>());
      org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
        @Override
        public void onOtherEvent(org.apache.spark.scheduler.SparkListenerEvent event) {
          if (event instanceof org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd end && end.qe() != null) {
            scans(end.qe().executedPlan(), folder, read);
          }
        }
      };
      spark.sparkContext().addSparkListener(listener);
      try {
        action.run();
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } finally {
        spark.sparkContext().removeSparkListener(listener);
      }
      return read;
    }

    private static void scans(org.apache.spark.sql.execution.SparkPlan plan, String folder, List<Long> read) {
      if (plan instanceof org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec a) {
        plan = a.executedPlan();
      }
      if (plan instanceof org.apache.spark.sql.execution.adaptive.QueryStageExec q) {
        plan = q.plan();
      }
      if (plan instanceof org.apache.spark.sql.execution.FileSourceScanExec f
          && (f.relation().location().rootPaths().mkString(",") + "/").contains(folder)) {
        read.add(f.metrics().apply("numFiles").value());
      }
      for (org.apache.spark.sql.execution.SparkPlan child : scala.collection.JavaConverters.seqAsJavaList(plan.children())) {
        scans(child, folder, read);
      }
    }
  }

  /** The target files a MERGE run during an action considered, before and after Delta's file skipping. */
  record MergeFiles(long before, long after) {
    static MergeFiles during(SparkSession spark, Runnable action) throws java.util.concurrent.TimeoutException {
      java.util.concurrent.atomic.AtomicReference<MergeFiles> seen = new java.util.concurrent.atomic.AtomicReference<>();
      org.apache.spark.sql.util.QueryExecutionListener listener = new org.apache.spark.sql.util.QueryExecutionListener() {
        @Override
        public void onSuccess(String funcName, org.apache.spark.sql.execution.QueryExecution qe, long durationNs) {
          org.apache.spark.sql.execution.SparkPlan plan = qe.executedPlan();
          if (plan instanceof org.apache.spark.sql.execution.CommandResultExec r) {
            plan = r.commandPhysicalPlan();
          }
          if (plan instanceof org.apache.spark.sql.execution.command.ExecutedCommandExec c
              && c.cmd() instanceof org.apache.spark.sql.delta.commands.MergeIntoCommand m) {
            seen.set(new MergeFiles(m.metrics().apply("numTargetFilesBeforeSkipping").value(),
                m.metrics().apply("numTargetFilesAfterSkipping").value()));
          }
        }

        @Override
        public void onFailure(String funcName, org.apache.spark.sql.execution.QueryExecution qe, Exception e) {}
      };
      spark.listenerManager().register(listener);
      try {
        action.run();
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } finally {
        spark.listenerManager().unregister(listener);
      }
      assertThat(seen.get()).as("a MERGE ran").isNotNull();
      return seen.get();
    }
  }

  @Test
  void dltScd2TrackHistoryExamples() {
    // track_history_except_column_list = ["city"] and track_history_column_list = ["name"]: same table
    List<String> expected = List.of(
        "123|Isabel|Chihuahua|1|6", "124|Raul|Oaxaca|1|null", "125|Mercedes|Guadalajara|2|null", "126|Lily|Cancun|2|null");
    TableName except = fresh();
    engine(spark, except, dltSpec().scdType2().trackHistoryExceptColumnList(List.of("city")).build(), USERS)
        .apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, except)).containsExactlyElementsOf(expected);
    TableName only = fresh();
    engine(spark, only, dltSpec().scdType2().trackHistoryColumnList(List.of("name")).build(), USERS)
        .apply(frame(spark, dltUsers(), USERS), "app", 0);
    assertThat(dump(spark, only)).containsExactlyElementsOf(expected);
  }

  @Test
  void dltScd1TruncateExample() {
    TableName t = fresh();
    List<Row> rows = new ArrayList<>(dltUsers());
    rows.add(RowFactory.create(null, null, null, "TRUNCATE", 3L));
    CdcSpec spec = dltSpec().applyAsTruncates("operation = 'TRUNCATE'").build();
    CdcResult r = engine(spark, t, spec, USERS).apply(frame(spark, rows, USERS), "app", 0);
    // DLT documents: 124 and 126 are truncated (sequence 3), 123 is deleted (6), 125 remains
    assertThat(dump(spark, t)).containsExactly("125|Mercedes|Guadalajara");
    assertThat(r.truncates()).isEqualTo(1);
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
  void aRejectedChangeIsShownWithItsNullsAndItsSecretLookingColumnsMasked() {
    StructType schema = StructType.fromDDL("id INT, api_token STRING, v STRING, seq BIGINT");
    TableName t = fresh();
    CdcEngine e = engine(spark, t, CdcSpec.builder(List.of("id"), List.of("seq")).build(), schema);
    assertThatThrownBy(() -> e.apply(frame(spark, List.of(RowFactory.create(7, "tok-9f8e7d", "x", null)), schema), "app", 0))
        .hasMessageContaining("NULL in sequence-by column seq")
        .hasMessageContaining("{\"id\":7,\"api_token\":\"***\",\"v\":\"x\",\"seq\":null}")
        .hasMessageNotContaining("tok-9f8e7d");
  }

  @Test
  void specMistakesAreNamedWithTheFix() {
    StructType schema = StructType.fromDDL("id INT, m MAP<STRING, INT>, v STRING");
    assertThatThrownBy(() -> CdcEngine.check(CdcSpec.builder(List.of("id"), List.of("m")).build(), schema, "p.silver.x.cdc"))
        .hasMessageContaining("p.silver.x.sequence-by: column m").hasMessageContaining("cannot be ordered");
    assertThatThrownBy(() -> CdcEngine.check(CdcSpec.builder(List.of("id"), List.of("v")).columnList(List.of("id", "v", "nope")).build(),
        schema, "p.silver.x.cdc"))
        .hasMessageContaining("p.silver.x.cdc.column-list").hasMessageContaining("[nope]");
    // a key left out of the target is refused by the spec itself (at load, with the config line)
    assertThatThrownBy(() -> CdcSpec.builder(List.of("id"), List.of("v")).exceptColumnList(List.of("id")).build())
        .hasMessageContaining("cdc.except-column-list: leaves out the key column(s) [id]: a CDC target keeps its keys");
    assertThatThrownBy(() -> CdcEngine.check(CdcSpec.builder(List.of("id"), List.of("v")).build(),
        StructType.fromDDL("id INT, v STRING, __start_at BIGINT"), "p.silver.x.cdc"))
        .hasMessageContaining("p.silver.x: the input has a column named __START_AT")
        .hasMessageContaining("rename it in p.silver.x.sql");
    // conditions: a column the input lacks, bad SQL, a non-condition, an unknown function are named
    // by validate and before a CDC table is created, not at its first batch
    assertThat(conditionError("Opp = 'D'", null))
        .hasMessageContaining("p.silver.x.cdc.apply-as-deletes = \"Opp = 'D'\" does not resolve")
        .hasMessageContaining("`Opp`").hasMessageContaining("the input has [id, op, v, m]");
    assertThat(conditionError(null, "op = 'T' OR t.x = 1"))
        .hasMessageContaining("p.silver.x.cdc.apply-as-truncates = \"op = 'T' OR t.x = 1\" does not resolve");
    assertThat(conditionError("op = = 'D'", null))
        .hasMessageContaining("p.silver.x.cdc.apply-as-deletes = \"op = = 'D'\" is not a SQL condition");
    assertThat(conditionError("op", null))
        .hasMessageContaining("p.silver.x.cdc.apply-as-deletes = \"op\" is STRING, not a condition");
    assertThat(conditionError(null, "no_such_function(op)"))
        .hasMessageContaining("p.silver.x.cdc.apply-as-truncates = \"no_such_function(op)\" does not resolve");
    // what resolves passes: any case, functions, a map's entries, lambda variables
    CdcEngine.checkConditions(spark, CdcSpec.builder(List.of("id"), List.of("v")).applyAsDeletes("upper(OP) = 'D'"
        + " OR m['op'] = 1 OR exists(map_keys(m), k -> k = 'deleted')").applyAsTruncates("op = 'T'").build(),
        CONDITION_INPUT, "p.silver.x.cdc");
    assertThatThrownBy(() -> CdcSpec.builder(List.of("id"), List.of("v")).scdType2().applyAsTruncates("op = 'T'").build())
        .hasMessageContaining("cdc.apply-as-truncates").hasMessageContaining("SCD type 1 only");
    assertThatThrownBy(() -> CdcSpec.builder(List.of("id"), List.of("v")).columnList(List.of("v")).exceptColumnList(List.of("m")).build())
        .hasMessageContaining("not both");
  }

  private static final StructType CONDITION_INPUT = StructType.fromDDL("id INT, op STRING, v STRING, m MAP<STRING, INT>");

  /** The error of checking these conditions (null: not set) over {@link #CONDITION_INPUT}. */
  private static Throwable conditionError(String deletes, String truncates) {
    CdcSpec.Builder spec = CdcSpec.builder(List.of("id"), List.of("v"));
    if (deletes != null) {
      spec.applyAsDeletes(deletes);
    }
    if (truncates != null) {
      spec.applyAsTruncates(truncates);
    }
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(
        () -> CdcEngine.checkConditions(spark, spec.build(), CONDITION_INPUT, "p.silver.x.cdc"));
    assertThat(t).as("the check fails").isInstanceOf(io.medallion.MedallionException.class);
    return t;
  }
}
