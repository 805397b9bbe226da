package io.medallion.stage;

import io.medallion.eventlog.FlowProgress;
import io.medallion.pipeline.TableDefinition;
import io.medallion.quality.CheckResult;
import io.medallion.quality.QualityCheck;
import io.medallion.quality.QualityException;
import io.medallion.quality.QualityMetrics;
import io.medallion.table.Commit;
import io.medallion.table.DeltaSink;
import io.medallion.table.SideAppend;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.Txn;
import io.medallion.table.Write;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch of a table: quality evaluates it ({@link QualityCheck}), the {@link DeltaSink}
 * commits the kept rows and then the quarantined ones, and the batch is recorded in the event log.
 *
 * <p>A micro-batch that quarantines on the target's write ({@link QualityCheck#quarantinesOnTheWrite})
 * has its quarantine rows written by the write's own tasks into the quarantine table's folder
 * ({@link DeltaSink#sideAppend}), committed after the target: no second job.
 *
 * <p>Streaming batches write the target and the quarantine table with the same Delta transaction
 * identifier ({@code medallion:<checkpoint>}, batch id): a micro-batch replayed after a crash, even
 * between the two commits, writes the one that is missing and not the other again, and is
 * recorded as {@code SKIPPED} (no rows counted) when its target commit was already made.
 */
final class TableWriter {
  private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

  private final StageContext ctx;
  private final TableDefinition table;
  private final QualityCheck quality;
  private final TableName name;
  private final Write write;
  private final String appId;
  private volatile QualityMetrics total = QualityMetrics.none();
  private volatile long lastRowsIn = -1;
  private final AtomicLong rowsWritten = new AtomicLong();
  private volatile Map.Entry<StructType, StructType> quarantineSchema;

  /**
   * Binds the table's rules to the columns of {@code planned} (the rows the stage produces).
   *
   * @throws io.medallion.MedallionException if a rule does not resolve against those columns
   */
  TableWriter(StageContext ctx, TableDefinition table, Dataset<Row> planned, Write write) {
    this.ctx = ctx;
    this.table = table;
    this.quality = compile(ctx, table, planned);
    this.quality.clearStaging(planned.sparkSession());
    this.name = ctx.nameOf(table.ref());
    this.write = write;
    this.appId = "medallion:" + ctx.checkpointOf(table.ref());
  }

  /** Checks a table's rules against its planned rows, for {@code validate} and start-up. */
  static QualityCheck compile(StageContext ctx, TableDefinition table, Dataset<Row> planned) {
    return QualityCheck.compile(table.quality(), table.ref().toString(), ctx.nameOf(table.ref()).toString(),
        ctx.pipeline().origin() + ": pipeline." + table.ref(), planned,
        ctx.checkpointOf(table.ref()) + "/_quarantine_staging");
  }

  /** The three-level name of the table written. */
  TableName name() {
    return name;
  }

  /** The bytes of tables the write reads besides the batch's rows (a MERGE's target); empty when unknown. */
  java.util.OptionalLong bytesReadBesidesRows() {
    return DeltaSink.bytesReadByWrite(ctx.spark(), name, write);
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
   * @throws QualityException when a fail rule or check stops the batch (nothing committed)
   */
  void write(Dataset<Row> rows, long batchId) {
    Instant start = Instant.now();
    Txn txn = batchId >= 0 ? new Txn(appId, batchId) : Txn.NONE;
    QualityMetrics metrics;
    Commit commit;
    boolean staged = write instanceof Write.Merge || write instanceof Write.Cdc || write instanceof Write.CdcSnapshot;
    Optional<SideAppend> aside = txn.present() && quality.quarantinesOnTheWrite(staged)
        ? DeltaSink.sideAppend(ctx.spark(), ctx.quarantineOf(table.ref()), quarantineSchema(rows), quarantineSpec())
        : Optional.empty();
    boolean asideCommitting = false;
    try (QualityCheck.Batch batch = quality.evaluate(rows, batchId, staged, aside.map(TableWriter::sink))) {
      commit = DeltaSink.write(batch.keep(), name, table.spec(), write, txn);
      QualityCheck.Outcome outcome = batch.after(commit.committed());
      if (outcome.inSink()) {
        asideCommitting = true; // from here on its files may be part of a commit: never removed
        aside.get().commit(txn);
      } else {
        aside.ifPresent(SideAppend::discard);
      }
      outcome.quarantine().ifPresent(q -> writeQuarantine(q, txn));
      metrics = outcome.metrics();
    } catch (RuntimeException e) {
      if (!asideCommitting) {
        aside.ifPresent(SideAppend::discard);
      }
      if (e instanceof QualityException) {
        record(batchId, start, "FAILED", -1, 0, QualityMetrics.none(), Optional.of(e.getMessage()), Optional.empty(),
            Optional.empty());
      }
      throw e;
    }
    long written = commit.rowsWritten();
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
    record(batchId, start, status, lastRowsIn, written, metrics, Optional.empty(),
        commit.cdc().map(c -> new FlowProgress.CdcMetrics(c.upserts(), c.deletes(), c.historyRowsOpened())),
        commit.warning());
  }

  /**
   * Records batch {@code batchId} as skipped with {@code warning} (level WARN) without reading or
   * writing anything: a late older snapshot of a snapshot CDC table.
   */
  void skipped(long batchId, String warning) {
    LOG.warn("{}: {}", table.ref(), warning);
    record(batchId, Instant.now(), "SKIPPED", -1, 0, QualityMetrics.none(), Optional.empty(), Optional.empty(),
        Optional.of(warning));
  }

  private void writeQuarantine(Dataset<Row> rows, Txn txn) {
    Write mode = txn.present() ? Write.appendEvolvingSchema() : Write.replace();
    DeltaSink.write(rows, ctx.quarantineOf(table.ref()), quarantineSpec(), mode, txn);
  }

  /** The quarantine table's columns for {@code rows}, planned once per schema of the batches. */
  private StructType quarantineSchema(Dataset<Row> rows) {
    StructType in = rows.schema();
    Map.Entry<StructType, StructType> known = quarantineSchema;
    if (known == null || !known.getKey().equals(in)) {
      known = Map.entry(in, quality.quarantineSchema(rows));
      quarantineSchema = known;
    }
    return known.getValue();
  }

  private TableSpec quarantineSpec() {
    return new TableSpec(
        Optional.of("Rows of " + name + " rejected by its quarantine expectations, with the reasons in _errors"),
        List.of(), Map.of());
  }

  /** The quarantine table's append as the quality check's sink: its files, committed after the target. */
  private static QualityCheck.QuarantineSink sink(SideAppend aside) {
    return new QualityCheck.QuarantineSink() {
      @Override
      public org.apache.spark.sql.api.java.UDF1<Row, Boolean> function() {
        return aside.sink();
      }

      @Override
      public long rows() {
        return aside.rows();
      }
    };
  }

  private void record(long batchId, Instant start, String status, long rowsIn, long written, QualityMetrics m,
      Optional<String> error, Optional<FlowProgress.CdcMetrics> cdc, Optional<String> warning) {
    FlowProgress p = new FlowProgress(table.ref(), name,
        batchId >= 0 ? OptionalLong.of(batchId) : OptionalLong.empty(),
        start, Instant.now(), status, rowsIn, written, m, error, cdc, warning);
    ctx.events().flowProgress(ctx.runId(), p);
  }
}
