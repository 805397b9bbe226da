package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.USERS;
import static io.medallion.table.cdc.CdcTestSupport.dltSpec;
import static io.medallion.table.cdc.CdcTestSupport.dltUsers;
import static io.medallion.table.cdc.CdcTestSupport.dump;
import static io.medallion.table.cdc.CdcTestSupport.engine;
import static io.medallion.table.cdc.CdcTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.HaltingLogStore;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.testkit.ChildJvm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in CDC writes: a child JVM dies ({@code halt}, no shutdown hooks) right after a commit,
 * and rerunning gives exactly the tables of a run that was not killed. Four scenarios, each in a
 * catalog of its own, run at once in one child, which halts when all are at their points ({@link
 * HaltingLogStore}; a cold child JVM costs more than the four scenarios together):
 *
 * <ul>
 *   <li>a CDC batch, after the target's commit and before the companion's append, in batch 1 (a
 *       MERGE) or in batch 0 (the first batch, appended into the empty target); the SCD2 rows are
 *       those CdcEngineTest proves for the same two batches;
 *   <li>a snapshot ({@link CdcSnapshotKillScenario}), after the companion's commit and before the
 *       target records the snapshot version;
 *   <li>the removal of superseded stored changes ({@code CdcStoredChangesTest}), right after its
 *       commit.
 * </ul>
 */
class CdcKillTest {
  @TempDir static Path warehouse;

  static final TableName TARGET = TableName.of("cdck", "s", "users");

  /** The second scenario's target: killed in its first batch. */
  static final TableName FIRST = TableName.of("cdck0", "s", "users");

  /** The removal scenario's SCD1 target, and its two batches before the removal. */
  static final TableName REMOVED = TableName.of("cdcsk9", "s", "users");
  static final List<List<org.apache.spark.sql.Row>> REMOVAL_BATCHES = List.of(
      List.of(CdcStoredChangesTest.u(1, "a", 1), CdcStoredChangesTest.u(2, "x", 2), CdcStoredChangesTest.d(3, 5)),
      List.of(CdcStoredChangesTest.u(1, "b", 3), CdcStoredChangesTest.u(2, "y", 4), CdcStoredChangesTest.u(3, "q", 4)));

  /**
   * The child: the four scenarios at once, each halted right after the commit it names ({@link
   * HaltingLogStore}). Argument: the warehouse root (each scenario has a folder of its own in it).
   */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      HaltingLogStore.install(4);
      Map<String, Runnable> scenarios = new LinkedHashMap<>();
      scenarios.put("batch 1", () -> batches(root.resolve("batch1"), TARGET, 1));
      scenarios.put("batch 0", () -> batches(root.resolve("batch0"), FIRST, 0));
      scenarios.put("snapshot", () -> CdcSnapshotKillScenario.killed(root.resolve("snapshot")));
      scenarios.put("removal", () -> removal(root.resolve("removal")));
      HaltingLogStore.runAll(scenarios);
    }

    /** CDC batches 0 to {@code killed} into {@code target}, halted after its commit in batch {@code killed}. */
    static void batches(Path warehouse, TableName target, int killed) {
      SparkSession spark = CdcTestSupport.spark(warehouse, target.catalog());
      CdcEngine e = engine(spark, target, dltSpec().scdType2().build(), USERS);
      for (int batch = 0; batch <= killed; batch++) {
        if (batch == killed) {
          haltAfterNextCommit(spark, target);
        }
        e.apply(frame(spark, batch == 0 ? dltUsers() : CdcEngineTest.reversedUsers(1000), USERS), "kill", batch);
      }
    }

    /** Two batches, then the removal of superseded stored changes, halted right after its commit. */
    static void removal(Path warehouse) {
      SparkSession spark = CdcTestSupport.spark(warehouse, REMOVED.catalog());
      CdcEngine e = engine(spark, REMOVED, CdcStoredChangesTest.spec().build(), CdcStoredChangesTest.SCHEMA);
      for (int b = 0; b < REMOVAL_BATCHES.size(); b++) {
        e.apply(spark.createDataFrame(REMOVAL_BATCHES.get(b), CdcStoredChangesTest.SCHEMA), "st", b);
      }
      haltAfterNextCommit(spark, CdcEngine.changesTable(REMOVED));
      CdcEngine.removeSupersededChanges(spark, REMOVED, CdcStoredChangesTest.spec().build());
    }
  }

  /** Arms the kill point right after the table's next commit file is written. */
  static void haltAfterNextCommit(SparkSession spark, TableName table) {
    long next = DeltaTables.version(spark, table).getAsLong() + 1;
    HaltingLogStore.arm(Path.of(URI.create(location(spark, table))).resolve("_delta_log"), next,
        HaltingLogStore.When.AFTER);
  }

  static String location(SparkSession spark, TableName t) {
    String l = spark.sql("DESCRIBE DETAIL " + t.quoted()).first().getAs("location");
    return l.startsWith("file:") ? l : "file://" + l;
  }

  /** The child that runs the four scenarios, and its output. */
  static Process child;
  static Path childLog;

  @BeforeAll
  static void startTheChild() throws Exception {
    childLog = warehouse.resolve("child.log");
    child = ChildJvm.start(Child.class, childLog.toFile(), warehouse.toString());
  }

  @AfterAll
  static void stopTheChild() {
    if (child != null) { // null when the preparation failed before starting it
      child.destroyForcibly();
    }
  }

  @Test
  void aRerunAfterKill9InTheMiddleOfABatchGivesTheUnkilledTables() throws Exception {
    SparkSession spark = CdcTestSupport.spark(warehouse.resolve("batch1"), "cdck");
    awaitTheKill(spark, TARGET);
    TableName changes = CdcEngine.changesTable(TARGET);
    // the kill fell between the two commits: the target has batch 1, the companion does not
    assertThat(spark.read().table(changes.quoted()).count()).isEqualTo(8);
    assertThat(dump(spark, TARGET)).hasSize(14);
    long version = DeltaTables.version(spark, TARGET).getAsLong();

    CdcEngine e = engine(spark, TARGET, dltSpec().scdType2().build(), USERS);
    e.apply(frame(spark, CdcEngineTest.reversedUsers(1000), USERS), "kill", 1);
    List<String> unkilled = CdcEngineTest.union(CdcEngineTest.DLT_SCD2, CdcEngineTest.moved(CdcEngineTest.DLT_SCD2, 1000));
    assertThat(dump(spark, TARGET)).containsExactlyElementsOf(unkilled);
    assertThat(DeltaTables.version(spark, TARGET).getAsLong()).as("the MERGE is not redone").isEqualTo(version);
    assertThat(spark.read().table(changes.quoted()).count()).isEqualTo(16);
  }

  @Test
  void aRerunAfterKill9InTheFirstBatchGivesTheUnkilledTables() throws Exception {
    SparkSession spark = CdcTestSupport.spark(warehouse.resolve("batch0"), "cdck0");
    awaitTheKill(spark, FIRST);
    TableName changes = CdcEngine.changesTable(FIRST);
    // the kill fell between the two commits: the target has batch 0, appended; the companion nothing
    assertThat(spark.read().table(changes.quoted()).count()).isZero();
    List<String> firstBatch = dump(spark, FIRST);
    assertThat(firstBatch).isNotEmpty();
    long version = DeltaTables.version(spark, FIRST).getAsLong();

    CdcEngine e = engine(spark, FIRST, dltSpec().scdType2().build(), USERS);
    e.apply(frame(spark, dltUsers(), USERS), "kill", 0);
    assertThat(DeltaTables.version(spark, FIRST).getAsLong()).as("the append is not redone").isEqualTo(version);
    assertThat(dump(spark, FIRST)).containsExactlyElementsOf(firstBatch);
    assertThat(spark.read().table(changes.quoted()).count()).isEqualTo(8);

    e.apply(frame(spark, CdcEngineTest.reversedUsers(1000), USERS), "kill", 1);
    List<String> unkilled = CdcEngineTest.union(CdcEngineTest.DLT_SCD2, CdcEngineTest.moved(CdcEngineTest.DLT_SCD2, 1000));
    assertThat(dump(spark, FIRST)).containsExactlyElementsOf(unkilled);
    assertThat(spark.read().table(changes.quoted()).count()).isEqualTo(16);
  }

  @Test
  void aRerunAfterKill9BetweenTheChangesAndTheVersionRecordGivesTheUnkilledTable() throws Exception {
    SparkSession spark = CdcTestSupport.spark(warehouse.resolve("snapshot"), CdcSnapshotKillScenario.TARGET.catalog());
    awaitTheKill(spark, CdcEngine.changesTable(CdcSnapshotKillScenario.TARGET));
    CdcSnapshotKillScenario.assertTheRerunGivesTheUnkilledTable(spark);
  }

  @Test
  void aRerunAfterKill9RightAfterTheRemovalsCommitChangesNothing() throws Exception {
    SparkSession spark = CdcTestSupport.spark(warehouse.resolve("removal"), REMOVED.catalog());
    TableName changes = CdcEngine.changesTable(REMOVED);
    awaitTheKill(spark, changes);
    // the kill fell after the removal's one commit: it is all there
    assertThat(dump(spark.read().table(changes.quoted()).select("id", "seq", "__op")))
        .containsExactly("1|3|U", "2|4|U", "3|5|D");
    long stored = DeltaTables.version(spark, changes).getAsLong();
    long target = DeltaTables.version(spark, REMOVED).getAsLong();
    // the rerun (maintain again) removes nothing and commits nothing; a replayed batch neither
    assertThat(CdcEngine.removeSupersededChanges(spark, REMOVED, CdcStoredChangesTest.spec().build())).hasValue(0);
    CdcEngine e = engine(spark, REMOVED, CdcStoredChangesTest.spec().build(), CdcStoredChangesTest.SCHEMA);
    e.apply(spark.createDataFrame(REMOVAL_BATCHES.get(1), CdcStoredChangesTest.SCHEMA), "st", 1);
    assertThat(DeltaTables.version(spark, changes)).hasValue(stored);
    assertThat(DeltaTables.version(spark, REMOVED)).hasValue(target);
    assertThat(dump(spark, REMOVED)).containsExactly("1|b", "2|y");
  }

  /** Waits for the child, which must have halted right after a commit of {@code target}. */
  static void awaitTheKill(SparkSession spark, TableName target) throws Exception {
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(childLog)).isEqualTo(137);
    assertThat(Files.readString(childLog))
        .contains("halting after the commit file:" + Path.of(URI.create(location(spark, target))).resolve("_delta_log") + "/");
  }
}
