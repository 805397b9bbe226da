package io.medallion.run;

import io.medallion.internal.DaemonThreads;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.MedallionException;
import io.medallion.eventlog.EventLog;
import io.medallion.config.Defaults;
import io.medallion.config.NameCollisions;
import io.medallion.internal.ActiveSession;
import io.medallion.internal.RunLock;
import io.medallion.internal.SparkRedaction;
import io.medallion.eventlog.FlowProgress;
import io.medallion.quality.QualityMetrics;
import io.medallion.run.internal.TableScheduler;
import io.medallion.run.internal.UnchangedInputs;
import io.medallion.platform.Platform;
import io.medallion.stage.Stage;
import io.medallion.stage.StageContext;
import io.medallion.stage.StageRun;
import io.medallion.table.TableName;
import io.medallion.table.DeltaSink;
import io.medallion.table.TableFeatures;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
    NameCollisions.check(pipeline, env);
    SparkRedaction.apply(spark);
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
    // The tables this run writes: runs of other tables of the pipeline may go on beside it.
    Set<String> written = new java.util.TreeSet<>();
    pipeline.tables().stream().filter(t -> options.includes(t.ref())).forEach(t -> written.add(t.ref().toString()));
    withStreamingDependents(options.fullRefresh()).forEach(r -> written.add(r.toString()));
    try (RunLock lock = RunLock.acquire(spark.sessionState().newHadoopConf(), env.checkpointRoot(),
        pipeline.name(), written, Defaults.reference().runLockStaleAfter(), RunLock.Activity.RUN)) {
      return activeSession(() -> runLocked(options));
    }
  }

  /**
   * Runs {@code work} with this runner's session as the thread's active one (Spark resolves
   * catalogs registered at runtime through the active session's settings): a run or validate
   * called from a thread that has none, or another session, finds its catalogs all the same.
   */
  private <T> T activeSession(java.util.function.Supplier<T> work) {
    return ActiveSession.with(spark, work);
  }

  private RunResult runLocked(RunOptions options) {
    platform.prepareCatalogs(spark, env);
    List<TableDefinition> selected =
        pipeline.topologicalOrder().stream().filter(t -> options.includes(t.ref())).toList();
    // The event log first: its table's creation and first commit run on its own thread while the
    // checks below and the tables run here. A check that fails is recorded as the run's failure.
    EventLog events = EventLog.open(spark, pipeline, env).observedBy(options.listener()::batchFinished);
    String runId = EventLog.newRunId();
    StageContext runCtx = new StageContext(spark, pipeline, env, events, runId, platform);
    List<String> names = selected.stream().map(t -> t.ref().toString()).toList();
    events.runStarted(runId, names, options.fullRefresh().stream().map(TableRef::toString).sorted().toList());
    Instant start = Instant.now();
    List<TableResult> results = new ArrayList<>();
    TableRef[] current = {null};
    List<StageRun> continuous = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      Stage.checkSettings(spark);
      checkInputsWritten(selected);
      UnchangedInputs unchanged = new UnchangedInputs(spark, pipeline, env);
      if (selected.stream().anyMatch(PipelineRunner::checkedAgainstItsColumns) && !unchanged.validatedBefore()) {
        // a rule or CDC option naming an unknown column fails here, before any data moves
        validate(false, options.fullRefresh());
        unchanged.recordValidated();
      }
      for (TableDefinition t : selected) {
        if (!options.fullRefresh().contains(t.ref())) {
          checkFeatures(t, java.util.Optional.empty()); // a breaking layout change fails before any data moves
        }
      }
      for (TableRef ref : withStreamingDependents(options.fullRefresh())) { // before anything is dropped
        ResetPolicy.check(pipeline.table(ref).orElseThrow(), options.resetAllowed(), pipeline.origin());
      }
      for (TableRef ref : withStreamingDependents(options.fullRefresh())) {
        fullRefresh(ref, !options.fullRefresh().contains(ref), options.listener());
      }
      // One thread per ready table (independent tables overlap), at most maxConcurrentTables of
      // them; a failure stops the run as before.
      TableScheduler.run(spark.sparkContext(), selected, options.concurrency(selected.size()), table -> {
        Instant tableStart = Instant.now();
        Optional<UnchangedInputs.State> before = unchanged.before(table);
        if (before.isPresent() && unchanged.unchanged(table, before.get())) {
          skipped(table, tableStart, events, runId, results, options.listener());
          return;
        }
        LOG.info("Running {} ({})", table.ref(), tableName(table.ref()));
        SourcePaths.check(spark, table, pipeline.origin(), false);
        StageRun run = Stage.of(table).run(runCtx);
        if (run.continuous()) {
          continuous.add(run);
        } else {
          finished(TableResult.of(run.await()), results, options.listener());
          before.ifPresent(b -> unchanged.record(table, b));
        }
      }, (ref, e) -> current[0] = ref);
      if (!continuous.isEmpty()) {
        events.checkReady(); // a run that never finishes learns here that its event log cannot be written
        awaitContinuous(continuous, results, options.listener());
      }
    } catch (RuntimeException e) {
      stopAll(continuous); // a table failed while continuous ones ran: none of them outlives the run
      events.runFailed(runId, names, Duration.between(start, Instant.now()).toMillis(), e,
          current[0] == null ? null : current[0].toString());
      throw e;
    }
    results.sort(java.util.Comparator.comparingInt(r -> names.indexOf(r.ref().toString())));
    RunResult result = new RunResult(results);
    events.runFinished(runId, names, Duration.between(start, Instant.now()).toMillis(),
        String.join("; ", results.stream().map(TableResult::summary).toList()));
    return result;
  }

  /**
   * A table with settings that name its input's columns (rules, a change feed's CDC block), checked
   * by {@link #validate()}. A snapshot CDC table checks each snapshot version as it applies it,
   * before it writes, and names the version.
   */
  private static boolean checkedAgainstItsColumns(TableDefinition t) {
    return !t.quality().isEmpty() || t instanceof SilverTable s && s.cdc().filter(c -> !c.snapshots()).isPresent();
  }

  private static void finished(TableResult result, List<TableResult> results, RunListener listener) {
    LOG.info(result.summary());
    synchronized (results) { // tables finish on their own threads; the listener hears one at a time
      results.add(result);
      listener.tableFinished(result);
    }
  }

  /** A table whose inputs did not change since its last successful run: not recomputed. */
  private void skipped(
      TableDefinition table, Instant start, EventLog events, String runId, List<TableResult> results,
      RunListener listener) {
    TableName name = tableName(table.ref());
    TableResult r = new TableResult(table.ref(), name, 0, 0, Duration.between(start, Instant.now()),
        QualityMetrics.none(), UNCHANGED_NOTE);
    events.flowProgress(runId, new FlowProgress(table.ref(), name, OptionalLong.empty(), start, Instant.now(),
        "UNCHANGED", 0, 0, QualityMetrics.none(), Optional.empty()));
    finished(r, results, listener);
  }

  /** The note of a skipped table's line. */
  public static final String UNCHANGED_NOTE =
      "skipped: its inputs and definition are as at its last successful run; --full-refresh recomputes it";

  /**
   * Waits for the run's continuous tables, each on its own thread: the first failure, whichever
   * table it is, stops the others and is thrown, so that no stream of the run writes on after the
   * run has ended and released its tables' locks.
   */
  private void awaitContinuous(List<StageRun> runs, List<TableResult> results, RunListener listener) {
    java.util.concurrent.ExecutorService waiters = java.util.concurrent.Executors.newFixedThreadPool(runs.size(),
        DaemonThreads.numbered("medallion-continuous-table-"));
    java.util.concurrent.CompletionService<TableResult> ended = new java.util.concurrent.ExecutorCompletionService<>(waiters);
    runs.forEach(run -> ended.submit(() -> TableResult.of(run.await())));
    RuntimeException failure = null;
    try {
      for (int i = 0; i < runs.size(); i++) {
        try {
          finished(ended.take().get(), results, listener);
        } catch (java.util.concurrent.ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
              : RunErrors.continuousTableFailed(e.getCause());
          if (failure == null) {
            failure = cause;
            stopAll(runs);
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopAll(runs);
      throw RunErrors.interruptedWhileContinuous(e);
    } finally {
      waiters.shutdownNow();
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Stops the streams of a run's tables that are still running (each table's own query). */
  private static void stopAll(List<StageRun> runs) {
    synchronized (runs) {
      runs.forEach(StageRun::stop);
    }
  }

  /**
   * Checks every table without moving data: each source is opened, each SQL statement is analyzed
   * against the catalog (inputs bound to the columns of the tables before it), and keys and partition
   * columns are checked against the resulting columns.
   *
   * @return the columns each table would have
   * @throws MedallionException at the first problem, naming the table and the config path
   */
  public Map<TableRef, StructType> validate() {
    return activeSession(() -> validate(true, Set.of()));
  }

  /**
   * {@link #validate()}; {@code refreshed} are tables the run drops and recomputes, whose layout
   * changes are not refused.
   */
  private Map<TableRef, StructType> validate(boolean missingPathsFail, Set<TableRef> refreshed) {
    platform.prepareCatalogs(spark, env);
    Stage.checkSettings(spark);
    Map<TableRef, Dataset<Row>> planned = new LinkedHashMap<>();
    Map<TableRef, StructType> schemas = new LinkedHashMap<>();
    for (TableDefinition table : pipeline.topologicalOrder()) {
      if (missingPathsFail) { // a run warns about them as each table starts
        SourcePaths.check(spark, table, pipeline.origin(), true);
      }
      Dataset<Row> rows = Stage.of(table).plan(ctx, planned::get);
      StructType schema = rows.schema();
      Stage.checkQuality(ctx, table, rows);
      checkColumns(table, schema, table.spec().partitionBy(), "partition-by");
      if (table instanceof SilverTable silver) {
        checkColumns(table, schema, silver.keys(), "keys");
        silver.sequenceBy().ifPresent(s -> checkColumns(table, schema, List.of(s), "sequence-by"));
      }
      // readers see the CDC target's columns (SCD2 adds __START_AT, __END_AT)
      StructType columns = table instanceof SilverTable silver && silver.cdc().isPresent()
          ? DeltaSink.cdcTargetSchema(spark, tableName(table.ref()), silver.cdc().get(), schema, cdcWhere(table.ref()))
          : schema;
      if (!refreshed.contains(table.ref())) {
        checkFeatures(table, table instanceof GoldTable ? java.util.Optional.empty() : java.util.Optional.of(columns));
      }
      // Later tables bind to the columns only: a view over the source's own plan would carry its
      // options (a Kafka JAAS password) into Spark's event log and UI.
      planned.put(table.ref(), spark.createDataFrame(List.<Row>of(), columns));
      schemas.put(table.ref(), columns);
    }
    return schemas;
  }

  private void checkColumns(TableDefinition table, StructType schema, List<String> columns, String key) {
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String column : columns) {
      if (names.stream().noneMatch(n -> n.equalsIgnoreCase(column))) {
        throw RunErrors.unknownColumn(pipeline.origin(), table.ref(), key, column, names);
      }
    }
  }

  private void checkFeatures(TableDefinition table, java.util.Optional<StructType> schema) {
    List<String> keys = table instanceof SilverTable s ? s.keys() : List.of();
    TableName name = tableName(table.ref());
    if (table instanceof SilverTable s && s.cdc().isPresent()) { // a changed SCD type
      DeltaSink.checkCdcType(spark, name, s.cdc().get(), cdcWhere(table.ref()));
    }
    List<String> problems = TableFeatures.breaking(spark, name, table.spec(), schema, keys,
        Stage.of(table).replacesAllRows(ctx));
    if (!problems.isEmpty()) {
      throw TableFeatures.breakingError(table.ref().toString(), name, problems);
    }
  }

  /** The config path of a table's {@code cdc} block, as CDC errors name it. */
  private String cdcWhere(TableRef ref) {
    return pipeline.origin() + ": pipeline." + ref + ".cdc";
  }

  /**
   * Each input of a selected table is either written by this run or exists: a run of {@code --only
   * gold} before silver's first run would otherwise fail in the gold table's SQL, after the tables
   * before it ran, with Spark's "table or view not found".
   */
  private void checkInputsWritten(List<TableDefinition> selected) {
    Set<TableRef> running = new java.util.HashSet<>();
    selected.forEach(t -> running.add(t.ref()));
    for (TableDefinition t : selected) {
      for (TableRef input : new java.util.TreeSet<>(t.inputs())) {
        if (!running.contains(input) && pipeline.table(input).isPresent() && !DeltaSink.exists(spark, tableName(input))) {
          throw RunErrors.inputNotWritten(pipeline.name(), env.name(), t.ref(), tableName(t.ref()), input, tableName(input));
        }
      }
    }
  }

  private void checkKnown(Set<TableRef> refs, String option) {
    for (TableRef ref : refs) {
      if (pipeline.table(ref).isEmpty()) {
        throw RunErrors.unknownTable(option, ref, pipeline.name(),
            pipeline.tables().stream().map(TableDefinition::ref).toList());
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
            && s.fromTables().stream().anyMatch(all::contains) && all.add(s.ref())) {
          grew = true;
        }
      }
    }
    return all;
  }

  private void fullRefresh(TableRef ref, boolean cascaded, RunListener listener) {
    TableName name = tableName(ref);
    String checkpoint = env.checkpointOf(pipeline, ref);
    DeltaSink.drop(spark, name);
    DeltaSink.drop(spark, ctx.quarantineOf(ref));
    try {
      Path path = new Path(checkpoint);
      FileSystem fs = path.getFileSystem(spark.sessionState().newHadoopConf());
      fs.delete(path, true);
    } catch (IOException e) {
      throw RunErrors.checkpointNotDeleted(ref, name, checkpoint, e);
    }
    LOG.warn(
        "Full refresh of {}{}: dropped table {} and deleted checkpoint {}; it is recomputed from its"
            + " full input",
        ref, cascaded ? " (it reads a refreshed table incrementally)" : "", name, checkpoint);
    listener.fullRefreshed(ref, name, checkpoint, cascaded);
  }
}
