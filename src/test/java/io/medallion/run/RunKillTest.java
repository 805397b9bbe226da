package io.medallion.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.gold.GoldKillScenario;
import io.medallion.quality.QuarantineKillScenario;
import io.medallion.table.HaltingLogStore;
import io.medallion.table.ReplaceKillScenario;
import io.medallion.table.cdc.CdcKillScenario;
import io.medallion.testkit.ChildJvm;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 at the commits of a run's writes, each at an exact point: a child JVM runs nine scenarios
 * at once, each in catalogs and folders of its own, and halts ({@code halt}, no shutdown hooks) when
 * all are at their points ({@link HaltingLogStore}: a Delta log store that stops each scenario's
 * thread before or after writing the commit file it names). A cold child JVM costs more than the
 * nine scenarios together, so one serves them all.
 *
 * <ul>
 *   <li>an incremental gold refresh, before and after the gold table's commit ({@link GoldKillScenario});
 *   <li>a small table's full replace (a full gold refresh, a batch table), before and after its
 *       commit ({@link ReplaceKillScenario});
 *   <li>a streaming bronze batch with a quarantine rule, after the target's commit and before the
 *       quarantine's ({@link QuarantineKillScenario});
 *   <li>CDC: a batch after the target's commit and before the companion's (a MERGE, and a first
 *       batch's append), a snapshot after the companion's commit and before the target records the
 *       version, and the removal of superseded stored changes right after its commit ({@link
 *       CdcKillScenario}).
 * </ul>
 *
 * <p>Each test waits for the child, checks it halted at its scenario's commit file, then reruns and
 * checks the tables (the scenarios' classes say what each proves).
 */
class RunKillTest {
  @TempDir static Path root;

  static final Map<String, GoldKillScenario.Kill> GOLD = new HashMap<>();
  static final Map<String, ReplaceKillScenario.Kill> REPLACE = new HashMap<>();

  /** The child that runs the nine scenarios, and its output. */
  static Process child;
  static Path childLog;

  /**
   * The child: the scenarios at once, each halted at its commit. Arguments: root, then for each kill
   * prepared by the parent its kind ({@code gold}, {@code replace} or {@code quarantine}), its when
   * ({@code before} or {@code after}), its table's {@code _delta_log} and the version of the commit
   * to halt at. The CDC scenarios arm their points themselves, under {@code root/cdc}.
   */
  public static final class Child {
    public static void main(String[] args) throws InterruptedException {
      HaltingLogStore.install();
      Path root = Path.of(args[0]);
      Map<String, Runnable> scenarios = new LinkedHashMap<>();
      for (int i = 1; i < args.length; i += 4) {
        String kind = args[i];
        String when = args[i + 1];
        HaltingLogStore.arm(Path.of(args[i + 2]), Long.parseLong(args[i + 3]), HaltingLogStore.When.of(when));
        scenarios.put(kind + " " + when, switch (kind) {
          case "gold" -> () -> GoldKillScenario.refresh(root, when);
          case "replace" -> () -> ReplaceKillScenario.replace(LocalSpark.session(), root, when);
          case "quarantine" -> () -> QuarantineKillScenario.run(root.resolve("quarantine"));
          default -> throw new IllegalArgumentException("no kill scenario " + kind);
        });
      }
      scenarios.putAll(CdcKillScenario.scenarios(root.resolve("cdc")));
      HaltingLogStore.runAll(scenarios);
    }
  }

  /** Prepares the kills that need it, then starts the child that runs them all; each test waits for it. */
  @BeforeAll
  static void startTheChild() throws Exception {
    List<String> args = new ArrayList<>(List.of(root.toString()));
    for (String when : List.of("before", "after")) {
      GoldKillScenario.Kill gold = GoldKillScenario.prepare(root, when);
      GOLD.put(when, gold);
      args.addAll(List.of("gold", when, gold.deltaLog(), String.valueOf(gold.before() + 1)));
      ReplaceKillScenario.Kill replace = ReplaceKillScenario.prepare(LocalSpark.session(), root, when);
      REPLACE.put(when, replace);
      args.addAll(List.of("replace", when, replace.deltaLog(), String.valueOf(replace.version() + 1)));
    }
    QuarantineKillScenario.land(root.resolve("quarantine"));
    args.addAll(List.of("quarantine", "after", QuarantineKillScenario.targetLog(root.resolve("quarantine")).toString(), "1"));
    childLog = root.resolve("child.log");
    child = ChildJvm.start(Child.class, childLog.toFile(), args.toArray(String[]::new));
  }

  @AfterAll
  static void stopTheChild() {
    if (child != null) { // null when the preparation failed before starting it
      child.destroyForcibly();
    }
  }

  @ParameterizedTest(name = "killed {0} the gold commit")
  @ValueSource(strings = {"before", "after"})
  void aRerunAfterKill9InAnIncrementalRefreshEqualsAFullRecomputeAndAFurtherRerunWritesNothing(String when)
      throws Exception {
    GoldKillScenario.Kill kill = GOLD.get(when);
    awaitTheKill(when, kill::deltaLog);
    GoldKillScenario.assertTheRerunEqualsAFullRecompute(kill, when);
  }

  @ParameterizedTest(name = "killed {0} the commit")
  @ValueSource(strings = {"before", "after"})
  void aRerunAfterKill9InAFullReplaceGivesTheNewRowsAndAFurtherRerunChangesNoRow(String when) throws Exception {
    ReplaceKillScenario.Kill kill = REPLACE.get(when);
    awaitTheKill(when, kill::deltaLog);
    ReplaceKillScenario.assertTheRerunsGiveTheNewRows(LocalSpark.session(), kill, when);
  }

  @Test
  void aRerunAfterKill9BetweenTheTargetAndTheQuarantineWritesEachRowOnce() throws Exception {
    awaitTheKill("after", () -> QuarantineKillScenario.targetLog(root.resolve("quarantine")).toString());
    QuarantineKillScenario.assertTheRerunWritesEachRowOnce(root.resolve("quarantine"));
  }

  @Test
  void aRerunAfterKill9InTheMiddleOfACdcBatchGivesTheUnkilledTables() throws Exception {
    cdc("batch1");
  }

  @Test
  void aRerunAfterKill9InTheFirstCdcBatchGivesTheUnkilledTables() throws Exception {
    cdc("batch0");
  }

  @Test
  void aRerunAfterKill9BetweenASnapshotsChangesAndItsVersionRecordGivesTheUnkilledTable() throws Exception {
    cdc("snapshot");
  }

  @Test
  void aRerunAfterKill9RightAfterTheStoredChangesRemovalsCommitChangesNothing() throws Exception {
    cdc("removal");
  }

  /** The CDC scenario {@code name}: halted right after its commit, then its rerun's checks. */
  static void cdc(String name) throws Exception {
    awaitTheKill("after", () -> CdcKillScenario.haltedIn(root.resolve("cdc"), name));
    CdcKillScenario.assertTheRerun(root.resolve("cdc"), name);
  }

  /**
   * Waits for the child, which must have halted {@code when} told at a commit file in {@code
   * deltaLog} (asked once the child is gone).
   */
  static void awaitTheKill(String when, Supplier<String> deltaLog) throws Exception {
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(childLog)).isEqualTo(137);
    assertThat(Files.readString(childLog)).contains("halting " + when + " the commit file:" + deltaLog.get() + "/");
  }
}
