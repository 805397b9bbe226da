package io.medallion.pipeline;

import io.medallion.MedallionException;
import io.medallion.eventlog.EventLog;
import io.medallion.platform.Platform;
import io.medallion.stage.Stage;
import io.medallion.stage.StageContext;
import io.medallion.stage.StageRun;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.TableFeatures;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline's tables in dependency order in one environment.
 *
 * <p>Tables with a terminating trigger (available-now, once) and batch tables run one after
 * another; tables with a processing-time trigger are started and the run then waits until one of
 * them stops (a failure stops the run with that table's error). The session is never stopped.
 */
public final class PipelineRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);

  private final SparkSession spark;
  private final PipelineDefinition pipeline;
  private final Environment env;
  private final Platform platform;
  private final StageContext ctx;

  /** A runner on the platform the environment chooses (detected when {@code platform = auto}). */
  public PipelineRunner(SparkSession spark, PipelineDefinition pipeline, Environment env) {
    this(spark, pipeline, env, Platform.choose(env.platform(), System.getenv()));
  }

  /** A runner on an explicit platform. */
  public PipelineRunner(SparkSession spark, PipelineDefinition pipeline, Environment env, Platform platform) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.env = env;
    this.platform = platform;
    this.ctx = new StageContext(spark, pipeline, env, platform);
  }

  /** The three-level name of a table of the pipeline in this environment. */
  public TableName tableName(TableRef ref) {
    return env.tableName(pipeline, ref);
  }

  /**
   * Runs the tables the options select.
   *
   * @throws MedallionException naming the failed table; tables that finished before it keep their
   *     results, tables after it do not run
   */
  public RunResult run(RunOptions options) {
    checkKnown(options.only(), "--only");
    checkKnown(options.fullRefresh(), "--full-refresh");
    platform.prepareCatalogs(spark, env);
    List<TableDefinition> selected =
        pipeline.topologicalOrder().stream().filter(t -> options.includes(t.ref())).toList();
    if (selected.stream().anyMatch(t -> !t.quality().isEmpty())) {
      validate(); // a rule naming an unknown column fails here, before any data moves
    }
    for (TableDefinition t : selected) {
      if (!options.fullRefresh().contains(t.ref())) {
        checkFeatures(t, java.util.Optional.empty()); // a breaking layout change fails before any data moves
      }
    }
    EventLog events = EventLog.open(spark, pipeline, env);
    String runId = EventLog.newRunId();
    StageContext runCtx = new StageContext(spark, pipeline, env, events, runId, platform);
    List<String> names = selected.stream().map(t -> t.ref().toString()).toList();
    events.runStarted(runId, names, options.fullRefresh().stream().map(TableRef::toString).sorted().toList());
    Instant start = Instant.now();
    List<TableResult> results = new ArrayList<>();
    TableRef current = null;
    try {
      for (TableRef ref : withStreamingDependents(options.fullRefresh())) {
        fullRefresh(ref, !options.fullRefresh().contains(ref), options.listener());
      }
      List<StageRun> continuous = new ArrayList<>();
      for (TableDefinition table : selected) {
        current = table.ref();
        LOG.info("Running {} ({})", table.ref(), tableName(table.ref()));
        StageRun run = Stage.of(table).run(runCtx);
        if (run.continuous()) {
          continuous.add(run);
        } else {
          finished(run.await(), results, options.listener());
        }
      }
      current = null;
      if (!continuous.isEmpty()) {
        awaitContinuous(continuous, results, options.listener());
      }
    } catch (RuntimeException e) {
      events.runFailed(runId, names, Duration.between(start, Instant.now()).toMillis(), e,
          current == null ? null : current.toString());
      throw e;
    }
    RunResult result = new RunResult(results);
    events.runFinished(runId, names, Duration.between(start, Instant.now()).toMillis(),
        String.join("; ", results.stream().map(TableResult::summary).toList()));
    return result;
  }

  private static void finished(TableResult result, List<TableResult> results, RunListener listener) {
    LOG.info(result.summary());
    results.add(result);
    listener.tableFinished(result);
  }

  private void awaitContinuous(List<StageRun> runs, List<TableResult> results, RunListener listener) {
    try {
      spark.streams().awaitAnyTermination();
    } catch (StreamingQueryException e) {
      // The failed query's own await() below reports it with the table's name.
    }
    for (StageRun run : runs) {
      finished(run.await(), results, listener);
    }
  }

  /**
   * Checks every table without moving data: each source is opened, each SQL statement is analyzed
   * against the catalog (inputs bound to the plans of the tables before it), and keys and partition
   * columns are checked against the resulting columns.
   *
   * @return the columns each table would have
   * @throws MedallionException at the first problem, naming the table and the config path
   */
  public Map<TableRef, StructType> validate() {
    platform.prepareCatalogs(spark, env);
    Map<TableRef, Dataset<Row>> planned = new LinkedHashMap<>();
    Map<TableRef, StructType> schemas = new LinkedHashMap<>();
    for (TableDefinition table : pipeline.topologicalOrder()) {
      Dataset<Row> rows = Stage.of(table).plan(ctx, planned::get);
      StructType schema = rows.schema();
      Stage.checkQuality(ctx, table, rows);
      checkColumns(table, schema, table.spec().partitionBy(), "partition-by");
      if (table instanceof SilverTable silver) {
        checkColumns(table, schema, silver.keys(), "keys");
        silver.sequenceBy().ifPresent(s -> checkColumns(table, schema, List.of(s), "sequence-by"));
      }
      checkFeatures(table, table instanceof GoldTable ? java.util.Optional.empty() : java.util.Optional.of(schema));
      planned.put(table.ref(), rows);
      schemas.put(table.ref(), schema);
    }
    return schemas;
  }

  private void checkColumns(TableDefinition table, StructType schema, List<String> columns, String key) {
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String column : columns) {
      if (names.stream().noneMatch(n -> n.equalsIgnoreCase(column))) {
        throw new MedallionException(
            pipeline.origin() + ": pipeline." + table.ref() + "." + key + ": column '" + column
                + "' is not produced by " + table.ref() + ". Its columns are " + names
                + ". Name one of them, or add the column to the table's SQL.");
      }
    }
  }

  private void checkFeatures(TableDefinition table, java.util.Optional<StructType> schema) {
    List<String> keys = table instanceof SilverTable s ? s.keys() : List.of();
    TableName name = tableName(table.ref());
    List<String> problems = TableFeatures.breaking(spark, name, table.spec(), schema, keys);
    if (!problems.isEmpty()) {
      throw TableFeatures.breakingError(table.ref().toString(), name, problems);
    }
  }

  private void checkKnown(Set<TableRef> refs, String option) {
    for (TableRef ref : refs) {
      if (pipeline.table(ref).isEmpty()) {
        throw new MedallionException(
            option + " " + ref + ": pipeline '" + pipeline.name() + "' has no such table. Its tables: "
                + pipeline.tables().stream().map(TableDefinition::ref).toList());
      }
    }
  }

  /** The tables to refresh: those asked for, plus streaming tables that read them incrementally. */
  private Set<TableRef> withStreamingDependents(Set<TableRef> asked) {
    Set<TableRef> all = new LinkedHashSet<>(asked);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (TableDefinition t : pipeline.topologicalOrder()) {
        if (t instanceof SilverTable s && s.execution() == Execution.STREAMING
            && all.contains(s.from()) && all.add(s.ref())) {
          grew = true;
        }
      }
    }
    return all;
  }

  private void fullRefresh(TableRef ref, boolean cascaded, RunListener listener) {
    TableName name = tableName(ref);
    String checkpoint = env.checkpointOf(pipeline, ref);
    DeltaTables.drop(spark, name);
    DeltaTables.drop(spark, ctx.quarantineOf(ref));
    try {
      Path path = new Path(checkpoint);
      FileSystem fs = path.getFileSystem(spark.sessionState().newHadoopConf());
      fs.delete(path, true);
    } catch (IOException e) {
      throw new MedallionException(
          "Full refresh of " + ref + ": dropped " + name + " but could not delete its checkpoint "
              + checkpoint + ": " + e.getMessage() + ". Delete it by hand before the next run.", e);
    }
    LOG.warn(
        "Full refresh of {}{}: dropped table {} and deleted checkpoint {}; it is recomputed from its"
            + " full input",
        ref, cascaded ? " (it reads a refreshed table incrementally)" : "", name, checkpoint);
    listener.fullRefreshed(ref, name, checkpoint, cascaded);
  }
}
