package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.gold.GoldKillTest;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.DeltaWriter;
import io.medallion.testkit.ChildJvm;
import io.medallion.testkit.LocalSpark;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 in a small table's full replace ({@code ChecksumOverwrite.replace}: a full gold
 * recompute, a batch table): a child JVM replaces the rows of an existing table and dies
 * ({@code halt}, no shutdown hooks) <b>before</b> its commit file is written (the new rows' data
 * files are) or right <b>after</b> it. Before: the table is as it was, the written files are
 * referenced by no commit. After: the table has the new rows. Either way the rerun of the same
 * replace gives the table exactly the new rows, and a further rerun changes no row. One child runs
 * both replaces at once, each on a table of its own, and halts when both are at their points ({@link
 * HaltingLogStore}).
 */
class ReplaceKillTest {
  @TempDir static Path root;

  /**
   * The child: both replaces at once, each halted at its table's commit ({@link HaltingLogStore}).
   * Arguments: root, then for each kill its when, its table's {@code _delta_log} and the version of
   * the commit to halt at.
   */
  public static final class Child {
    public static void main(String[] args) throws InterruptedException {
      HaltingLogStore.install((args.length - 1) / 3);
      SparkSession spark = LocalSpark.session();
      Map<String, Runnable> scenarios = new java.util.LinkedHashMap<>();
      for (int i = 1; i < args.length; i += 3) {
        String when = args[i];
        HaltingLogStore.arm(Path.of(args[i + 1]), Long.parseLong(args[i + 2]), HaltingLogStore.When.of(when));
        TableName t = register(spark, Path.of(args[0]), when);
        scenarios.put(when, () ->
            DeltaWriter.write(ReplaceTest.rows(spark, 100, 130), t, ReplaceTest.SPEC, Write.replace(), Txn.NONE));
      }
      HaltingLogStore.runAll(scenarios);
    }
  }

  static TableName register(SparkSession spark, Path root, String when) {
    String catalog = "rkill_" + when;
    WarehouseCatalog.register(spark, catalog, root.resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", "t");
  }

  record Kill(TableName table, long version, List<String> rows, Set<String> files, String deltaLog) {}

  static final Map<String, Kill> KILLS = new HashMap<>();

  /** The child that runs both kills, and its output. */
  static Process child;
  static Path childLog;

  /** An existing small table for each kill (created by Delta's replace, then appended to), then the child. */
  @BeforeAll
  static void startTheChild() throws Exception {
    SparkSession spark = LocalSpark.session();
    List<String> args = new java.util.ArrayList<>(List.of(root.toString()));
    for (String when : List.of("before", "after")) {
      TableName t = register(spark, root, when);
      ReplaceTest.fill(spark, t, ReplaceTest.SPEC);
      String deltaLog = Path.of(URI.create(GoldKillTest.location(spark, t))).resolve("_delta_log").toString();
      long version = DeltaTables.version(spark, t).getAsLong();
      KILLS.put(when, new Kill(t, version, ReplaceTest.contents(spark, t), GoldKillTest.dataFiles(spark, t), deltaLog));
      args.addAll(List.of(when, deltaLog, String.valueOf(version + 1)));
    }
    childLog = root.resolve("child.log");
    child = ChildJvm.start(Child.class, childLog.toFile(), args.toArray(String[]::new));
  }

  @AfterAll
  static void stopTheChild() {
    if (child != null) { // null when the preparation failed before starting it
      child.destroyForcibly();
    }
  }

  @ParameterizedTest(name = "killed {0} the commit")
  @ValueSource(strings = {"before", "after"})
  void aRerunAfterKill9InAReplaceGivesTheNewRowsAndAFurtherRerunChangesNoRow(String when) throws Exception {
    SparkSession spark = LocalSpark.session();
    Kill kill = KILLS.get(when);
    TableName t = kill.table();
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(childLog)).isEqualTo(137);
    assertThat(Files.readString(childLog)).contains("halting " + when + " the commit file:" + kill.deltaLog() + "/");
    List<String> expected = ReplaceTest.rows(spark, 100, 130).collectAsList().stream()
        .map(org.apache.spark.sql.Row::toString).sorted().toList();

    // What the kill left.
    if (when.equals("before")) {
      assertThat(DeltaTables.version(spark, t).getAsLong()).as("no commit").isEqualTo(kill.version());
      assertThat(ReplaceTest.contents(spark, t)).isEqualTo(kill.rows());
      Set<String> orphans = GoldKillTest.dataFiles(spark, t);
      orphans.removeAll(kill.files());
      orphans.removeAll(GoldKillTest.referenced(spark, t));
      assertThat(orphans).as("the killed replace had written its data files, which no commit adds").isNotEmpty();
    } else {
      assertThat(DeltaTables.version(spark, t).getAsLong()).as("the replace's commit").isEqualTo(kill.version() + 1);
      assertThat(ReplaceTest.contents(spark, t)).isEqualTo(expected);
      assertThat(spark.sql("DESCRIBE HISTORY " + t.quoted() + " LIMIT 1").first().<String>getAs("operation"))
          .as("the child's replace was the one-transaction overwrite").isEqualTo("WRITE");
    }

    // The rerun, then a further one: the new rows, once each.
    for (String run : List.of("rerun", "further rerun")) {
      DeltaWriter.write(ReplaceTest.rows(spark, 100, 130), t, ReplaceTest.SPEC, Write.replace(), Txn.NONE);
      assertThat(ReplaceTest.contents(spark, t)).as(run + " after a kill " + when).isEqualTo(expected);
    }
  }
}
