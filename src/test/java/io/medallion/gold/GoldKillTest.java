package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.run.TableResult;
import io.medallion.table.RefreshState;
import io.medallion.table.HaltingLogStore;
import io.medallion.table.ReplaceKillScenario;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.testkit.ChildJvm;
import io.medallion.testkit.LocalSpark;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 in the middle of an incremental gold refresh: a child JVM runs the gold table after its
 * silver input appended, updated and deleted rows, and dies ({@code halt}, no shutdown hooks) when
 * the refresh commits to the gold table: either <b>before</b> the commit is published (its data
 * files are written, the commit that would add them and record the input versions is not), or
 * <b>after</b> it (the commit, with the input versions it records, is there; the run's event-log
 * rows and its end are not). The kill point is exact: a Delta {@code LogStore} of the child
 * ({@link HaltingLogStore}) stops each refresh around writing its gold table's next commit file.
 *
 * <p>A rerun gives the table a full recompute would give, with a record that matches the input;
 * a further rerun writes nothing. The same child also kills a full refresh's write, before and after
 * its commit ({@link ReplaceKillScenario}). The four kills use catalogs of their own, and one child
 * runs them at once: the JVM halts when all four are at their points (a cold child JVM costs more
 * than the four together).
 */
public class GoldKillTest {
  @TempDir static Path root;

  static final TableRef GOLD = TableRef.parse("gold.daily");
  static final String SQL = "SELECT store, day, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS lo,"
      + " MAX(amount) AS hi, AVG(amount) AS mean, COUNT(DISTINCT customer) AS customers"
      + " FROM {silver.orders} GROUP BY store, day";

  static Environment environment(Path root, String prefix) {
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      catalogs.put(layer, prefix + "_" + layer.key());
    }
    return new Environment("test", Environment.PlatformChoice.OSS, catalogs,
        root.resolve(prefix).resolve("warehouse").toString(), root.resolve(prefix).resolve("checkpoints").toString(),
        root.resolve("landing").toString(), Optional.empty(), Map.of());
  }

  static PipelineDefinition pipeline() {
    return IncrementalGoldTest.pipeline(Map.of("daily", SQL), g -> {});
  }

  /**
   * The child: the gold table's two refreshes and the two replaces at once, each halted at its
   * commit ({@link HaltingLogStore}). Arguments: root, then for each kill its kind ({@code gold} or
   * {@code replace}), its when, its table's {@code _delta_log} and the version of the commit to halt
   * at.
   */
  public static final class Child {
    public static void main(String[] args) throws InterruptedException {
      HaltingLogStore.install((args.length - 1) / 4);
      Path root = Path.of(args[0]);
      Map<String, Runnable> scenarios = new java.util.LinkedHashMap<>();
      for (int i = 1; i < args.length; i += 4) {
        String kind = args[i];
        String when = args[i + 1];
        HaltingLogStore.arm(Path.of(args[i + 2]), Long.parseLong(args[i + 3]), HaltingLogStore.When.of(when));
        scenarios.put(kind + " " + when, kind.equals("replace")
            ? () -> ReplaceKillScenario.replace(LocalSpark.session(), root, when)
            : () -> {
              PipelineDefinition p = pipeline();
              new PipelineRunner(LocalSpark.session(), p, environment(root, "gkill_" + when)).run(IncrementalGoldTest.golds(p));
            });
      }
      HaltingLogStore.runAll(scenarios);
    }
  }

  /** What the parent prepared for one kill, and the child it started. */
  record Kill(PipelineDefinition p, Environment env, TableName silver, TableName gold, long before,
      Set<String> filesBefore, long silverVersion, String deltaLog) {}

  /** The kills by when they happen, each in catalogs of its own. */
  static final Map<String, Kill> KILLS = new java.util.HashMap<>();
  static final Map<String, ReplaceKillScenario.Kill> REPLACES = new java.util.HashMap<>();

  /** The child that runs both kills, and its output. */
  static Process child;
  static Path childLog;

  /**
   * Prepares the four kills (a refresh and a replace, before and after the commit), then starts the
   * child that runs them; each test waits for it.
   */
  @BeforeAll
  static void startTheChild() throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of(root.toString()));
    for (String when : List.of("before", "after")) {
      Kill kill = prepare(when);
      KILLS.put(when, kill);
      args.addAll(List.of("gold", when, kill.deltaLog(), String.valueOf(kill.before() + 1)));
      ReplaceKillScenario.Kill replace = ReplaceKillScenario.prepare(LocalSpark.session(), root, when);
      REPLACES.put(when, replace);
      args.addAll(List.of("replace", when, replace.deltaLog(), String.valueOf(replace.version() + 1)));
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

  /**
   * The gold table refreshed once from 60 rows, then its input appends, updates and deletes rows
   * (so the next refresh is incremental), for the child to start that refresh and halt {@code when}
   * told.
   */
  static Kill prepare(String when) throws IOException {
    SparkSession spark = LocalSpark.session();
    PipelineDefinition p = pipeline();
    String prefix = "gkill_" + when;
    Environment env = environment(root, prefix);
    TableName silver = IncrementalGoldTest.silver(spark, p, env, true);
    Random r = new Random(17);
    IncrementalGoldTest.append(spark, silver, 0, 60, r);
    new PipelineRunner(spark, p, env).run(IncrementalGoldTest.golds(p));
    TableName gold = env.tableName(p, GOLD);
    long before = DeltaTables.version(spark, gold).getAsLong();
    Set<String> filesBefore = dataFiles(spark, gold);

    // The input appends, updates and deletes rows: the next refresh is incremental.
    IncrementalGoldTest.append(spark, silver, 100, 6, r);
    spark.sql("UPDATE " + silver.quoted() + " SET amount = amount + 20 WHERE id % 7 = 3");
    spark.sql("DELETE FROM " + silver.quoted() + " WHERE id % 5 = 1");
    long silverVersion = DeltaTables.version(spark, silver).getAsLong();

    String deltaLog = Path.of(URI.create(location(spark, gold))).resolve("_delta_log").toString();
    return new Kill(p, env, silver, gold, before, filesBefore, silverVersion, deltaLog);
  }

  @ParameterizedTest(name = "killed {0} the gold commit")
  @ValueSource(strings = {"before", "after"})
  void aRerunAfterKill9InAnIncrementalRefreshEqualsAFullRecomputeAndAFurtherRerunWritesNothing(String when)
      throws Exception {
    SparkSession spark = LocalSpark.session();
    Kill kill = KILLS.get(when);
    PipelineDefinition p = kill.p();
    Environment env = kill.env();
    TableName silver = kill.silver();
    TableName gold = kill.gold();
    long before = kill.before();
    Set<String> filesBefore = kill.filesBefore();
    long silverVersion = kill.silverVersion();
    PipelineRunner runner = new PipelineRunner(spark, p, env);
    RunOptions golds = IncrementalGoldTest.golds(p);
    awaitTheKill(when, kill.deltaLog());

    // What the kill left.
    RefreshState recorded = RefreshState.lastRecorded(spark, gold).orElseThrow();
    if (when.equals("before")) {
      assertThat(DeltaTables.version(spark, gold).getAsLong()).as("no commit").isEqualTo(before);
      assertThat(recorded.inputs().get(silver.toString()).version()).isLessThan(silverVersion);
      Set<String> orphans = dataFiles(spark, gold);
      orphans.removeAll(filesBefore);
      orphans.removeAll(referenced(spark, gold));
      assertThat(orphans).as("the killed refresh had written its data files, which no commit adds").isNotEmpty();
    } else {
      assertThat(DeltaTables.version(spark, gold).getAsLong()).as("the refresh's commit").isEqualTo(before + 1);
      assertThat(recorded.inputs().get(silver.toString()).version())
          .as("the commit records the input versions it was computed from").isEqualTo(silverVersion);
      assertThat(spark.sql("DESCRIBE HISTORY " + gold.quoted() + " LIMIT 1").first().<String>getAs("operation"))
          .as("the killed refresh was incremental (a replaceWhere write, not a replace)").isEqualTo("WRITE");
    }
    assertThat(events(spark, env, p, "run_finish")).as("the killed run never finished").hasSize(1);

    // The rerun: from the versions the last commit recorded.
    RunResult rerun = runner.run(golds);
    TableResult result = rerun.table(GOLD).orElseThrow();
    if (when.equals("before")) {
      assertThat(result.note()).startsWith("incremental: ").contains("change data feed");
      assertThat(DeltaTables.version(spark, gold).getAsLong()).isEqualTo(before + 1);
    } else {
      assertThat(result.note()).startsWith("skipped: its inputs did not change since the last refresh");
      assertThat(result.rowsWritten()).isZero();
      assertThat(DeltaTables.version(spark, gold).getAsLong()).isEqualTo(before + 1);
    }
    IncrementalGoldTest.assertEqualsFullRecompute(spark, p, env, "daily", SQL, "rerun after a kill " + when);
    assertThat(RefreshState.lastRecorded(spark, gold).orElseThrow().inputs().get(silver.toString()).version())
        .isEqualTo(silverVersion);
    assertThat(flowStatuses(spark, env, p)).as("the gold table's runs in the event log")
        .containsExactly("COMPLETED", when.equals("before") ? "COMPLETED" : "UNCHANGED");

    // A further rerun writes nothing.
    long version = DeltaTables.version(spark, gold).getAsLong();
    RunResult again = runner.run(golds);
    assertThat(again.table(GOLD).orElseThrow().note()).startsWith("skipped: ");
    assertThat(again.table(GOLD).orElseThrow().rowsWritten()).isZero();
    assertThat(DeltaTables.version(spark, gold).getAsLong()).isEqualTo(version);
    IncrementalGoldTest.assertEqualsFullRecompute(spark, p, env, "daily", SQL, "further rerun after a kill " + when);
    assertThat(events(spark, env, p, "run_finish")).hasSize(3);
  }

  @ParameterizedTest(name = "killed {0} the commit")
  @ValueSource(strings = {"before", "after"})
  void aRerunAfterKill9InAFullReplaceGivesTheNewRowsAndAFurtherRerunChangesNoRow(String when) throws Exception {
    ReplaceKillScenario.Kill kill = REPLACES.get(when);
    awaitTheKill(when, kill.deltaLog());
    ReplaceKillScenario.assertTheRerunsGiveTheNewRows(LocalSpark.session(), kill, when);
  }

  /** Waits for the child, which must have halted {@code when} told at a commit file in {@code deltaLog}. */
  static void awaitTheKill(String when, String deltaLog) throws Exception {
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(childLog)).isEqualTo(137);
    assertThat(Files.readString(childLog)).contains("halting " + when + " the commit file:" + deltaLog + "/");
  }

  public static String location(SparkSession spark, TableName t) {
    String l = spark.sql("DESCRIBE DETAIL " + t.quoted()).first().getAs("location");
    return l.startsWith("file:") ? l : "file://" + l;
  }

  /** The Parquet files in the table's folder, referenced or not. */
  public static Set<String> dataFiles(SparkSession spark, TableName t) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of(URI.create(location(spark, t))))) {
      return files.filter(f -> f.toString().endsWith(".parquet") && !f.toString().contains("_delta_log"))
          .map(f -> f.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  /** The Parquet files the table's current version references. */
  public static Set<String> referenced(SparkSession spark, TableName t) {
    return Stream.of(spark.table(t.quoted()).inputFiles()).map(f -> f.substring(f.lastIndexOf('/') + 1))
        .collect(Collectors.toSet());
  }

  static List<String> events(SparkSession spark, Environment env, PipelineDefinition p, String type) {
    TableName log = TableName.parse(env.eventLogTable(p).orElseThrow().toString());
    return spark.table(log.quoted()).where("event_type = '" + type + "'").select("message")
        .as(Encoders.STRING()).collectAsList();
  }

  /** The statuses of the gold table's {@code flow_progress} events, oldest first. */
  static List<String> flowStatuses(SparkSession spark, Environment env, PipelineDefinition p) {
    TableName log = TableName.parse(env.eventLogTable(p).orElseThrow().toString());
    return spark.table(log.quoted()).where("event_type = 'flow_progress' AND origin.dataset_name = 'gold.daily'")
        .orderBy("timestamp").select("details.flow_progress.status").as(Encoders.STRING()).collectAsList();
  }
}
