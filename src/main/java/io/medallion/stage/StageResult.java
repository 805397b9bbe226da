package io.medallion.stage;

import io.medallion.pipeline.TableRef;
import io.medallion.quality.QualityMetrics;
import io.medallion.table.TableName;
import java.time.Duration;

/**
 * What a stage did to its table (the runner reports it as {@code io.medallion.run.StageResult}).
 *
 * @param rowsRead rows read (see {@code StageResult#rowsRead}); -1 if Spark did not report it
 * @param rowsWritten rows inserted or updated in the Delta table (from its commits)
 * @param quality what the table's expectations and checks did (summed over micro-batches)
 * @param note how the table was refreshed, for its line (e.g. a gold table's refresh); empty if none
 */
public record StageResult(
    TableRef ref, TableName name, long rowsRead, long rowsWritten, Duration duration, QualityMetrics quality,
    String note) {
  public StageResult {
    note = note == null ? "" : note;
  }

  /** A result without a note. */
  public StageResult(
      TableRef ref, TableName name, long rowsRead, long rowsWritten, Duration duration, QualityMetrics quality) {
    this(ref, name, rowsRead, rowsWritten, duration, quality, "");
  }
}
