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
import io.medallion.testkit.LocalSpark;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * kill -9 in the middle of an incremental gold refresh, two scenarios of {@code RunKillTest}
 * ({@code io.medallion.run}), which runs them in one child JVM with its others: the child runs the
 * gold table after its silver input appended, updated and deleted rows, and dies ({@code halt}, no
 * shutdown hooks) when the refresh commits to the gold table: either <b>before</b> the commit is
 * published (its data files are written, the commit that would add them and record the input
 * versions is not), or <b>after</b> it (the commit, with the input versions it records, is there;
 * the run's event-log rows and its end are not). The kill point is exact: a Delta {@code LogStore}
 * of the child ({@link HaltingLogStore}) stops each refresh around writing its gold table's next
 * commit file.
 *
 * <p>A rerun gives the table a full recompute would give, with a record that matches the input;
 * a further rerun writes nothing. Each kill uses catalogs of its own.
 */
public final class GoldKillScenario {
  private GoldKillScenario() {}

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

  /** The child's part: the gold table's refresh for the kill {@code when}, to be halted at its commit. */
  public static void refresh(Path root, String when) {
    PipelineDefinition p = pipeline();
    new PipelineRunner(LocalSpark.session(), p, environment(root, "gkill_" + when)).run(IncrementalGoldTest.golds(p));
  }

  /** What the parent prepared for one kill. */
  public record Kill(PipelineDefinition p, Environment env, TableName silver, TableName gold, long before,
      Set<String> filesBefore, long silverVersion, String deltaLog) {}

  /**
   * The gold table refreshed once from 60 rows, then its input appends, updates and deletes rows
   * (so the next refresh is incremental), for the child to start that refresh and halt {@code when}
   * told: the parent's part.
   */
  public static Kill prepare(Path root, String when) throws IOException {
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
    Set<String> filesBefore = ReplaceKillScenario.dataFiles(spark, gold);

    // The input appends, updates and deletes rows: the next refresh is incremental.
    IncrementalGoldTest.append(spark, silver, 100, 6, r);
    spark.sql("UPDATE " + silver.quoted() + " SET amount = amount + 20 WHERE id % 7 = 3");
    spark.sql("DELETE FROM " + silver.quoted() + " WHERE id % 5 = 1");
    long silverVersion = DeltaTables.version(spark, silver).getAsLong();

    String deltaLog = Path.of(URI.create(ReplaceKillScenario.location(spark, gold))).resolve("_delta_log").toString();
    return new Kill(p, env, silver, gold, before, filesBefore, silverVersion, deltaLog);
  }

  /**
   * After the kill: what it left, then the rerun gives the table of a full recompute with a record
   * that matches the input, and a further rerun writes nothing.
   */
  public static void assertTheRerunEqualsAFullRecompute(Kill kill, String when) throws IOException {
    SparkSession spark = LocalSpark.session();
    PipelineDefinition p = kill.p();
    Environment env = kill.env();
    TableName silver = kill.silver();
    TableName gold = kill.gold();
    long before = kill.before();
    Set<String> filesBefore = kill.filesBefore();
    long silverVersion = kill.silverVersion();
    PipelineRunner runner = new PipelineRunner(spark, p, env);
    RunOptions golds = IncrementalGoldTest.golds(p);

    // What the kill left.
    RefreshState recorded = RefreshState.lastRecorded(spark, gold).orElseThrow();
    if (when.equals("before")) {
      assertThat(DeltaTables.version(spark, gold).getAsLong()).as("no commit").isEqualTo(before);
      assertThat(recorded.inputs().get(silver.toString()).version()).isLessThan(silverVersion);
      Set<String> orphans = ReplaceKillScenario.dataFiles(spark, gold);
      orphans.removeAll(filesBefore);
      orphans.removeAll(ReplaceKillScenario.referenced(spark, gold));
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
