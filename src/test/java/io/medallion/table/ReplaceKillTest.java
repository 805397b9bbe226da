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
 * replace gives the table exactly the new rows, and a further rerun changes no row. Both children
 * run at the same time, each on a table of its own.
 */
class ReplaceKillTest {
  @TempDir static Path root;

  /** The child: the replace, halted at the table's commit. Arguments: root, when, the table's {@code _delta_log}. */
  public static final class Child {
    public static void main(String[] args) {
      System.setProperty("spark.delta.logStore.file.impl", GoldKillTest.HaltingLogStore.class.getName());
      System.setProperty(GoldKillTest.HALT_LOG, args[2]);
      System.setProperty(GoldKillTest.HALT_WHEN, args[1]);
      SparkSession spark = LocalSpark.session();
      TableName t = register(spark, Path.of(args[0]), args[1]);
      DeltaWriter.write(ReplaceTest.rows(spark, 100, 130), t, ReplaceTest.SPEC, Write.replace(), Txn.NONE);
      System.out.println("the replace finished: it was not halted");
    }
  }

  static TableName register(SparkSession spark, Path root, String when) {
    String catalog = "rkill_" + when;
    WarehouseCatalog.register(spark, catalog, root.resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", "t");
  }

  record Kill(TableName table, long version, List<String> rows, Set<String> files, Path log, Process child) {}

  static final Map<String, Kill> KILLS = new HashMap<>();

  /** An existing small table for each kill (created by Delta's replace, then appended to), then both children. */
  @BeforeAll
  static void startBothChildren() throws Exception {
    SparkSession spark = LocalSpark.session();
    for (String when : List.of("before", "after")) {
      TableName t = register(spark, root, when);
      ReplaceTest.fill(spark, t, ReplaceTest.SPEC);
      String deltaLog = Path.of(URI.create(GoldKillTest.location(spark, t))).resolve("_delta_log").toString();
      Path log = root.resolve(when + "-child.log");
      Process child = ChildJvm.start(Child.class, log.toFile(), root.toString(), when, deltaLog);
      KILLS.put(when, new Kill(t, DeltaTables.version(spark, t).getAsLong(), ReplaceTest.contents(spark, t),
          GoldKillTest.dataFiles(spark, t), log, child));
    }
  }

  @AfterAll
  static void stopChildren() {
    KILLS.values().forEach(k -> k.child().destroyForcibly());
  }

  @ParameterizedTest(name = "killed {0} the commit")
  @ValueSource(strings = {"before", "after"})
  void aRerunAfterKill9InAReplaceGivesTheNewRowsAndAFurtherRerunChangesNoRow(String when) throws Exception {
    SparkSession spark = LocalSpark.session();
    Kill kill = KILLS.get(when);
    TableName t = kill.table();
    assertThat(kill.child().waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(kill.child().exitValue()).as(Files.readString(kill.log())).isEqualTo(137);
    assertThat(Files.readString(kill.log())).contains("halting " + when + " the commit");
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
