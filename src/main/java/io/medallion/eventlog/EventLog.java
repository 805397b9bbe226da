package io.medallion.eventlog;

import io.medallion.internal.DaemonThreads;
import io.medallion.MedallionException;
import io.medallion.internal.ScalaSeqs;
import io.medallion.internal.Secrets;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.quality.CheckResult;
import io.medallion.quality.ExpectationMetric;
import io.medallion.quality.QualityMetrics;
import io.medallion.table.TableName;
import io.medallion.table.DeltaSink;
import io.medallion.table.TableSpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline's event log: a Delta table with one row per event, shaped like Delta Live Tables'
 * event log but with typed columns, so it is queried with plain SQL on any Spark:
 *
 * <pre>
 * id STRING, timestamp TIMESTAMP, event_type STRING, level STRING, message STRING,
 * origin STRUCT&lt;pipeline_name, run_id, environment, dataset_name, table_name, batch_id BIGINT&gt;,
 * details STRUCT&lt;
 *   flow_progress: STRUCT&lt;status, start_time, end_time,
 *     metrics: STRUCT&lt;num_input_rows, num_output_rows, num_upserted_rows, num_deleted_rows,
 *       num_history_rows_opened&gt; (the last three for CDC tables only),
 *     data_quality: STRUCT&lt;dropped_records, quarantined_records, warned_records,
 *       expectations: ARRAY&lt;STRUCT&lt;name, dataset, action, passed_records, failed_records&gt;&gt;,
 *       checks: ARRAY&lt;STRUCT&lt;name, type, action, passed, observed, message&gt;&gt;&gt;&gt;,
 *   run: STRUCT&lt;status, tables ARRAY&lt;STRING&gt;, full_refresh ARRAY&lt;STRING&gt;, duration_ms&gt;&gt;,
 * error STRUCT&lt;message, exception_class, dataset_name&gt;
 * </pre>
 *
 * <p>Event types: {@code run_start}, {@code flow_progress} (one per micro-batch of a streaming
 * table, one per run of a batch table), {@code gold_refresh} (skipped, incremental or full, and
 * why), {@code maintenance} (OPTIMIZE and VACUUM of a table), {@code run_finish} and
 * {@code run_failure}. A micro-batch
 * that Spark retries after a crash, and that had been committed before it, is recorded again with
 * status {@code SKIPPED}; so is a late older snapshot of a snapshot CDC table, with level
 * {@code WARN} and the reason as the message (its snapshot version is the batch id).
 *
 * <p>Events are written by a background thread, all the events of up to 5 seconds in one Delta
 * commit, so the event log never holds up a stream's micro-batches; each commit is one Parquet file
 * written by that thread, without a Spark job ({@link DeltaSink#appendRows}). {@code run_start} is
 * committed at once, while the tables are checked and planned; {@code run_finish} and
 * {@code run_failure} wait until everything before them is written. A JVM killed mid-run may lose the events of its
 * last seconds, never data.
 *
 * <p>Messages are the library's own error messages, which never contain secret values.
 */
public final class EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

  /** The table's columns. */
  public static final StructType SCHEMA = StructType.fromDDL(
      "id STRING, timestamp TIMESTAMP, event_type STRING, level STRING, message STRING, "
          + "origin STRUCT<pipeline_name: STRING, run_id: STRING, environment: STRING, dataset_name: STRING,"
          + " table_name: STRING, batch_id: BIGINT>, "
          + "details STRUCT<"
          + "flow_progress: STRUCT<status: STRING, start_time: TIMESTAMP, end_time: TIMESTAMP,"
          + " metrics: STRUCT<num_input_rows: BIGINT, num_output_rows: BIGINT, num_upserted_rows: BIGINT,"
          + " num_deleted_rows: BIGINT, num_history_rows_opened: BIGINT>,"
          + " data_quality: STRUCT<dropped_records: BIGINT, quarantined_records: BIGINT, warned_records: BIGINT,"
          + " expectations: ARRAY<STRUCT<name: STRING, dataset: STRING, action: STRING, passed_records: BIGINT,"
          + " failed_records: BIGINT>>,"
          + " checks: ARRAY<STRUCT<name: STRING, type: STRING, action: STRING, passed: BOOLEAN, observed: STRING,"
          + " message: STRING>>>>, "
          + "run: STRUCT<status: STRING, tables: ARRAY<STRING>, full_refresh: ARRAY<STRING>, duration_ms: BIGINT>>, "
          + "error STRUCT<message: STRING, exception_class: STRING, dataset_name: STRING>");

  /**
   * Append-only; a checkpoint every 100 commits rather than Delta's 10: a run commits its events
   * two or three times, and a checkpoint is a Spark job (state reconstruction, a Parquet write)
   * that a run with nothing else to write would wait for every few runs. Appends need no log
   * replay (each commit's checksum is derived from the previous one), so longer checkpoint gaps
   * only cost readers of the event log one more small JSON file per commit.
   */
  private static final TableSpec SPEC = new TableSpec(Optional.of("medallion event log"), List.of(),
      java.util.Map.of("delta.appendOnly", "true", "delta.checkpointInterval", "100"));

  /** How long the first waiting event waits for others to share its commit. */
  private static final long GROUPING_DELAY_MS = 5_000;

  private final SparkSession spark;
  private final Optional<TableName> table;
  private final String pipeline;
  private final String environment;
  private final ScheduledExecutorService writer;

  /** One writer thread for every event log of the JVM (runs come and go; the thread stays). */
  private static final ScheduledExecutorService WRITER =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("medallion-event-log"));
  private final List<Row> pending = new ArrayList<>();
  private boolean scheduled;
  private volatile java.util.function.Consumer<FlowProgress> observer = p -> {};

  /** Done when the table exists; failed (with the error to raise) when it could not be created. */
  private final java.util.concurrent.CompletableFuture<Void> ready;

  private EventLog(SparkSession spark, Optional<TableName> table, String pipeline, String environment) {
    this.spark = spark;
    this.table = table;
    this.pipeline = pipeline;
    this.environment = environment;
    this.writer = table.isEmpty() ? null : WRITER;
    this.ready = table.isEmpty() ? java.util.concurrent.CompletableFuture.completedFuture(null)
        : java.util.concurrent.CompletableFuture.runAsync(() -> {
          ownJobs();
          try {
            DeltaSink.ensureTable(spark, table.get(), SCHEMA, SPEC);
          } catch (Exception e) {
            throw EventLogErrors.cannotCreate(table.get(), pipeline, e);
          }
        }, WRITER);
  }

  /**
   * The event log of a pipeline in an environment, created if it does not exist (the environment's
   * catalogs must be usable: on open-source Spark, registered). The table is created in the
   * background, on the event log's writer thread, so the JVM's first Delta commands (class
   * loading, the table's creation) overlap the tables' planning; events wait for it. When it cannot
   * be created, {@link #checkReady} (called by {@link #runFinished} and {@link #flush}) throws
   * the error that says so; events are then not written.
   */
  public static EventLog open(SparkSession spark, PipelineDefinition pipeline, Environment env) {
    return new EventLog(spark, env.eventLogTable(pipeline), pipeline.name(), env.name());
  }

  /**
   * Waits until the table exists; throws, with the fix, when it could not be created (a missing
   * permission, a location that is not a directory).
   */
  public void checkReady() {
    try {
      ready.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw EventLogErrors.interrupted(table.orElse(null), pipeline, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof MedallionException m ? m
          : EventLogErrors.cannotCreate(table.orElse(null), pipeline, e.getCause());
    }
  }

  /** The writer thread inherited the local properties of the thread that first used it: its jobs are the event log's own. */
  private void ownJobs() {
    spark.sparkContext().setJobDescription("medallion event log " + table.get());
    spark.sparkContext().setLocalProperty("spark.scheduler.pool", null);
  }

  /** An event log that records nothing. */
  public static EventLog off(SparkSession spark) {
    return new EventLog(spark, Optional.empty(), "", "");
  }

  /** The table events go to, if any. */
  public Optional<TableName> table() {
    return table;
  }

  /** A new run id. */
  public static String newRunId() {
    return UUID.randomUUID().toString();
  }

  /** A run started. */
  public void runStarted(String runId, List<String> tables, List<String> fullRefresh) {
    append(event(runId, "run_start", "INFO", "Run of pipeline '" + pipeline + "' started: " + tables,
        null, null, run("STARTED", tables, fullRefresh, null), null), false);
    if (writer != null) {
      // Committed at once, in the background: the JVM's first commit (class loading, the log's
      // first read) then overlaps the tables' checks and planning instead of delaying the run's end.
      writer.submit(this::writePending);
    }
  }

  /** A run finished; {@code summary} is one line per table. */
  public void runFinished(String runId, List<String> tables, long durationMs, String summary) {
    append(event(runId, "run_finish", "INFO", "Run of pipeline '" + pipeline + "' finished: " + summary,
        null, null, run("COMPLETED", tables, List.of(), durationMs), null));
    flush();
  }

  /** A run failed. Never throws: the run's own failure is what the caller reports. */
  public void runFailed(String runId, List<String> tables, long durationMs, Throwable error, String dataset) {
    try {
      String message = Secrets.redact(error.getMessage());
      append(event(runId, "run_failure", "ERROR", "Run of pipeline '" + pipeline + "' failed: " + message,
          null, null, run("FAILED", tables, List.of(), durationMs),
          RowFactory.create(message, error.getClass().getName(), dataset)));
      flush();
    } catch (RuntimeException e) {
      LOG.warn("Could not record the failure of the run in the event log {}: {}", table.orElse(null), e.getMessage());
    }
  }

  /**
   * Also hands every {@link #flowProgress} to {@code batchObserver} (on the stream's thread, before
   * the event is queued; even when the log is off). An exception it throws is logged, never raised.
   */
  public EventLog observedBy(java.util.function.Consumer<FlowProgress> batchObserver) {
    this.observer = batchObserver;
    return this;
  }

  /** The progress of one batch of one table. */
  public void flowProgress(String runId, FlowProgress p) {
    try {
      observer.accept(p);
    } catch (RuntimeException e) {
      LOG.warn("A progress observer failed on {}: {}", p.ref(), e.toString());
    }
    QualityMetrics q = p.quality();
    List<Row> expectations = new ArrayList<>();
    for (ExpectationMetric e : q.expectations()) {
      expectations.add(RowFactory.create(e.name(), e.dataset(), e.action().key(), e.passedRecords(), e.failedRecords()));
    }
    List<Row> checks = new ArrayList<>();
    for (CheckResult c : q.checks()) {
      checks.add(RowFactory.create(c.name(), c.type(), c.action().key(), c.passed(), c.observed(), c.message()));
    }
    Row dq = RowFactory.create(q.dropped(), q.quarantined(), q.warned(), ScalaSeqs.of(expectations), ScalaSeqs.of(checks));
    Row flow = RowFactory.create(p.status(), ts(p.start()), ts(p.end()),
        RowFactory.create(p.rowsRead() < 0 ? null : p.rowsRead(), p.rowsWritten(),
            p.cdc().map(FlowProgress.CdcMetrics::upsertedRows).orElse(null),
            p.cdc().map(FlowProgress.CdcMetrics::deletedRows).orElse(null),
            p.cdc().map(FlowProgress.CdcMetrics::historyRowsOpened).orElse(null)), dq);
    boolean failedCheck = !q.failedChecks().isEmpty();
    String level = p.error().isPresent() ? "ERROR" : failedCheck || p.warning().isPresent() ? "WARN" : "INFO";
    String batch = p.batchId().isPresent() ? " batch " + p.batchId().getAsLong() : "";
    String message = p.error().map(e -> "Flow " + p.ref() + batch + " failed: " + e)
        .or(() -> p.warning().map(w -> "Flow " + p.ref() + batch + " " + p.status().toLowerCase(java.util.Locale.ROOT)
            + ": " + Secrets.redact(w)))
        .orElse(p.status().equals("UNCHANGED")
            ? "Flow " + p.ref() + " skipped: its inputs and definition are as at its last successful run"
            : "Flow " + p.ref() + batch + " " + p.status().toLowerCase(java.util.Locale.ROOT) + ": read "
            + p.rowsRead() + " rows, wrote " + p.rowsWritten() + ", dropped " + q.dropped() + ", quarantined "
            + q.quarantined() + (failedCheck ? ", failed checks " + q.failedChecks().stream().map(CheckResult::name).toList() : ""));
    Row error = p.error().map(e -> RowFactory.create(e, io.medallion.quality.QualityException.class.getName(), p.ref().toString())).orElse(null);
    Row origin = RowFactory.create(pipeline, runId, environment, p.ref().toString(), p.name().toString(),
        p.batchId().isPresent() ? p.batchId().getAsLong() : null);
    append(RowFactory.create(UUID.randomUUID().toString(), ts(Instant.now()), "flow_progress", level, message, origin,
        RowFactory.create(flow, null), error));
  }

  /**
   * An event about one table that is not a batch of data: {@code gold_refresh} (how a gold table
   * was refreshed and why), {@code maintenance} (what OPTIMIZE and VACUUM did).
   */
  public void tableEvent(String runId, String eventType, String level, String dataset, TableName name, String message) {
    append(event(runId, eventType, level, Secrets.redact(message), dataset, name == null ? null : name.toString(),
        null, null));
  }

  private Row event(String runId, String type, String level, String message, String dataset, String tableName, Row run, Row error) {
    Row origin = RowFactory.create(pipeline, runId, environment, dataset, tableName, null);
    return RowFactory.create(UUID.randomUUID().toString(), ts(Instant.now()), type, level, message, origin,
        RowFactory.create(null, run), error);
  }

  private static Row run(String status, List<String> tables, List<String> fullRefresh, Long durationMs) {
    return RowFactory.create(status, ScalaSeqs.of(tables), ScalaSeqs.of(fullRefresh), durationMs);
  }

  private void append(Row event) {
    append(event, true);
  }

  /**
   * Queues an event; {@code schedule} = false leaves it waiting for the next event that schedules
   * a write, for {@link #flush}, or for a write submitted by the caller ({@code run_start}).
   */
  private void append(Row event, boolean schedule) {
    if (writer == null) {
      return;
    }
    boolean first;
    synchronized (pending) {
      first = !scheduled && schedule;
      scheduled |= schedule;
      pending.add(event);
    }
    if (first) { // events arriving meanwhile share the commit
      writer.schedule(this::writePending, GROUPING_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** Writes every waiting event in one commit (on the writer thread). */
  private void writePending() {
    List<Row> rows;
    synchronized (pending) {
      rows = new ArrayList<>(pending);
      pending.clear();
      scheduled = false;
    }
    if (rows.isEmpty() || !ready.isDone() || ready.isCompletedExceptionally()) { // on the writer thread: done unless it failed
      return;
    }
    try {
      ownJobs();
      DeltaSink.appendRows(spark, table.get(), SCHEMA, SPEC, rows);
    } catch (RuntimeException e) {
      LOG.warn("Could not write {} event(s) to the event log {}: {}", rows.size(), table.get(),
          Secrets.redact(e.getMessage()));
    }
  }

  /**
   * Waits (up to 5 minutes) until every event appended so far is written; throws when the table
   * could not be created ({@link #checkReady}).
   */
  public void flush() {
    if (writer == null) {
      return;
    }
    try {
      writer.submit(this::writePending).get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Event log {} not written in time: {}", table.get(), e.getMessage());
    }
    checkReady();
  }

  private static Timestamp ts(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }
}
