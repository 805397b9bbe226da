package io.medallion.table.internal.cdc;

import io.medallion.MedallionException;
import java.util.List;

/**
 * Every error message of the CDC engine, in one place: each says what is wrong, why, and how to
 * fix it. {@code where} is the config path of the table's {@code cdc} block (or its name for a
 * table defined in Java). Internal: no compatibility promise.
 */
public final class CdcErrors {
  private CdcErrors() {}

  static MedallionException snapshotLacksColumns(String where, String table, String version, List<String> missing,
      List<String> has) {
    return new MedallionException("snapshot version " + version + " of " + table + " rejected, nothing written in"
        + " this run: it lacks column(s) " + missing + " that the table has (the snapshot has " + has + "). A"
        + " snapshot is the whole table, and a column cannot be told apart from a column of NULLs once gone. Put"
        + " the column(s) back in the snapshot; or, to read a missing column as NULL, set " + where
        + ".from-snapshot.schema to the columns you want; or, if the column is gone for good, add it to " + where
        + ".except-column-list and full-refresh the table");
  }

  static MedallionException snapshotColumnType(String where, String table, String version, String column,
      String snapshotType, String tableType, boolean folder) {
    return new MedallionException("snapshot version " + version + " of " + table + " rejected, nothing written in"
        + " this run: column " + column + " is " + snapshotType + " in the snapshot but " + tableType + " in the"
        + " table, and its values cannot be written into " + tableType + " without loss. "
        + (folder ? "Set " + where + ".from-snapshot.schema to the columns as DDL, so that every version is read"
            + " with the same types (a reader that infers them can infer another type from other files)"
            : "Cast the column to " + tableType + " in the table's sql")
        + "; or, to change the column's type, full-refresh the table");
  }

  static MedallionException storedChangesLackColumn(String table, String changes, String column, List<String> has) {
    return new MedallionException("the stored changes of " + table + " (" + changes + ") have no column " + column
        + " (they have " + has + "), so their superseded changes cannot be removed; nothing was written. The"
        + " table's keys or sequence-by changed since the changes were stored: full-refresh the table, which"
        + " stores its changes again under the current keys and sequence");
  }

  static MedallionException unknownColumns(String where, String option, List<String> unknown, List<String> available) {
    return new MedallionException(where + "." + option + " names column(s) " + unknown
        + " that the table's input does not have: the input has " + available
        + "; fix the name or select the column in the table's sql");
  }

  static MedallionException conditionDoesNotParse(String where, String option, String condition, String problem) {
    return new MedallionException(where + "." + option + " = \"" + condition + "\" is not a SQL condition (" + problem
        + "); write one over the table's input columns, e.g. \"Op = 'D'\"");
  }

  static MedallionException conditionDoesNotResolve(String where, String option, String condition, Exception cause,
      List<String> columns) {
    return new MedallionException(where + "." + option + " = \"" + condition + "\" does not resolve over the table's"
        + " input (" + String.valueOf(cause.getMessage()).strip().lines().findFirst().orElse("") + "); the input has "
        + columns + ": write a condition over them, e.g. \"Op = 'D'\"", cause);
  }

  static MedallionException conditionNotBoolean(String where, String option, String condition, String type) {
    return new MedallionException(where + "." + option + " = \"" + condition + "\" is " + type
        + ", not a condition: it must be true for the changes it marks, e.g. \"Op = 'D'\"");
  }

  /**
   * The config path of the table whose {@code cdc} block is at {@code where}: {@code keys}, {@code
   * sequence-by}, {@code sql} and {@code expectations} are the table's settings, not the block's.
   */
  static String table(String where) {
    return where.endsWith(".cdc") ? where.substring(0, where.length() - ".cdc".length()) : where;
  }

  static MedallionException unorderable(String where, String column, String type) {
    return new MedallionException(table(where) + ".sequence-by: column " + column + " has type " + type
        + ", which cannot be ordered, so changes cannot be sequenced: use a number, a timestamp, a"
        + " date, a string or a struct of those (cast it in the table's sql)");
  }

  static MedallionException reservedColumn(String where, String column) {
    return new MedallionException(table(where) + ": the input has a column named " + column
        + ", a name the CDC target reserves: rename it in " + table(where) + ".sql");
  }

  static MedallionException scdTypeChanged(String where, String table, int stored, int configured) {
    return new MedallionException(where + ".stored-as-scd-type = " + configured + ", but " + table
        + " holds SCD type " + stored + " rows" + (stored == 1 ? " (no __START_AT/__END_AT history)" : " (history rows with __START_AT/__END_AT)")
        + ", which cannot become type " + configured + " rows in place. Nothing was written. To rebuild it as type "
        + configured + " from its input, run once with --full-refresh " + tableRef(where)
        + "; or set stored-as-scd-type back to " + stored + "; or, to keep both, define a second table with the"
        + " other type (as the crm demo's customers and customers_history)");
  }

  /** The table's {@code layer.table} in a config path {@code ...pipeline.<layer>.<table>.cdc}, else the table path. */
  private static String tableRef(String where) {
    String path = table(where);
    int at = path.lastIndexOf("pipeline.");
    return at >= 0 ? path.substring(at + "pipeline.".length()) : path;
  }

  static MedallionException nullKey(String where, String table, String column, String row) {
    return new MedallionException("CDC batch for " + table + " rejected, nothing written: NULL in key column "
        + column + " (change " + row + "). Every change needs its key: filter or fix such rows in "
        + table(where) + ".sql, or send them to quarantine with an expectation in " + table(where)
        + ".expectations, e.g. { expr = \"" + column + " IS NOT NULL\", on-violation = quarantine }");
  }

  static MedallionException nullSequence(String where, String table, String column, String row) {
    return new MedallionException("CDC batch for " + table + " rejected, nothing written: NULL in sequence-by column "
        + column + " (change " + row + "). Changes are ordered by sequence-by and NULL cannot be ordered:"
        + " fill it in " + table(where) + ".sql (e.g. COALESCE), or send such rows to quarantine with an expectation in "
        + table(where) + ".expectations, e.g. { expr = \"" + column + " IS NOT NULL\", on-violation = quarantine }");
  }

  static MedallionException nullOperation(String where, String table, String option, String condition, String row) {
    return new MedallionException("CDC batch for " + table + " rejected, nothing written: " + where + "." + option
        + " (" + condition + ") is NULL for change " + row + ", so it is neither an upsert nor a delete"
        + " (a missing Op value?): fix the source, or make the condition total, e.g. COALESCE(Op, 'I') = 'D'");
  }

  static MedallionException conflict(String table, String key, String sequence) {
    return new MedallionException("CDC batch for " + table + " rejected, nothing written: two different changes"
        + " for key " + key + " have the same sequence value " + sequence + ", so their order is undefined:"
        + " make sequence-by unique per key (add a tie-breaker column, e.g. sequence-by = [commit_ts, lsn])");
  }

  static MedallionException notASnapshotVersion(String where, String root, String name, boolean directory,
      boolean time) {
    return new MedallionException(where + ".from-snapshot.path: " + root + " holds "
        + (directory ? "a subfolder named '" + name + "', which is not a snapshot "
            + (time ? "time (version-type = timestamp)" : "version")
            : "a file '" + name + "' at its top, where only snapshot version subfolders belong")
        + (time ? ": each snapshot goes in a subfolder named by its time, a date or a date-time in ISO-8601,"
            + " optionally after <name>= (e.g. 2026-12-01/, snapshot_date=2026-12-01/, 2026-12-01T06:30:00Z/;"
            + " UTC unless it has an offset)"
            : ": each snapshot goes in a subfolder named v=<n> or <n> (a whole number, e.g. v=1/ or 20261201/)")
        + "; rename or move it, or prefix its name with _ to have it ignored");
  }

  static MedallionException versionTypeChanged(String where, String table, String stored, String configured) {
    return new MedallionException(where + ".from-snapshot.version-type: " + table + " holds snapshots versioned"
        + " by " + stored + ", but the table now says " + configured + ": the versions already applied (and"
        + " SCD type 2's __START_AT/__END_AT) cannot be compared with the new ones. Set version-type back, or"
        + " full-refresh the table to replay its snapshots with the new versions");
  }

  static MedallionException snapshotVersionTwice(String where, String root, String version, String a, String b) {
    return new MedallionException(where + ".from-snapshot.path: " + root + " holds version " + version
        + " twice (subfolders '" + a + "' and '" + b + "'), so it is unclear which is the snapshot:"
        + " keep one of them");
  }

  static MedallionException snapshotFolderUnreadable(String where, String root, Exception cause) {
    return new MedallionException(where + ".from-snapshot.path: cannot list " + root + " ("
        + cause.getMessage() + "): check the path and the storage credentials", cause);
  }

  static MedallionException noSnapshotYet(String where, String root) {
    return new MedallionException(where + ".from-snapshot: " + root + " holds no snapshot version yet, so its"
        + " columns are unknown: land the first snapshot in " + root + "/v=1/, or declare the columns with"
        + " schema = \"<columns as DDL>\" in from-snapshot");
  }
}
