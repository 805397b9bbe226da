package io.medallion.eventlog;

import io.medallion.pipeline.TableRef;
import io.medallion.quality.QualityMetrics;
import io.medallion.table.TableName;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One batch of one table, as recorded in the event log.
 *
 * @param ref the table as {@code layer.table}
 * @param name its three-level name
 * @param batchId the micro-batch of a streaming table; empty for a batch run
 * @param status {@code COMPLETED}, {@code SKIPPED} (a retried micro-batch already committed),
 *     {@code UNCHANGED} (the table was not recomputed: its inputs did not change since its last
 *     successful run) or {@code FAILED}
 * @param rowsRead rows that entered the table's flow in this batch; -1 if not measured
 * @param rowsWritten rows inserted or updated in the table by this batch
 * @param quality what the expectations and checks did
 * @param error the failure, for status {@code FAILED}
 * @param cdc for a CDC table: the changes upserted and deleted and the history rows opened
 * @param warning why a batch was skipped when the user should know (a late older snapshot of a
 *     snapshot CDC table): the event's level is then {@code WARN} and its message says it
 */
public record FlowProgress(
    TableRef ref,
    TableName name,
    OptionalLong batchId,
    Instant start,
    Instant end,
    String status,
    long rowsRead,
    long rowsWritten,
    QualityMetrics quality,
    Optional<String> error,
    Optional<CdcMetrics> cdc,
    Optional<String> warning) {

  /** A batch without a warning. */
  public FlowProgress(TableRef ref, TableName name, OptionalLong batchId, Instant start, Instant end, String status,
      long rowsRead, long rowsWritten, QualityMetrics quality, Optional<String> error, Optional<CdcMetrics> cdc) {
    this(ref, name, batchId, start, end, status, rowsRead, rowsWritten, quality, error, cdc, Optional.empty());
  }

  /** A batch of a table that is not a CDC target. */
  public FlowProgress(TableRef ref, TableName name, OptionalLong batchId, Instant start, Instant end, String status,
      long rowsRead, long rowsWritten, QualityMetrics quality, Optional<String> error) {
    this(ref, name, batchId, start, end, status, rowsRead, rowsWritten, quality, error, Optional.empty());
  }

  /**
   * What a CDC batch applied, as DLT's flow_progress metrics.
   *
   * @param upsertedRows insert/update changes applied ({@code num_upserted_rows})
   * @param deletedRows delete changes applied ({@code num_deleted_rows})
   * @param historyRowsOpened SCD2 history rows opened ({@code num_history_rows_opened}; 0 for SCD1)
   */
  public record CdcMetrics(long upsertedRows, long deletedRows, long historyRowsOpened) {}
}
