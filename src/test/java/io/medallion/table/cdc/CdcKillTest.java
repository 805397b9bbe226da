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
 * kill -9 in the middle of a CDC batch: a child JVM dies ({@code halt}, no shutdown hooks) right
 * after the target's commit and before the companion's append, in batch 1 (a MERGE) or in batch 0
 * (the first batch, appended into the empty target). Rerunning the batch gives exactly the tables of
 * a run that was not killed (the SCD2 rows CdcEngineTest proves for the same two batches). One child
 * runs both scenarios at once, each in a catalog of its own, and halts when both are at their points
 * ({@link HaltingLogStore}).
 */
class CdcKillTest {
  @TempDir static Path warehouse;

  static final TableName TARGET = TableName.of("cdck", "s", "users");

  /** The second scenario's target: killed in its first batch. */
  static final TableName FIRST = TableName.of("cdck0", "s", "users");

  /**
   * The child: both scenarios at once, each halted right after its target's commit in the batch
   * given ({@link HaltingLogStore}): batch 0, then batch 1 (batch 0's commit is the append into the
   * empty target, batch 1's a MERGE). Arguments: for each scenario its warehouse, its catalog and the
   * batch to kill.
   */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      HaltingLogStore.install(args.length / 3);
      Map<String, Runnable> scenarios = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i += 3) {
        Path root = Path.of(args[i]);
        String catalog = args[i + 1];
        int killed = Integer.parseInt(args[i + 2]);
        scenarios.put(catalog, () -> {
          TableName target = TableName.of(catalog, TARGET.schema(), TARGET.table());
          SparkSession spark = CdcTestSupport.spark(root, catalog);
          CdcEngine e = engine(spark, target, dltSpec().scdType2().build(), USERS);
          for (int batch = 0; batch <= killed; batch++) {
            if (batch == killed) {
              haltAfterNextCommit(spark, target);
            }
            e.apply(frame(spark, batch == 0 ? dltUsers() : CdcEngineTest.reversedUsers(1000), USERS), "kill", batch);
          }
        });
      }
      HaltingLogStore.runAll(scenarios);
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

  /** The child that runs both scenarios, and its output. */
  static Process child;
  static Path childLog;

  @BeforeAll
  static void startTheChild() throws Exception {
    Files.createDirectories(warehouse.resolve("first"));
    childLog = warehouse.resolve("child.log");
    child = ChildJvm.start(Child.class, childLog.toFile(),
        warehouse.toString(), "cdck", "1", warehouse.resolve("first").toString(), "cdck0", "0");
  }

  @AfterAll
  static void stopTheChild() {
    if (child != null) { // null when the preparation failed before starting it
      child.destroyForcibly();
    }
  }

  @Test
  void aRerunAfterKill9InTheMiddleOfABatchGivesTheUnkilledTables() throws Exception {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdck");
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
    Path root = warehouse.resolve("first");
    SparkSession spark = CdcTestSupport.spark(root, "cdck0");
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

  /** Waits for the child, which must have halted right after a commit of {@code target}. */
  static void awaitTheKill(SparkSession spark, TableName target) throws Exception {
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(childLog)).isEqualTo(137);
    assertThat(Files.readString(childLog))
        .contains("halting after the commit file:" + Path.of(URI.create(location(spark, target))).resolve("_delta_log") + "/");
  }
}
