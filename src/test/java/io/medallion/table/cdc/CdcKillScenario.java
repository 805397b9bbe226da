package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.USERS;
import static io.medallion.table.cdc.CdcTestSupport.dltSpec;
import static io.medallion.table.cdc.CdcTestSupport.dltUsers;
import static io.medallion.table.cdc.CdcTestSupport.dump;
import static io.medallion.table.cdc.CdcTestSupport.engine;
import static io.medallion.table.cdc.CdcTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.HaltingLogStore;
import io.medallion.table.ReplaceKillScenario;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * kill -9 in CDC writes, four scenarios of {@code RunKillTest} ({@code io.medallion.run}), which
 * runs them in one child JVM with its others: the child dies ({@code halt}, no shutdown hooks) right
 * after a commit, and rerunning gives exactly the tables of a run that was not killed. Each
 * scenario has a folder and a catalog of its own under the root it is given.
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
public final class CdcKillScenario {
  private CdcKillScenario() {}

  /** The scenarios, by name. */
  public static final List<String> NAMES = List.of("batch1", "batch0", "snapshot", "removal");

  static final TableName TARGET = TableName.of("cdck", "s", "users");

  /** The second scenario's target: killed in its first batch. */
  static final TableName FIRST = TableName.of("cdck0", "s", "users");

  /** The removal scenario's SCD1 target, and its two batches before the removal. */
  static final TableName REMOVED = TableName.of("cdcsk9", "s", "users");
  static final List<List<Row>> REMOVAL_BATCHES = List.of(
      List.of(CdcStoredChangesTest.u(1, "a", 1), CdcStoredChangesTest.u(2, "x", 2), CdcStoredChangesTest.d(3, 5)),
      List.of(CdcStoredChangesTest.u(1, "b", 3), CdcStoredChangesTest.u(2, "y", 4), CdcStoredChangesTest.u(3, "q", 4)));

  /**
   * The child's part: the four scenarios, each halted right after the commit it names ({@link
   * HaltingLogStore}, armed as it gets there), under {@code root}.
   */
  public static Map<String, Runnable> scenarios(Path root) {
    Map<String, Runnable> scenarios = new LinkedHashMap<>();
    scenarios.put("cdc batch1", () -> batches(root.resolve("batch1"), TARGET, 1));
    scenarios.put("cdc batch0", () -> batches(root.resolve("batch0"), FIRST, 0));
    scenarios.put("cdc snapshot", () -> CdcSnapshotKillScenario.killed(root.resolve("snapshot")));
    scenarios.put("cdc removal", () -> removal(root.resolve("removal")));
    return scenarios;
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

  /** Arms the kill point right after the table's next commit file is written. */
  static void haltAfterNextCommit(SparkSession spark, TableName table) {
    long next = DeltaTables.version(spark, table).getAsLong() + 1;
    HaltingLogStore.arm(deltaLog(spark, table), next, HaltingLogStore.When.AFTER);
  }

  static Path deltaLog(SparkSession spark, TableName table) {
    return Path.of(URI.create(ReplaceKillScenario.location(spark, table))).resolve("_delta_log");
  }

  /** The {@code _delta_log} folder at whose commit the scenario {@code name} (of {@link #NAMES}) halts. */
  public static String haltedIn(Path root, String name) {
    return switch (name) {
      case "batch1" -> deltaLog(CdcTestSupport.spark(root.resolve(name), TARGET.catalog()), TARGET).toString();
      case "batch0" -> deltaLog(CdcTestSupport.spark(root.resolve(name), FIRST.catalog()), FIRST).toString();
      case "snapshot" -> deltaLog(CdcTestSupport.spark(root.resolve(name), CdcSnapshotKillScenario.TARGET.catalog()),
          CdcEngine.changesTable(CdcSnapshotKillScenario.TARGET)).toString();
      case "removal" -> deltaLog(CdcTestSupport.spark(root.resolve(name), REMOVED.catalog()),
          CdcEngine.changesTable(REMOVED)).toString();
      default -> throw new IllegalArgumentException("no CDC kill scenario " + name);
    };
  }

  /** After the kill, the checks of the scenario {@code name} (of {@link #NAMES}). */
  public static void assertTheRerun(Path root, String name) {
    switch (name) {
      case "batch1" -> aRerunAfterKill9InTheMiddleOfABatchGivesTheUnkilledTables(root.resolve(name));
      case "batch0" -> aRerunAfterKill9InTheFirstBatchGivesTheUnkilledTables(root.resolve(name));
      case "snapshot" -> CdcSnapshotKillScenario.assertTheRerunGivesTheUnkilledTable(
          CdcTestSupport.spark(root.resolve(name), CdcSnapshotKillScenario.TARGET.catalog()));
      case "removal" -> aRerunAfterKill9RightAfterTheRemovalsCommitChangesNothing(root.resolve(name));
      default -> throw new IllegalArgumentException("no CDC kill scenario " + name);
    }
  }

  static void aRerunAfterKill9InTheMiddleOfABatchGivesTheUnkilledTables(Path warehouse) {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdck");
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

  static void aRerunAfterKill9InTheFirstBatchGivesTheUnkilledTables(Path warehouse) {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdck0");
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

  static void aRerunAfterKill9RightAfterTheRemovalsCommitChangesNothing(Path warehouse) {
    SparkSession spark = CdcTestSupport.spark(warehouse, REMOVED.catalog());
    TableName changes = CdcEngine.changesTable(REMOVED);
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
}
