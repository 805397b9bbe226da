package io.medallion.run;

import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Layer;
import io.medallion.quality.QualityMetrics;
import io.medallion.stage.StageResult;
import io.medallion.table.TableName;
import java.time.Duration;
import java.util.Locale;

/**
 * What one run did to one table.
 *
 * @param rowsRead streaming tables: new rows read from the source or {@code from} table in this run;
 *     batch tables: the rows of their input (the whole source for bronze, the {@code from} table for
 *     silver, every input table for gold); -1 if Spark did not report it
 * @param rowsWritten rows inserted or updated in the Delta table by this run (from its commits)
 * @param quality what the table's expectations and checks did (summed over micro-batches)
 * @param note how the table was refreshed, when there is something to say (gold: {@code skipped: ...},
 *     {@code incremental: ...}, {@code full recompute: ...}); empty otherwise
 */
public record TableResult(
    TableRef ref, TableName name, long rowsRead, long rowsWritten, Duration duration, QualityMetrics quality,
    String note) {
  public TableResult {
    quality = quality == null ? QualityMetrics.none() : quality;
    note = note == null ? "" : note;
  }

  /** A result without a note. */
  public TableResult(
      TableRef ref, TableName name, long rowsRead, long rowsWritten, Duration duration, QualityMetrics quality) {
    this(ref, name, rowsRead, rowsWritten, duration, quality, "");
  }

  /** A result without quality metrics. */
  public TableResult(TableRef ref, TableName name, long rowsRead, long rowsWritten, Duration duration) {
    this(ref, name, rowsRead, rowsWritten, duration, QualityMetrics.none());
  }

  /** What a stage reported. */
  static TableResult of(StageResult r) {
    return new TableResult(r.ref(), r.name(), r.rowsRead(), r.rowsWritten(), r.duration(), r.quality(), r.note());
  }

  /**
   * One line for logs and the CLI: {@code silver.orders -> a.b.c: read 10 rows, wrote 8 rows in 1.2 s},
   * plus dropped, quarantined and warned rows and failed checks when there are any. When the rows
   * that reached the expectations (the event log's {@code num_input_rows}) differ from the rows read
   * (a gold table reads its whole inputs, a SQL filters), both are printed, each labelled.
   */
  public String summary() {
    String read = quality.rows() > 0 && quality.rows() != rowsRead
        ? String.format(Locale.ROOT, "read %d rows (%s), %d rows after its SQL (event log num_input_rows)",
            rowsRead, ref.layer() == Layer.GOLD ? "its input tables" : "its input", quality.rows())
        : "read " + rowsRead + " rows";
    StringBuilder sb = new StringBuilder(String.format(
        Locale.ROOT,
        "%s -> %s: %s, wrote %d rows in %.1f s",
        ref, name, read, rowsWritten, duration.toMillis() / 1000.0));
    if (quality.dropped() > 0) {
      sb.append(", dropped ").append(quality.dropped());
    }
    if (quality.quarantined() > 0) {
      sb.append(", quarantined ").append(quality.quarantined());
    }
    if (quality.warned() > 0) {
      sb.append(", ").append(quality.warned()).append(" rows with warnings");
    }
    if (!quality.failedChecks().isEmpty()) {
      sb.append(", failed checks ").append(quality.failedChecks().stream().map(c -> c.name()).toList());
    }
    if (!note.isEmpty()) {
      sb.append(" (").append(note).append(')');
    }
    return sb.toString();
  }
}
