package io.medallion.table;

import java.util.List;
import java.util.Optional;

/**
 * How the {@link DeltaSink} writes a batch of rows into a table. To add a write mode (CDC, say),
 * add a record here and its case in {@code table.internal.DeltaWriter}.
 */
public sealed interface Write {
  /** Appends the rows; the table's schema stays as it is (a new column fails the write). */
  static Write append() {
    return new Append(false);
  }

  /** Appends the rows and adds columns the table does not have yet (bronze: sources evolve). */
  static Write appendEvolvingSchema() {
    return new Append(true);
  }

  /** Replaces the table's contents and layout atomically (creating it if needed). */
  static Write replace() {
    return new Replace();
  }

  /**
   * Upserts by key (MERGE): one row per key of the batch is kept (see {@link Merge}); a kept row
   * updates the table's row of the same key, or is inserted.
   */
  static Write merge(List<String> keys, Optional<String> sequenceBy) {
    return new Merge(keys, sequenceBy);
  }

  /**
   * Replaces the table's rows matching {@code condition} (a SQL condition on the table's columns)
   * with the rows, in one commit (Delta's {@code replaceWhere}); every row written must match it.
   * Incremental gold replaces the groups it recomputed this way: a group that became empty is gone.
   */
  static Write replaceWhere(String condition) {
    return new ReplaceWhere(condition);
  }

  /** Writes no rows but makes a commit (to record {@link #recording} metadata). */
  static Write commitOnly() {
    return new CommitOnly();
  }

  /**
   * {@code write} ({@link #replace()}, {@link #replaceWhere} or {@link #commitOnly()}), with {@code
   * userMetadata} recorded in the Delta commit that writes the rows (incremental gold records its
   * inputs' versions this way, see {@link RefreshState}). The text travels with the write itself,
   * never through the session's settings, so concurrent writes in one session do not mix it up.
   */
  static Write recording(Write write, String userMetadata) {
    if (!(write instanceof Replace || write instanceof ReplaceWhere || write instanceof CommitOnly)) {
      throw new IllegalArgumentException("cannot record metadata with " + write);
    }
    return new Recording(write, userMetadata);
  }

  /** See {@link #replaceWhere}. */
  record ReplaceWhere(String condition) implements Write {}

  /** See {@link #commitOnly()}. */
  record CommitOnly() implements Write {}

  /** See {@link #recording}. */
  record Recording(Write write, String userMetadata) implements Write {}

  /**
   * Applies the rows as change events (AUTO CDC, SCD type 1 or 2) by {@code spec}'s rules; the
   * target and its companion {@code <table>__cdc_changes} table are created by {@link
   * DeltaSink#prepare}. {@code where} names the spec in errors (its config path).
   */
  static Write cdc(CdcSpec spec, String where) {
    return new Cdc(spec, where);
  }

  /**
   * Applies the rows as one full snapshot (snapshot CDC, DLT's from-snapshot flow, see {@link
   * Snapshots}): the changes from the last applied snapshot are derived and applied by {@code
   * spec}'s rules. The write's {@link Txn} version is the snapshot version (it must be present); a
   * version at or below the last applied one commits nothing, and an older one is reported with a
   * warning ({@link Commit#warning()}).
   */
  static Write cdcSnapshot(CdcSpec spec, String where) {
    return new CdcSnapshot(spec, where);
  }

  /** See {@link #cdcSnapshot}. */
  record CdcSnapshot(CdcSpec spec, String where) implements Write {}

  /** See {@link #append()} and {@link #appendEvolvingSchema()}. */
  record Append(boolean mergeSchema) implements Write {}

  /** See {@link #cdc}. */
  record Cdc(CdcSpec spec, String where) implements Write {}

  /** See {@link #replace()}. */
  record Replace() implements Write {}

  /**
   * A keyed MERGE. Of the batch's rows with the same key, the one with the greatest {@code
   * sequenceBy} wins (NULLs lose); on ties and without {@code sequenceBy} the one whose values, as
   * JSON text ({@code to_json(struct(*))}), sort last wins. The choice is deterministic: a replayed
   * batch keeps the same row. It is not the order of arrival: declare {@code sequenceBy} to say
   * which row is newest. A table row is updated only when the kept row's {@code sequenceBy} is
   * greater or equal (or the table's is NULL).
   */
  record Merge(List<String> keys, Optional<String> sequenceBy) implements Write {
    public Merge {
      keys = List.copyOf(keys);
      if (keys.isEmpty()) {
        throw TableErrors.mergeWithoutKeys();
      }
    }
  }
}
