package io.medallion.cli;

import io.medallion.eventlog.FlowProgress;
import io.medallion.internal.Json;
import io.medallion.run.RunListener;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.quality.CheckResult;
import io.medallion.table.TableName;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code medallion run} prints while it runs: one line per finished micro-batch (table, batch,
 * rows, rows per second, rows dropped, quarantined and warned), one line per finished table, then a
 * summary table. {@link Mode#QUIET} prints nothing; {@link Mode#JSON} prints one JSON object per
 * event instead ({@code run_start}, {@code batch}, {@code full_refresh}, {@code table},
 * {@code run_finish}, {@code run_failure}), for schedulers and CI.
 *
 * <p>Batches finish on the streams' threads; every method prints whole lines under one lock.
 */
final class Progress implements RunListener {
  /** How much is printed. */
  enum Mode { LINES, QUIET, JSON }

  private final PrintStream out;
  private final Mode mode;
  /** The status of a table skipped because its inputs and definition did not change. */
  private static final String UNCHANGED = "UNCHANGED";

  private final Map<TableRef, Integer> batches = new LinkedHashMap<>();

  Progress(PrintStream out, Mode mode) {
    this.out = out;
    this.mode = mode;
  }

  boolean printsLines() {
    return mode == Mode.LINES;
  }

  void runStarted(String pipeline, String env, String platform, String sparkVersion) {
    if (mode == Mode.JSON) {
      json("run_start", Map.of("pipeline", pipeline, "environment", env, "platform", platform, "spark", sparkVersion));
    } else {
      line("Running pipeline '" + pipeline + "' in environment '" + env + "' on " + platform + " Spark " + sparkVersion);
    }
  }

  @Override
  public void batchFinished(FlowProgress b) {
    if (!b.status().equals(UNCHANGED)) { // a table skipped as unchanged processed no batch
      synchronized (this) {
        batches.merge(b.ref(), 1, Integer::sum);
      }
    }
    long rows = Math.max(b.rowsRead(), 0);
    double seconds = Math.max(Duration.between(b.start(), b.end()).toMillis(), 1) / 1000.0;
    double perSecond = rows / seconds;
    String batch = b.batchId().isPresent() ? Long.toString(b.batchId().getAsLong()) : "-";
    if (mode == Mode.JSON) {
      Map<String, Object> e = Json.object();
      e.put("table", b.ref().toString());
      e.put("name", b.name().toString());
      e.put("batch", b.batchId().isPresent() ? b.batchId().getAsLong() : null);
      e.put("status", b.status());
      e.put("rows", b.rowsRead() < 0 ? null : b.rowsRead());
      e.put("rows_written", b.rowsWritten());
      e.put("rows_per_second", Math.round(perSecond * 1000) / 1000.0);
      e.put("seconds", seconds);
      e.put("dropped", b.quality().dropped());
      e.put("quarantined", b.quality().quarantined());
      e.put("warned", b.quality().warned());
      e.put("failed_checks", b.quality().failedChecks().stream().map(CheckResult::name).toList());
      e.put("error", b.error().orElse(null));
      // a CDC batch: what it applied (the event log's num_upserted_rows, num_deleted_rows)
      e.put("upserted", b.cdc().map(FlowProgress.CdcMetrics::upsertedRows).orElse(null));
      e.put("deleted", b.cdc().map(FlowProgress.CdcMetrics::deletedRows).orElse(null));
      e.put("history_rows_opened", b.cdc().map(FlowProgress.CdcMetrics::historyRowsOpened).orElse(null));
      json("batch", e);
    } else {
      String cdc = b.cdc().map(m -> String.format(Locale.ROOT, "  upserted %,d  deleted %,d", m.upsertedRows(), m.deletedRows())
          + (m.historyRowsOpened() > 0 ? String.format(Locale.ROOT, "  history rows %,d", m.historyRowsOpened()) : "")).orElse("");
      line(String.format(Locale.ROOT, "  %-24s batch %-4s %,10d rows %,10.0f rows/s  dropped %,d  quarantined %,d  warned %,d%s%s",
          b.ref(), batch, rows, perSecond, b.quality().dropped(), b.quality().quarantined(), b.quality().warned(), cdc,
          b.status().equals("COMPLETED") ? "" : "  (" + b.status().toLowerCase(Locale.ROOT) + ")"));
    }
  }

  @Override
  public void fullRefreshed(TableRef ref, TableName name, String checkpoint, boolean cascaded) {
    if (mode == Mode.JSON) {
      json("full_refresh", Map.of("table", ref.toString(), "name", name.toString(), "checkpoint", checkpoint,
          "cascaded", cascaded));
    } else {
      line("Full refresh of " + ref + (cascaded ? " (it reads a refreshed table incrementally)" : "")
          + ": dropped table " + name + " and deleted checkpoint " + checkpoint);
    }
  }

  @Override
  public void tableFinished(TableResult r) {
    if (mode == Mode.JSON) {
      Map<String, Object> e = tableFields(r);
      e.put("name", r.name().toString());
      json("table", e);
    } else {
      line(r.summary());
    }
  }

  /** The end of a successful run: the summary table, quarantine tables and the event log. */
  void runFinished(RunResult result, Map<TableRef, TableName> quarantines, Optional<TableName> eventLog) {
    if (mode == Mode.JSON) {
      Map<String, Object> e = Json.object();
      e.put("tables", result.tables().stream().map(this::tableFields).toList());
      e.put("event_log", eventLog.map(TableName::toString).orElse(null));
      json("run_finish", e);
      return;
    }
    if (mode == Mode.QUIET) {
      return;
    }
    out.println("Done: " + count(result.tables().size(), "table") + ".");
    out.print(summaryTable(result.tables()));
    for (TableResult r : result.tables()) {
      if (r.quality().quarantined() > 0) {
        out.println("Quarantined: " + count(r.quality().quarantined(), "row") + " of " + r.ref() + " in "
            + quarantines.get(r.ref()) + " (reasons in _errors)");
      }
    }
    eventLog.ifPresent(log -> out.println("Event log: " + log));
  }

  /** {@code n} and the noun, plural unless n is 1: "1 table", "3 tables". */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** A failed run (JSON only: in the other modes the CLI's caller prints the error). */
  void runFailed(Throwable e) {
    if (mode == Mode.JSON) {
      json("run_failure", Map.of("message", Cli.describe(e)));
    }
  }

  /** The summary table: one row per table in the order they finished, its first column as wide as the longest name. */
  String summaryTable(List<TableResult> tables) {
    StringBuilder sb = new StringBuilder();
    int width = Math.max(24, tables.stream().mapToInt(r -> r.ref().toString().length()).max().orElse(0));
    String format = "%-" + width + "s %8s %12s %12s %10s %12s %10s %10s%n";
    sb.append(String.format(Locale.ROOT, format, "table", "batches", "rows in", "rows out", "dropped", "quarantined",
        "warned", "seconds"));
    for (TableResult r : tables) {
      sb.append(String.format(Locale.ROOT, format, r.ref(), batchesOf(r.ref()),
          String.format(Locale.ROOT, "%,d", r.rowsRead()), String.format(Locale.ROOT, "%,d", r.rowsWritten()),
          String.format(Locale.ROOT, "%,d", r.quality().dropped()),
          String.format(Locale.ROOT, "%,d", r.quality().quarantined()),
          String.format(Locale.ROOT, "%,d", r.quality().warned()),
          String.format(Locale.ROOT, "%.1f", r.duration().toMillis() / 1000.0)));
    }
    return sb.toString();
  }

  private synchronized int batchesOf(TableRef ref) {
    return batches.getOrDefault(ref, 0);
  }

  private Map<String, Object> tableFields(TableResult r) {
    Map<String, Object> e = Json.object();
    e.put("table", r.ref().toString());
    e.put("batches", batchesOf(r.ref()));
    e.put("rows_in", r.rowsRead());
    e.put("rows_out", r.rowsWritten());
    e.put("dropped", r.quality().dropped());
    e.put("quarantined", r.quality().quarantined());
    e.put("warned", r.quality().warned());
    e.put("failed_checks", r.quality().failedChecks().stream().map(CheckResult::name).toList());
    e.put("seconds", r.duration().toMillis() / 1000.0);
    return e;
  }

  private void json(String event, Map<String, Object> fields) {
    Map<String, Object> e = Json.object();
    e.put("event", event);
    e.put("time", Instant.now().toString());
    e.putAll(fields);
    line(Json.write(e));
  }

  private synchronized void line(String text) {
    if (mode != Mode.QUIET) {
      out.println(text);
    }
  }
}
