package io.medallion.table;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a silver table applies a change feed (DLT's AUTO CDC / {@code APPLY CHANGES}, with its
 * option names hyphenated in config: {@code apply-as-deletes}, {@code stored-as-scd-type}, ...).
 *
 * <p>Semantics: the result equals in-order delivery of the changes by {@code sequenceBy}, whatever
 * order they arrive in, within a batch and across batches and runs. A redelivered identical change
 * is a no-op; two different changes with the same key and sequence value fail the batch; a NULL key
 * or sequence value fails the batch before anything is written. Deletes are remembered (tombstones)
 * for {@code tombstoneRetention}, so an older insert or update that arrives later stays deleted.
 * See {@code docs/cdc.md}.
 *
 * @param keys the columns identifying a row (DLT {@code keys})
 * @param sequenceBy one column, or several compared in order like a struct (DLT {@code sequence_by})
 * @param applyAsDeletes a SQL condition marking a change as a delete (empty: no deletes)
 * @param applyAsTruncates a SQL condition marking a change as a truncate; SCD type 1 only
 * @param columnList the columns kept in the target (empty: all but {@code exceptColumnList})
 * @param exceptColumnList the input columns left out of the target
 * @param storedAsScdType 1 (the latest row per key) or 2 (history rows with {@code __START_AT} and
 *     {@code __END_AT}, typed like {@code sequenceBy})
 * @param trackHistoryColumnList SCD2: the columns whose change opens a new history row (empty: every
 *     column but the keys and {@code trackHistoryExceptColumnList}); other columns update the
 *     current row in place
 * @param trackHistoryExceptColumnList SCD2: the columns not tracked
 * @param ignoreNullUpdates a NULL in an update keeps the current value of every non-key column
 * @param ignoreNullUpdatesColumnList the same for these columns only
 * @param ignoreNullUpdatesExceptColumnList the same for every non-key column but these
 * @param tombstoneRetention how long a delete is remembered (DLT's
 *     {@code pipelines.cdc.tombstoneGCThresholdInSeconds}, 2 days by default)
 * @param fromSnapshot when present, the input is a full snapshot per version (DLT's from-snapshot
 *     flow, see {@link FromSnapshot}): the changes are derived, the snapshot version is the sequence,
 *     so {@code sequenceBy}, {@code applyAsDeletes}, {@code applyAsTruncates} and the
 *     ignore-null-updates options must be unset
 */
public record CdcSpec(
    List<String> keys,
    List<String> sequenceBy,
    Optional<String> applyAsDeletes,
    Optional<String> applyAsTruncates,
    List<String> columnList,
    List<String> exceptColumnList,
    int storedAsScdType,
    List<String> trackHistoryColumnList,
    List<String> trackHistoryExceptColumnList,
    boolean ignoreNullUpdates,
    List<String> ignoreNullUpdatesColumnList,
    List<String> ignoreNullUpdatesExceptColumnList,
    Duration tombstoneRetention,
    Optional<FromSnapshot> fromSnapshot) {

  /** DLT's default tombstone retention: 2 days. */
  public static final Duration DEFAULT_TOMBSTONE_RETENTION = Duration.ofDays(2);

  /** A problem with a spec: the config key (relative to the {@code cdc} block) and what to do. */
  public record Problem(String key, String message) {}

  /**
   * Where a snapshot CDC table's snapshots come from (config: {@code cdc { from-snapshot { ... } }}).
   * Without a {@code path}, the snapshot is the table's own rows (its {@code from} table, through its
   * {@code sql}), read in batch on each run, and its version is the {@code from} table's Delta
   * version. With a {@code path}, each subfolder {@code v=<n>} or {@code <n>} (a whole number) of
   * {@code path} is the snapshot of version n, read with {@code format}, {@code schema} and
   * {@code options} as a bronze files source reads its files; names starting with {@code _} or
   * {@code .} are ignored, any other name is an error.
   *
   * <p>{@code versionType} says what a version is, and so the type of the sequence (SCD2's
   * {@code __START_AT}/{@code __END_AT}): {@link VersionType#NUMBER} (the default: the {@code from}
   * table's Delta version, or a folder name {@code v=<n>} / {@code <n>}, typed {@code BIGINT}) or
   * {@link VersionType#TIMESTAMP} (the time of the {@code from} table's Delta commit, or a folder
   * name that is a date or a date-time, optionally after {@code <name>=}, typed {@code TIMESTAMP}).
   *
   * @param path the folder of snapshot versions; empty: the table's {@code from}
   * @param format the files' format (parquet, csv, json, ...); only with a path
   * @param schema the columns as DDL; empty: inferred (as Spark's reader does)
   * @param options the reader's options, e.g. {@code header = true} for CSV
   * @param versionType a version number or a time (see above)
   */
  public record FromSnapshot(Optional<String> path, Optional<String> format, Optional<String> schema,
      Map<String, String> options, VersionType versionType) {
    /** What a snapshot version is: a number or a time. */
    public enum VersionType {
      /** A whole number: the {@code from} table's Delta version, or {@code v=<n>} / {@code <n>}. */
      NUMBER,
      /** A time: the {@code from} table's Delta commit time, or a date (-time) folder name. */
      TIMESTAMP
    }

    public FromSnapshot {
      options = Map.copyOf(options);
      versionType = versionType == null ? VersionType.NUMBER : versionType;
      if (path.isPresent() != format.isPresent()) {
        throw new IllegalArgumentException("from-snapshot: a snapshot folder needs path and format, and only a"
            + " folder takes them");
      }
      if (path.isEmpty() && (schema.isPresent() || !options.isEmpty())) {
        throw new IllegalArgumentException("from-snapshot: schema and options are for a snapshot folder (path)");
      }
    }

    /** Snapshots of the table's {@code from} table, versioned by its Delta version. */
    public static FromSnapshot fromTable() {
      return fromTable(VersionType.NUMBER);
    }

    /** Snapshots of the table's {@code from} table, versioned by its Delta version or commit time. */
    public static FromSnapshot fromTable(VersionType versionType) {
      return new FromSnapshot(Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), versionType);
    }

    /** Snapshots in version subfolders of {@code path} ({@code v=<n>} or {@code <n>}). */
    public static FromSnapshot folder(String path, String format, Optional<String> schema, Map<String, String> options) {
      return folder(path, format, schema, options, VersionType.NUMBER);
    }

    /** Snapshots in version subfolders of {@code path}, named by number or by time ({@code versionType}). */
    public static FromSnapshot folder(String path, String format, Optional<String> schema, Map<String, String> options,
        VersionType versionType) {
      return new FromSnapshot(Optional.of(path), Optional.of(format), schema, options, versionType);
    }

    /** True when versions are times (the sequence is a {@code TIMESTAMP}). */
    public boolean timeVersions() {
      return versionType == VersionType.TIMESTAMP;
    }

    /** True for a folder of snapshot versions. */
    public boolean isFolder() {
      return path.isPresent();
    }
  }

  /** A spec of a change feed (not snapshots). */
  public CdcSpec(List<String> keys, List<String> sequenceBy, Optional<String> applyAsDeletes,
      Optional<String> applyAsTruncates, List<String> columnList, List<String> exceptColumnList, int storedAsScdType,
      List<String> trackHistoryColumnList, List<String> trackHistoryExceptColumnList, boolean ignoreNullUpdates,
      List<String> ignoreNullUpdatesColumnList, List<String> ignoreNullUpdatesExceptColumnList,
      Duration tombstoneRetention) {
    this(keys, sequenceBy, applyAsDeletes, applyAsTruncates, columnList, exceptColumnList, storedAsScdType,
        trackHistoryColumnList, trackHistoryExceptColumnList, ignoreNullUpdates, ignoreNullUpdatesColumnList,
        ignoreNullUpdatesExceptColumnList, tombstoneRetention, Optional.empty());
  }

  public CdcSpec {
    fromSnapshot = fromSnapshot == null ? Optional.empty() : fromSnapshot;
    keys = List.copyOf(keys);
    sequenceBy = List.copyOf(sequenceBy);
    columnList = List.copyOf(columnList);
    exceptColumnList = List.copyOf(exceptColumnList);
    trackHistoryColumnList = List.copyOf(trackHistoryColumnList);
    trackHistoryExceptColumnList = List.copyOf(trackHistoryExceptColumnList);
    ignoreNullUpdatesColumnList = List.copyOf(ignoreNullUpdatesColumnList);
    ignoreNullUpdatesExceptColumnList = List.copyOf(ignoreNullUpdatesExceptColumnList);
    List<Problem> problems = new ArrayList<>(fromSnapshot.isPresent()
        ? snapshotProblems(keys, sequenceBy, applyAsDeletes, applyAsTruncates, ignoreNullUpdates,
            ignoreNullUpdatesColumnList, ignoreNullUpdatesExceptColumnList)
        : List.of());
    problems.addAll(problems(keys, fromSnapshot.isPresent() ? List.of("(snapshot version)") : sequenceBy,
        applyAsTruncates, columnList, exceptColumnList, storedAsScdType, trackHistoryColumnList,
        trackHistoryExceptColumnList, ignoreNullUpdates, ignoreNullUpdatesColumnList,
        ignoreNullUpdatesExceptColumnList, tombstoneRetention));
    if (!problems.isEmpty()) {
      Problem p = problems.get(0);
      throw new IllegalArgumentException("cdc." + p.key() + ": " + p.message());
    }
  }

  /** A builder with SCD type 1, no deletes, every column and a 2-day tombstone retention. */
  public static Builder builder(List<String> keys, List<String> sequenceBy) {
    return new Builder(keys, sequenceBy);
  }

  /** True when the input is full snapshots, see {@link FromSnapshot}. */
  public boolean snapshots() {
    return fromSnapshot.isPresent();
  }

  /**
   * The options a snapshot CDC spec must not set, each as a problem: the sequence is the snapshot
   * version, deletes are derived (a key missing from a snapshot), a snapshot has no truncates, and
   * its rows are whole rows (no null-ignoring updates). Keys are required as for every CDC target.
   */
  public static List<Problem> snapshotProblems(List<String> keys, List<String> sequenceBy,
      Optional<String> applyAsDeletes, Optional<String> applyAsTruncates, boolean ignoreNullUpdates,
      List<String> ignoreNullUpdatesColumnList, List<String> ignoreNullUpdatesExceptColumnList) {
    List<Problem> out = new ArrayList<>();
    if (keys.isEmpty()) {
      out.add(new Problem("keys", "a snapshot CDC target needs keys to match rows between snapshots: set"
          + " keys = [customer_id] on the table"));
    }
    if (!sequenceBy.isEmpty()) {
      out.add(new Problem("sequence-by", "from-snapshot is sequenced by the snapshot version, not by a column:"
          + " remove sequence-by from the table"));
    }
    if (applyAsDeletes.isPresent()) {
      out.add(new Problem("apply-as-deletes", "from-snapshot derives deletes (a key missing from a snapshot is"
          + " deleted): remove apply-as-deletes"));
    }
    if (applyAsTruncates.isPresent()) {
      out.add(new Problem("apply-as-truncates", "from-snapshot derives its changes (an empty snapshot deletes"
          + " every key): remove apply-as-truncates"));
    }
    if (ignoreNullUpdates || !ignoreNullUpdatesColumnList.isEmpty() || !ignoreNullUpdatesExceptColumnList.isEmpty()) {
      out.add(new Problem("ignore-null-updates", "a snapshot holds whole rows, so a NULL is a value, not a"
          + " missing update: remove ignore-null-updates and its column-list variants"));
    }
    return out;
  }

  /** True for SCD type 2. */
  public boolean scd2() {
    return storedAsScdType == 2;
  }

  /**
   * Every rule that does not need the input's columns: SCD type, truncates on SCD type 1 only, at
   * most one of each pair of lists, history options only on SCD type 2.
   */
  public static List<Problem> problems(
      List<String> keys, List<String> sequenceBy, Optional<String> applyAsTruncates,
      List<String> columnList, List<String> exceptColumnList, int storedAsScdType,
      List<String> trackHistoryColumnList, List<String> trackHistoryExceptColumnList,
      boolean ignoreNullUpdates, List<String> ignoreNullUpdatesColumnList,
      List<String> ignoreNullUpdatesExceptColumnList, Duration tombstoneRetention) {
    List<Problem> out = new ArrayList<>();
    if (keys.isEmpty()) {
      out.add(new Problem("keys", "a CDC target needs keys: set keys = [customer_id] on the table"));
    }
    if (sequenceBy.isEmpty()) {
      out.add(new Problem("sequence-by", "a CDC target needs sequence-by: set sequence-by = commit_ts"
          + " (or a list, e.g. [commit_ts, lsn]) on the table"));
    }
    if (storedAsScdType != 1 && storedAsScdType != 2) {
      out.add(new Problem("stored-as-scd-type", "is " + storedAsScdType + ": use 1 or 2"));
    }
    if (storedAsScdType == 2 && applyAsTruncates.isPresent()) {
      out.add(new Problem("apply-as-truncates", "truncates are SCD type 1 only (a truncate would erase"
          + " the history an SCD type 2 table keeps): remove apply-as-truncates or use stored-as-scd-type = 1"));
    }
    if (!columnList.isEmpty() && !exceptColumnList.isEmpty()) {
      out.add(new Problem("column-list", "set column-list or except-column-list, not both: remove one"));
    }
    if (!trackHistoryColumnList.isEmpty() && !trackHistoryExceptColumnList.isEmpty()) {
      out.add(new Problem("track-history-column-list", "set track-history-column-list or"
          + " track-history-except-column-list, not both: remove one"));
    }
    if (storedAsScdType == 1 && (!trackHistoryColumnList.isEmpty() || !trackHistoryExceptColumnList.isEmpty())) {
      out.add(new Problem("track-history-column-list", "history is kept only by SCD type 2: remove"
          + " track-history-column-list / track-history-except-column-list or set stored-as-scd-type = 2"));
    }
    int nullOptions = (ignoreNullUpdates ? 1 : 0) + (ignoreNullUpdatesColumnList.isEmpty() ? 0 : 1)
        + (ignoreNullUpdatesExceptColumnList.isEmpty() ? 0 : 1);
    if (nullOptions > 1) {
      out.add(new Problem("ignore-null-updates", "set only one of ignore-null-updates,"
          + " ignore-null-updates-column-list and ignore-null-updates-except-column-list"));
    }
    if (tombstoneRetention == null || tombstoneRetention.isNegative()) {
      out.add(new Problem("tombstone-retention", "must be a duration of zero or more, e.g. 2d"));
    }
    List<String> keysLeftOut = keys.stream().filter(k -> containsIgnoreCase(exceptColumnList, k)
        || (!columnList.isEmpty() && !containsIgnoreCase(columnList, k))).toList();
    if (!keysLeftOut.isEmpty()) {
      boolean except = !exceptColumnList.isEmpty();
      out.add(new Problem(except ? "except-column-list" : "column-list", "leaves out the key column(s) " + keysLeftOut
          + ": a CDC target keeps its keys; " + (except ? "remove them from except-column-list" : "add them to column-list")));
    }
    return out;
  }

  private static boolean containsIgnoreCase(List<String> columns, String column) {
    return columns.stream().anyMatch(column::equalsIgnoreCase);
  }

  /** A builder for {@link CdcSpec} (the Java equivalent of a {@code cdc} block). */
  public static final class Builder {
    private final List<String> keys;
    private final List<String> sequenceBy;
    private Optional<String> deletes = Optional.empty();
    private Optional<String> truncates = Optional.empty();
    private List<String> columns = List.of();
    private List<String> exceptColumns = List.of();
    private int scdType = 1;
    private List<String> track = List.of();
    private List<String> trackExcept = List.of();
    private boolean ignoreNulls;
    private List<String> ignoreNullColumns = List.of();
    private List<String> ignoreNullExcept = List.of();
    private Duration retention = DEFAULT_TOMBSTONE_RETENTION;
    private Optional<FromSnapshot> snapshot = Optional.empty();

    private Builder(List<String> keys, List<String> sequenceBy) {
      this.keys = List.copyOf(keys);
      this.sequenceBy = List.copyOf(sequenceBy);
    }

    public Builder applyAsDeletes(String condition) {
      deletes = Optional.of(condition);
      return this;
    }

    public Builder applyAsTruncates(String condition) {
      truncates = Optional.of(condition);
      return this;
    }

    public Builder columnList(List<String> value) {
      columns = value;
      return this;
    }

    public Builder exceptColumnList(List<String> value) {
      exceptColumns = value;
      return this;
    }

    /** SCD type 2: keep history. */
    public Builder scdType2() {
      scdType = 2;
      return this;
    }

    public Builder trackHistoryColumnList(List<String> value) {
      track = value;
      return this;
    }

    public Builder trackHistoryExceptColumnList(List<String> value) {
      trackExcept = value;
      return this;
    }

    /** NULLs in updates keep the current values of every non-key column. */
    public Builder ignoreNullUpdates() {
      ignoreNulls = true;
      return this;
    }

    public Builder ignoreNullUpdatesColumnList(List<String> value) {
      ignoreNullColumns = value;
      return this;
    }

    public Builder ignoreNullUpdatesExceptColumnList(List<String> value) {
      ignoreNullExcept = value;
      return this;
    }

    public Builder tombstoneRetention(Duration value) {
      retention = value;
      return this;
    }

    /** Snapshot CDC: the input is full snapshots from {@code source}. */
    public Builder fromSnapshot(FromSnapshot source) {
      snapshot = Optional.of(source);
      return this;
    }

    /** The spec; throws {@link IllegalArgumentException} naming the first broken rule. */
    public CdcSpec build() {
      return new CdcSpec(keys, sequenceBy, deletes, truncates, columns, exceptColumns, scdType, track,
          trackExcept, ignoreNulls, ignoreNullColumns, ignoreNullExcept, retention, snapshot);
    }
  }
}
