package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.USERS;
import static io.medallion.table.cdc.CdcTestSupport.dltSpec;
import static io.medallion.table.cdc.CdcTestSupport.dltUsers;
import static io.medallion.table.cdc.CdcTestSupport.dump;
import static io.medallion.table.cdc.CdcTestSupport.engine;
import static io.medallion.table.cdc.CdcTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.testkit.ChildJvm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a CDC batch: a child JVM dies ({@code halt}, no shutdown hooks) right
 * after the target's commit and before the companion's append, in batch 1 (a MERGE) or in batch 0
 * (the first batch, appended into the empty target). Rerunning the batch gives exactly the tables of
 * a run that was not killed (the SCD2 rows CdcEngineTest proves for the same two batches).
 */
class CdcKillTest {
  @TempDir static Path warehouse;

  static final TableName TARGET = TableName.of("cdck", "s", "users");

  /** The second scenario's target: killed in its first batch. */
  static final TableName FIRST = TableName.of("cdck0", "s", "users");

  /**
   * The child ({@code warehouse catalog batch}): batch 0, then batch 1, the given batch killed after
   * the target's commit (batch 0's is the append into the empty target, batch 1's a MERGE).
   */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      TableName target = TableName.of(args[1], TARGET.schema(), TARGET.table());
      int killed = Integer.parseInt(args[2]);
      SparkSession spark = CdcTestSupport.spark(Path.of(args[0]), args[1]);
      CdcEngine e = engine(spark, target, dltSpec().scdType2().build(), USERS);
      Thread watcher = killed == 0 ? haltAfterNextCommit(spark, target) : null;
      e.apply(frame(spark, dltUsers(), USERS), "kill", 0);
      watcher = killed == 1 ? haltAfterNextCommit(spark, target) : watcher;
      e.apply(frame(spark, CdcEngineTest.reversedUsers(1000), USERS), "kill", 1);
      watcher.join();
    }
  }

  /**
   * Starts a thread that halts this JVM (exit 137, no shutdown hooks, like kill -9) as soon as the
   * table's next commit file exists; join it after starting the write.
   */
  static Thread haltAfterNextCommit(SparkSession spark, TableName table) {
    long next = DeltaTables.version(spark, table).getAsLong() + 1;
    Path log = Path.of(URI.create(location(spark, table))).resolve("_delta_log")
        .resolve(String.format("%020d.json", next));
    Thread watcher = new Thread(() -> {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!Files.exists(log) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      }
      System.out.println("halting after " + log);
      Runtime.getRuntime().halt(137);
    });
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  static String location(SparkSession spark, TableName t) {
    String l = spark.sql("DESCRIBE DETAIL " + t.quoted()).first().getAs("location");
    return l.startsWith("file:") ? l : "file://" + l;
  }

  @Test
  void aRerunAfterKill9InTheMiddleOfABatchGivesTheUnkilledTables() throws Exception {
    killChild(warehouse, "cdck", 1);

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

  @Test
  void aRerunAfterKill9InTheFirstBatchGivesTheUnkilledTables() throws Exception {
    Path root = warehouse.resolve("first");
    killChild(root, "cdck0", 0);

    SparkSession spark = CdcTestSupport.spark(root, "cdck0");
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

  /** Runs the child on {@code root}, killed in {@code batch}, and checks it died where told. */
  static void killChild(Path root, String catalog, int batch) throws Exception {
    Files.createDirectories(root);
    Path log = root.resolve("child-" + batch + ".log");
    Process child = ChildJvm.start(Child.class, log.toFile(), root.toString(), catalog, String.valueOf(batch));
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(log)).isEqualTo(137);
  }
}
