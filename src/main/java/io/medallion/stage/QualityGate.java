package io.medallion.stage;

import io.medallion.eventlog.FlowProgress;
import io.medallion.pipeline.TableDefinition;
import io.medallion.table.TableSpec;
import io.medallion.quality.Action;
import io.medallion.quality.CheckResult;
import io.medallion.quality.ExpectationMetric;
import io.medallion.quality.QualityException;
import io.medallion.quality.QualityMetrics;
import io.medallion.quality.internal.CompiledRules;
import io.medallion.quality.internal.QuarantineCollector;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a table's expectations and checks to each batch it writes, writes the target (through
 * the stage's own writer) and the quarantine table, and records the batch in the event log.
 *
 * <p>Two ways to evaluate, both with every rule in one projection and every count in one list of
 * aggregates, so the number of Spark jobs does not grow with the number of rules:
 * <ul>
 *   <li><b>inline</b> (no fail rules, no failing or unique checks, not an upsert): the counts, and
 *       the quarantine rows up to {@link #CAPTURE_ROWS}, are observed ({@link Dataset#observe}) on
 *       the write itself; no extra pass over the input.</li>
 *   <li><b>staged</b> (fail rules, failing or unique checks, upserts): the flagged batch is
 *       held in memory (spilling to disk), counted in one job, and checked before anything is
 *       written; then the target and the quarantine rows are written from it. A failed rule or
 *       check therefore commits nothing.</li>
 * </ul>
 *
 * <p>Streaming batches write the target and the quarantine table with the same Delta
 * {@code txnAppId}/{@code txnVersion}: a micro-batch retried after a crash between the two commits
 * writes the one that is missing and not the other again.
 */
final class QualityGate {
  private static final Logger LOG = LoggerFactory.getLogger(QualityGate.class);
  private static final Pattern SECRET = Pattern.compile(
      "(?i).*(password|passwd|pwd|secret|token|api_?key|access_?key|credential|private_?key|ssn|card_?number).*");
  private static final ExecutorService OBSERVATIONS =
      Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "medallion-observation");
        t.setDaemon(true);
        return t;
      });

  /**
   * Quarantine rows of one batch collected on the writing pass itself (they travel to the driver);
   * a batch with more is read a second time for them instead.
   */
  static final int CAPTURE_ROWS = 200_000;

  private final StageContext ctx;
  private final TableDefinition table;
  private final CompiledRules rules;
  private final TableName name;
  private final boolean upsert;
  private final String appId;
  private volatile QualityMetrics total = QualityMetrics.none();
  private volatile long lastRowsIn = -1;
  private final java.util.concurrent.atomic.AtomicLong rowsWritten = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Binds the table's rules to the columns of {@code planned} (the rows the stage produces).
   *
   * @throws io.medallion.MedallionException if a rule does not resolve against those columns
   */
  QualityGate(StageContext ctx, TableDefinition table, Dataset<Row> planned, boolean upsert) {
    this.ctx = ctx;
    this.table = table;
    this.rules = compile(ctx, table, planned);
    this.name = ctx.nameOf(table.ref());
    this.upsert = upsert;
    this.appId = "medallion:" + ctx.checkpointOf(table.ref());
  }

  /** Checks a table's rules against its planned rows, for {@code validate} and start-up. */
  static CompiledRules compile(StageContext ctx, TableDefinition table, Dataset<Row> planned) {
    return CompiledRules.compile(
        table.quality(), table.ref().toString(), ctx.pipeline().origin() + ": pipeline." + table.ref(), planned);
  }

  /** The Delta transaction app id of the table's writes. */
  String appId() {
    return appId;
  }

  /** The sum of every batch's metrics so far. */
  QualityMetrics total() {
    return total;
  }

  /** Rows inserted or updated in the table by every batch so far (from the Delta commits). */
  long rowsWritten() {
    return rowsWritten.get();
  }

  /** Rows that entered the last batch, -1 if not measured. */
  long lastRowsIn() {
    return lastRowsIn;
  }

  /**
   * Evaluates, writes and records one batch.
   *
   * @param batchId the micro-batch id, or -1 for a batch run (the quarantine table is then replaced)
   * @param writer writes the target's rows to the table
   * @throws QualityException when a fail rule or check stops the batch (nothing committed)
   */
  void write(Dataset<Row> rows, long batchId, Consumer<Dataset<Row>> writer) {
    Instant start = Instant.now();
    OptionalLong before = DeltaTables.version(ctx.spark(), name);
    QualityMetrics metrics;
    try {
      if (!upsert && table.quality().isEmpty()) {
        metrics = unchecked(rows, writer, before);
      } else {
        metrics = !upsert && rules.evaluableInline()
            ? inline(rows, batchId, writer, before)
            : staged(rows, batchId, writer);
      }
    } catch (QualityException e) {
      record(batchId, start, "FAILED", -1, 0, QualityMetrics.none(), Optional.of(e.getMessage()));
      throw e;
    }
    long written = DeltaTables.rowsWrittenSince(ctx.spark(), name, before);
    if (metrics != null && metrics.rows() < 0) {
      metrics = new QualityMetrics(written, 0, 0, 0, List.of(), List.of()); // no rules: rows in = rows written
    }
    rowsWritten.addAndGet(written);
    String status = metrics == null ? "SKIPPED" : "COMPLETED";
    if (metrics == null) {
      LOG.info("{} batch {} was already committed before a restart; not written again", table.ref(), batchId);
      metrics = QualityMetrics.none();
    }
    total = total.plus(metrics);
    lastRowsIn = status.equals("SKIPPED") ? -1 : metrics.rows();
    for (CheckResult c : metrics.failedChecks()) {
      LOG.warn("{} check {} ({}) failed: {}", table.ref(), c.name(), c.type(), c.message());
    }
    record(batchId, start, status, lastRowsIn, written, metrics, Optional.empty());
  }

  /**
   * A table without rules: written as it is, without {@code observe} (whose per-row aggregation
   * is measurable on large batches); its rows are counted from the Delta commit (rows = -1 here,
   * filled in by the caller). Null when Delta skipped the write (committed before a restart).
   */
  private QualityMetrics unchecked(Dataset<Row> rows, Consumer<Dataset<Row>> writer, OptionalLong before) {
    writer.accept(rows);
    return DeltaTables.version(ctx.spark(), name).equals(before)
        ? null
        : new QualityMetrics(-1, 0, 0, 0, List.of(), List.of());
  }

  /**
   * Counts (and quarantine rows, up to {@link #CAPTURE_ROWS}) observed on the write; null when
   * Delta skipped the write because a run before a restart had committed it.
   */
  private QualityMetrics inline(Dataset<Row> rows, long batchId, Consumer<Dataset<Row>> writer, OptionalLong before) {
    Observation observation = new Observation();
    Dataset<Row> flagged = rules.flag(rows);
    boolean quarantine = rules.rules().has(Action.QUARANTINE);
    Column[] m = rules.metrics();
    Dataset<Row> observed = flagged.observe(observation, m[0], Arrays.copyOfRange(m, 1, m.length));
    QuarantineCollector collector = new QuarantineCollector(CAPTURE_ROWS);
    if (quarantine) {
      ctx.spark().sparkContext().register(collector, "medallion quarantine " + table.ref());
      writer.accept(rules.targetCollectingQuarantine(observed, batchId, collector));
    } else {
      writer.accept(rules.target(observed));
    }
    OptionalLong after = DeltaTables.version(ctx.spark(), name);
    if (after.equals(before)) {
      if (quarantine) { // the crash may have come between the two commits: complete the quarantine
        writeQuarantine(rules.quarantine(flagged, batchId), Long.MAX_VALUE, batchId);
      }
      return null;
    }
    Map<String, Object> values = await(observation);
    if (values == null) {
      LOG.warn("{}: Spark did not report the batch's counts; its metrics are not recorded", table.ref());
      if (quarantine) {
        writeQuarantine(rules.quarantine(flagged, batchId), Long.MAX_VALUE, batchId);
      }
      return QualityMetrics.none();
    }
    QualityMetrics metrics = rules.evaluate(values, null, Instant.now()).metrics();
    if (quarantine) {
      Dataset<Row> q;
      if (collector.complete() && collector.value().size() == metrics.quarantined()) {
        q = ctx.spark().createDataFrame(collector.value(), rules.quarantineSchema(flagged));
      } else {
        LOG.info("{}: {} quarantined rows in one batch, more than the {} collected while writing; reading them again",
            table.ref(), metrics.quarantined(), CAPTURE_ROWS);
        q = rules.quarantine(flagged, batchId);
      }
      writeQuarantine(q, metrics.quarantined(), batchId);
    }
    return metrics;
  }

  private static Map<String, Object> await(Observation observation) {
    CompletableFuture<Map<String, Object>> f =
        CompletableFuture.supplyAsync(() -> {
          try {
            return observation.getAsJava();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        }, OBSERVATIONS);
    try {
      Map<String, Object> values = f.get(30, TimeUnit.SECONDS);
      return values == null || values.isEmpty() ? null : values;
    } catch (Exception e) {
      f.cancel(true);
      return null;
    }
  }

  private QualityMetrics staged(Dataset<Row> rows, long batchId, Consumer<Dataset<Row>> writer) {
    Dataset<Row> flagged = rules.flag(rows).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column[] m = rules.metrics();
      Row counts = flagged.agg(m[0], Arrays.copyOfRange(m, 1, m.length)).first();
      long[] duplicates = rules.needsUniquePass() ? rules.duplicates(flagged) : null;
      CompiledRules.Evaluation ev = rules.evaluate(CompiledRules.values(counts), duplicates, Instant.now());
      if (ev.failedRows() > 0 || !ev.failedChecks().isEmpty()) {
        throw failure(ev, flagged, batchId);
      }
      writer.accept(rules.target(flagged));
      if (rules.rules().has(Action.QUARANTINE)) {
        writeQuarantine(rules.quarantine(flagged, batchId), ev.metrics().quarantined(), batchId);
      }
      return ev.metrics();
    } finally {
      flagged.unpersist(false);
    }
  }

  private void writeQuarantine(Dataset<Row> rows, long count, long batchId) {
    TableName q = ctx.quarantineOf(table.ref());
    TableSpec spec = new TableSpec(
        Optional.of("Rows of " + name + " rejected by its quarantine expectations, with the reasons in _errors"),
        List.of(), Map.of());
    if (batchId < 0) {
      DeltaTables.replace(rows, q, spec);
      return;
    }
    if (count == 0) {
      return;
    }
    DeltaTables.ensureTable(ctx.spark(), q, rows.schema(), spec);
    rows.write().format("delta").mode("append")
        .option("mergeSchema", "true")
        .option("txnAppId", appId)
        .option("txnVersion", batchId)
        .saveAsTable(q.quoted());
  }

  private QualityException failure(CompiledRules.Evaluation ev, Dataset<Row> flagged, long batchId) {
    String where = "Table " + table.ref() + " (" + name + ")";
    String batch = batchId >= 0 ? "batch " + batchId : "this run";
    long rows = ev.metrics().rows();
    StringBuilder msg = new StringBuilder(where).append(": ");
    List<String> problems = new ArrayList<>();
    for (ExpectationMetric e : ev.metrics().expectations()) {
      if (e.action() == Action.FAIL && e.failedRecords() > 0) {
        String expr = rules.rules().expectations().stream()
            .filter(x -> x.name().equals(e.name())).findFirst().orElseThrow().expression();
        problems.add("expectation " + e.name() + " (on-violation = fail, \"" + expr + "\") failed for "
            + e.failedRecords() + " of " + rows + " rows");
      }
    }
    for (CheckResult c : ev.failedChecks()) {
      problems.add("check " + c.name() + " (" + c.type() + ", on-violation = fail) failed: " + c.message());
    }
    msg.append(String.join("; ", problems)).append(" in ").append(batch)
        .append(". Nothing of the batch was committed to ").append(name).append(" or its quarantine table.");
    if (ev.failedRows() > 0) {
      List<Row> sample = rules.failedRows(flagged).limit(1).collectAsList();
      if (!sample.isEmpty()) {
        msg.append(" One offending row: ").append(describe(sample.get(0))).append('.');
      }
    }
    msg.append(" Fix the data at the source or the rule (pipeline.").append(table.ref())
        .append(".expectations / .checks), then run again: the same rows are processed again.");
    return new QualityException(table.ref().toString(), msg.toString());
  }

  /** A row as {@code {col=value, ...}} with values of secret-looking columns masked. */
  static String describe(Row row) {
    StringBuilder sb = new StringBuilder("{");
    String[] names = row.schema().fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].startsWith("_source_file") || names[i].equals("_ingest_time")) {
        continue;
      }
      Object v = row.get(i);
      String text = SECRET.matcher(names[i]).matches() && v != null ? "***" : String.valueOf(v);
      if (text.length() > 120) {
        text = text.substring(0, 117) + "...";
      }
      sb.append(sb.length() > 1 ? ", " : "").append(names[i]).append('=').append(text);
    }
    return sb.append('}').toString();
  }

  private void record(long batchId, Instant start, String status, long rowsIn, long written, QualityMetrics m, Optional<String> error) {
    FlowProgress p = new FlowProgress(table.ref(), name,
        batchId >= 0 ? OptionalLong.of(batchId) : OptionalLong.empty(),
        start, Instant.now(), status, rowsIn, written, m, error);
    ctx.events().flowProgress(ctx.runId(), p);
  }
}
