package io.medallion.table;

import java.util.OptionalLong;

/**
 * What a {@link DeltaSink} write did.
 *
 * @param committed false when Delta skipped the write because its {@link Txn} was already
 *     committed (a replayed batch), or nothing was written
 * @param rowsWritten rows the write's commits inserted or updated (MERGE: inserted + updated;
 *     appends and replaces: output rows), read from the Delta log
 * @param version the table's version after the write, empty if the table does not exist
 */
public record Commit(boolean committed, long rowsWritten, OptionalLong version) {
  /** A write that changed nothing. */
  public static Commit nothing(OptionalLong version) {
    return new Commit(false, 0, version);
  }
}
