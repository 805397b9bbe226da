package io.medallion.table;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link DeltaSink} write did.
 *
 * @param committed false when the write changed nothing because it had been done already (a
 *     replayed batch whose {@link Txn} or CDC changes are committed, an applied snapshot) or was
 *     skipped (a late older snapshot); true for a batch with nothing to write (every row set aside
 *     by the rules), which is then recorded with its counts
 * @param rowsWritten rows the write's commits inserted or updated (MERGE: inserted + updated;
 *     appends and replaces: output rows), read from the Delta log
 * @param version the table's version after the write, empty if the table does not exist
 * @param cdc for a {@link Write.Cdc} or {@link Write.CdcSnapshot} write: the changes it applied
 * @param warning why a write was skipped when the user should know (a late older snapshot); empty if none
 */
public record Commit(boolean committed, long rowsWritten, OptionalLong version, Optional<CdcApplied> cdc,
    Optional<String> warning) {
  /** A write that is not a CDC write. */
  public Commit(boolean committed, long rowsWritten, OptionalLong version) {
    this(committed, rowsWritten, version, Optional.empty());
  }

  /** A write without a warning. */
  public Commit(boolean committed, long rowsWritten, OptionalLong version, Optional<CdcApplied> cdc) {
    this(committed, rowsWritten, version, cdc, Optional.empty());
  }

  /**
   * What a CDC batch applied (DLT's flow_progress metrics).
   *
   * @param upserts new insert/update changes applied
   * @param deletes new delete changes applied
   * @param historyRowsOpened SCD2 history rows opened (0 for SCD1)
   */
  public record CdcApplied(long upserts, long deletes, long historyRowsOpened) {}

  /** A write that changed nothing. */
  public static Commit nothing(OptionalLong version) {
    return new Commit(false, 0, version);
  }
}
