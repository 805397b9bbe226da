package io.medallion.table.internal.cdc;

/**
 * What one CDC batch did.
 *
 * @param upserts new insert/update changes applied (DLT's {@code num_upserted_rows})
 * @param deletes new delete changes applied (DLT's {@code num_deleted_rows})
 * @param truncates new truncates applied
 * @param duplicates changes already applied before (redeliveries), skipped
 * @param rowsInserted rows inserted into the target
 * @param rowsUpdated rows updated in the target (SCD2: includes history rows closed)
 * @param rowsDeleted rows deleted from the target
 * @param historyRowsOpened SCD2: history rows opened (0 for SCD1)
 */
public record CdcResult(
    long upserts, long deletes, long truncates, long duplicates,
    long rowsInserted, long rowsUpdated, long rowsDeleted, long historyRowsOpened) {

  static CdcResult nothing(long duplicates) {
    return new CdcResult(0, 0, 0, duplicates, 0, 0, 0, 0);
  }

  /** Rows inserted or updated in the target. */
  public long rowsWritten() {
    return rowsInserted + rowsUpdated;
  }
}
