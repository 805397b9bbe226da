package io.medallion.table.internal.cdc;

import static io.medallion.table.internal.cdc.CdcColumns.quote;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.LatestVersion;
import io.medallion.table.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot CDC (DLT's {@code create_auto_cdc_from_snapshot_flow}): each input is a full snapshot of
 * the source with a version; the changes are derived and applied as SCD type 1 or 2 with the
 * version as the sequence ({@code __START_AT}/{@code __END_AT} are versions: {@code BIGINT}, or
 * {@code TIMESTAMP} when the spec's snapshots are versioned by time, whose {@code long} version is
 * then the time in microseconds since the epoch, see {@link SnapshotVersions}).
 *
 * <p><b>Derivation.</b> Against the state the stored changes give (not the target, so a crash
 * between the target's MERGE and the companion's append derives the same changes again): a key
 * missing from the state, or whose kept columns differ, is an upsert at the version; a key of the
 * state missing from the snapshot is a delete at the version; unchanged keys produce nothing.
 *
 * <p><b>Order.</b> The last applied version is a target table property ({@value #VERSION_PROPERTY}),
 * set after the changes are applied. A snapshot at or below it is skipped: equal is a rerun (a
 * no-op), lower is a late snapshot, skipped with a warning. A crash before the property is set is
 * repaired by the rerun: the changes are already stored, so none are derived, and the MERGE and
 * append carry the version as Delta transaction version.
 */
public final class CdcSnapshots {
  /** The target property holding the last applied snapshot version. */
  public static final String VERSION_PROPERTY = "medallion.cdc.snapshotVersion";
  /** The target property holding every applied snapshot version, as ranges ("1-3,5"). */
  public static final String APPLIED_PROPERTY = "medallion.cdc.snapshotVersionsApplied";
  static final String VERSION = "__snapshot_version";
  static final String SNAPSHOT_OP = "__snapshot_op";
  private static final Logger LOG = LoggerFactory.getLogger(CdcSnapshots.class);

  /** What happened to one snapshot. */
  public enum Outcome { APPLIED, ALREADY_APPLIED, SKIPPED_LATE }

  /**
   * @param outcome applied, a rerun of the last version, or an older version skipped
   * @param lastVersion the last applied version after this call
   * @param changes the changes applied (zero unless applied)
   * @param message for the event log: why a snapshot was skipped (empty when applied)
   */
  public record Result(Outcome outcome, long version, long lastVersion, CdcResult changes, String message) {}

  private final SparkSession spark;
  private final TableName target;
  private final CdcEngine engine;
  private final CdcColumns c;
  private final boolean time;
  /** The target's column types when it was prepared (see {@link #withTableTypes}). */
  private final Map<String, DataType> tableTypes;

  private CdcSnapshots(SparkSession spark, TableName target, CdcEngine engine, CdcColumns c, boolean time,
      Map<String, DataType> tableTypes) {
    this.spark = spark;
    this.target = target;
    this.engine = engine;
    this.c = c;
    this.time = time;
    this.tableTypes = tableTypes;
  }

  /** True when {@code spec}'s snapshots are versioned by time. */
  static boolean timeVersions(CdcSpec spec) {
    return spec.fromSnapshot().map(CdcSpec.FromSnapshot::timeVersions).orElse(false);
  }

  /**
   * The spec snapshots are applied with: {@code spec}'s keys, column lists, SCD type and history
   * lists, with the snapshot version as the sequence and derived deletes. {@code spec}'s own
   * sequence and delete/truncate conditions are not used.
   */
  static CdcSpec changeSpec(CdcSpec spec) {
    List<String> except = new ArrayList<>(spec.exceptColumnList());
    if (spec.columnList().isEmpty()) {
      except.add(VERSION);
      except.add(SNAPSHOT_OP);
    }
    return new CdcSpec(spec.keys(), List.of(VERSION), java.util.Optional.of(SNAPSHOT_OP + " = 'D'"),
        java.util.Optional.empty(), spec.columnList(), except, spec.storedAsScdType(),
        spec.trackHistoryColumnList(), spec.trackHistoryExceptColumnList(), false, List.of(), List.of(),
        spec.tombstoneRetention());
  }

  /**
   * The change rows' schema for a snapshot schema: the snapshot's columns, the version ({@code
   * BIGINT}, or {@code TIMESTAMP} for time versions) and the operation.
   */
  static StructType changeSchema(StructType snapshot, boolean time) {
    return snapshot.add(VERSION, time ? DataTypes.TimestampType : DataTypes.LongType)
        .add(SNAPSHOT_OP, DataTypes.StringType);
  }

  /** The target's columns for snapshots of {@code snapshot}'s columns, after checking {@code spec} against them. */
  private static StructType targetSchema(CdcSpec spec, StructType snapshot, String where) {
    return CdcEngine.targetSchema(changeSpec(spec), changeSchema(snapshot, timeVersions(spec)), where);
  }

  /**
   * The target's columns as a run writes them into {@code target}: where the table exists, a
   * snapshot column of a type Spark can up-cast to the table's has the table's type, and stored
   * versions of the other type fail, as {@link #prepare} does; for {@code validate}.
   */
  public static StructType targetSchema(SparkSession spark, TableName target, CdcSpec spec, StructType snapshot,
      String where) {
    boolean time = timeVersions(spec);
    Map<String, DataType> tableTypes = targetColumns(spark, target);
    checkVersionType(spark, target, tableTypes, time, where);
    return CdcEngine.targetSchema(changeSpec(spec), changeSchema(withTableTypes(snapshot, tableTypes), time), where);
  }

  /** Fails when the existing target's stored versions are of the other type than {@code time} says. */
  private static void checkVersionType(SparkSession spark, TableName target, Map<String, DataType> tableTypes,
      boolean time, String where) {
    TableName companion = CdcEngine.changesTable(target);
    if (!tableTypes.isEmpty() && DeltaTables.exists(spark, companion)) { // created with the target
      StructType stored = spark.read().table(companion.quoted()).schema();
      if (java.util.Arrays.asList(stored.fieldNames()).contains(VERSION)
          && stored.apply(VERSION).dataType().equals(DataTypes.TimestampType) != time) {
        throw CdcErrors.versionTypeChanged(where, target.toString(), time ? "number" : "time",
            time ? "version-type = timestamp" : "version-type = number");
      }
    }
  }

  /**
   * Checks {@code spec} against the snapshot's columns and creates the target and its companion.
   * An existing target whose stored versions are of the other type (a changed {@code version-type})
   * fails, naming the fix, before anything is written.
   */
  public static CdcSnapshots prepare(SparkSession spark, TableName target, CdcSpec spec, StructType snapshot,
      String where, TableSpec layout) {
    boolean time = timeVersions(spec);
    Map<String, DataType> tableTypes = targetColumns(spark, target);
    checkVersionType(spark, target, tableTypes, time, where);
    CdcSpec changeSpec = changeSpec(spec);
    StructType input = changeSchema(withTableTypes(snapshot, tableTypes), time);
    CdcEngine engine = CdcEngine.prepare(spark, target, changeSpec, input, where, layout);
    return new CdcSnapshots(spark, target, engine, CdcColumns.resolve(changeSpec, input, where), time, tableTypes);
  }

  /**
   * The snapshot's columns with the types the table already has where the snapshot's type differs
   * and Spark can up-cast it to the table's ({@link #checkColumns} refuses any other difference):
   * an {@code INT} read where the table has {@code BIGINT} is a {@code BIGINT}, so the changes, the
   * stored ones and the target agree on one type.
   */
  private static StructType withTableTypes(StructType snapshot, Map<String, DataType> tableTypes) {
    StructType out = new StructType();
    for (StructField f : snapshot.fields()) {
      DataType table = tableTypes.get(f.name().toLowerCase(java.util.Locale.ROOT));
      boolean cast = table != null && !table.equals(f.dataType())
          && org.apache.spark.sql.catalyst.expressions.Cast.canUpCast(f.dataType(), table);
      out = out.add(cast ? new StructField(f.name(), table, f.nullable(), f.metadata()) : f);
    }
    return out;
  }

  /** {@code rows} cast as {@link #withTableTypes} says (the same rows when no type differs). */
  private Dataset<Row> withTableTypes(Dataset<Row> rows) {
    StructType aligned = withTableTypes(rows.schema(), tableTypes);
    if (aligned.equals(rows.schema())) {
      return rows;
    }
    List<Column> out = new ArrayList<>();
    for (StructField f : aligned.fields()) {
      out.add(col(quote(f.name())).cast(f.dataType()).as(f.name()));
    }
    return rows.select(out.toArray(Column[]::new));
  }

  /**
   * The columns a snapshot must have for the target as it stands, with their types: its data
   * columns (without SCD2's {@code __START_AT}/{@code __END_AT}), by lower-case name; empty when it
   * does not exist yet.
   */
  public static java.util.Map<String, DataType> targetColumns(SparkSession spark, TableName target) {
    java.util.Map<String, DataType> out = new java.util.LinkedHashMap<>();
    if (DeltaTables.exists(spark, target)) {
      for (StructField f : spark.read().table(target.quoted()).schema().fields()) {
        if (!f.name().equals(CdcEngine.START) && !f.name().equals(CdcEngine.END)) {
          out.put(f.name().toLowerCase(java.util.Locale.ROOT), f.dataType());
        }
      }
    }
    return out;
  }

  /**
   * Checks the snapshot at {@code version} against {@code columns}, the columns the table has
   * before it (from {@link #targetColumns}, plus those of the versions before it in the run): a
   * missing one fails, and so does one whose type Spark cannot up-cast to the table's (Delta's MERGE
   * would fail on it, or cast it with loss), each naming the column and the fix. A new column is
   * fine: the target and its companion gain it, as Delta's schema evolution would.
   *
   * @return the columns the table has after this snapshot
   */
  public static java.util.Map<String, DataType> checkColumns(CdcSpec spec, TableName target, long version,
      StructType snapshot, java.util.Map<String, DataType> columns, String where) {
    java.util.Map<String, DataType> has = new java.util.LinkedHashMap<>();
    for (StructField f : snapshot.fields()) {
      has.put(f.name().toLowerCase(java.util.Locale.ROOT), f.dataType());
    }
    String label = SnapshotVersions.label(version, timeVersions(spec));
    List<String> missing = columns.keySet().stream().filter(c -> !has.containsKey(c)).toList();
    if (!missing.isEmpty()) {
      throw CdcErrors.snapshotLacksColumns(where, target.toString(), label, missing, List.of(snapshot.fieldNames()));
    }
    for (java.util.Map.Entry<String, DataType> c : columns.entrySet()) {
      DataType now = has.get(c.getKey());
      if (!now.equals(c.getValue()) && !org.apache.spark.sql.catalyst.expressions.Cast.canUpCast(now, c.getValue())) {
        throw CdcErrors.snapshotColumnType(where, target.toString(), label, c.getKey(), now.sql(), c.getValue().sql(),
            spec.fromSnapshot().map(CdcSpec.FromSnapshot::isFolder).orElse(false));
      }
    }
    java.util.Map<String, DataType> after = new java.util.LinkedHashMap<>(columns);
    for (StructField f : targetSchema(spec, snapshot, where).fields()) {
      if (!f.name().equals(CdcEngine.START) && !f.name().equals(CdcEngine.END)) {
        after.putIfAbsent(f.name().toLowerCase(java.util.Locale.ROOT), f.dataType());
      }
    }
    return after;
  }

  /** The last applied snapshot version (for time versions: microseconds since the epoch), if any. */
  public OptionalLong lastVersion() {
    return lastVersion(DeltaTables.properties(spark, target));
  }

  private static OptionalLong lastVersion(Map<String, String> props) {
    String v = props.get(VERSION_PROPERTY);
    return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
  }

  /**
   * One snapshot version still to handle.
   *
   * @param version the snapshot version
   * @param lateWarning present when the version is older than the last applied one and was never
   *     applied: it is skipped, and the warning says why and what to do
   */
  public record Pending(long version, java.util.Optional<String> lateWarning) {}

  /**
   * Of {@code available} snapshot versions, those a run handles, ascending: versions newer than the
   * last applied one (to apply), and older versions never applied (late: to skip with a warning;
   * they are reported on every run while they stay available). Applied versions are left out, so a
   * rerun handles nothing. A target that does not exist yet has applied nothing.
   */
  public static List<Pending> pending(SparkSession spark, TableName target, CdcSpec spec,
      java.util.Collection<Long> available) {
    boolean time = timeVersions(spec);
    Map<String, String> props = DeltaTables.exists(spark, target)
        ? DeltaTables.properties(spark, target) : Map.of();
    OptionalLong last = lastVersion(props);
    java.util.Set<Long> applied = SnapshotVersions.parse(props.getOrDefault(APPLIED_PROPERTY, ""));
    last.ifPresent(applied::add); // targets written before the list was kept know only the last
    List<Pending> out = new ArrayList<>();
    for (long v : new java.util.TreeSet<>(available)) {
      if (applied.contains(v)) {
        continue;
      }
      boolean late = last.isPresent() && v < last.getAsLong();
      out.add(new Pending(v, late ? java.util.Optional.of(lateMessage(target, v, last.getAsLong(), time))
          : java.util.Optional.empty()));
    }
    return out;
  }

  private static String lateMessage(TableName target, long version, long last, boolean time) {
    return "snapshot version " + SnapshotVersions.label(version, time) + " of " + target + " skipped: it is older"
        + " than the last applied version " + SnapshotVersions.label(last, time) + " (snapshots are applied in version order; a late older"
        + " snapshot cannot change the table). To apply it, full-refresh the table and replay the snapshots";
  }

  /** Applies one full snapshot at {@code version} (see the class comment for order and reruns). */
  public Result apply(Dataset<Row> snapshot, long version) {
    Map<String, String> props = DeltaTables.properties(spark, target); // read once: a Delta log read
    OptionalLong last = lastVersion(props);
    if (last.isPresent() && version <= last.getAsLong()) {
      if (version == last.getAsLong()) {
        return new Result(Outcome.ALREADY_APPLIED, version, version, CdcResult.nothing(0), "snapshot version "
            + SnapshotVersions.label(version, time) + " of " + target + " was applied already: nothing to do");
      }
      String message = lateMessage(target, version, last.getAsLong(), time);
      LOG.warn(message);
      return new Result(Outcome.SKIPPED_LATE, version, last.getAsLong(), CdcResult.nothing(0), message);
    }
    java.util.Set<Long> applied = SnapshotVersions.parse(props.getOrDefault(APPLIED_PROPERTY, ""));
    applied.add(version);
    // The derived changes are computed once, then kept for the engine: it reads its batch twice
    // (the stored changes of the batch's keys, then the batch itself; three times with a key range),
    // and each read would otherwise derive them again, a scan and fold of every stored change and a
    // join with the whole snapshot (docs/cdc.md, "Snapshot CDC").
    // one version of the stored changes for the derivation and the engine's reads
    LatestVersion stored = LatestVersion.of(spark, CdcEngine.changesTable(target));
    Dataset<Row> changes = KeptRows.of(changes(withTableTypes(snapshot), version, stored));
    CdcResult r;
    try {
      r = engine.apply(changes, "snapshot:" + target, version, stored);
    } finally {
      KeptRows.release(changes);
    }
    spark.sql("ALTER TABLE " + target.quoted() + " SET TBLPROPERTIES ('" + VERSION_PROPERTY + "' = '" + version
        + "', '" + APPLIED_PROPERTY + "' = '" + SnapshotVersions.format(applied) + "')");
    return new Result(Outcome.APPLIED, version, version, r, "");
  }

  /** Forgets deletes older than the spec's tombstone retention before {@code now} (see {@link CdcEngine}). */
  public long expireTombstones(java.time.Instant now) {
    return engine.expireTombstones(now);
  }

  /** The changes from the stored state ({@code storedChanges}) to {@code snapshot}, at {@code version}. */
  private Dataset<Row> changes(Dataset<Row> snapshot, long version, LatestVersion storedChanges) {
    List<String> data = c.target.stream().filter(t -> !c.keys.contains(t)).toList();
    Dataset<Row> stored = storedChanges.read().select(CdcEngine.eventColumns(c));
    Dataset<Row> state = CdcFold.fold(stored, c, false).as("o");
    Dataset<Row> now = snapshot.as("n");
    Column on = lit(true);
    for (String k : c.keys) {
      on = on.and(col("o." + quote(k)).equalTo(col("n." + quote(k))));
    }
    Column[] nData = data.stream().map(d -> col("n." + quote(d))).toArray(Column[]::new);
    Column[] oData = data.stream().map(d -> col("o." + quote(d))).toArray(Column[]::new);
    Column oldMissing = col("o." + quote(c.keys.get(0))).isNull();
    Column newMissing = col("n." + quote(c.keys.get(0))).isNull();
    Column changed = data.isEmpty() ? lit(false) : org.apache.spark.sql.functions.not(struct(nData).eqNullSafe(struct(oData)));
    List<Column> out = new ArrayList<>();
    for (String name : c.input.fieldNames()) {
      if (name.equals(VERSION)) {
        out.add((time ? org.apache.spark.sql.functions.timestamp_micros(lit(version)) : lit(version)).as(VERSION));
      } else if (name.equals(SNAPSHOT_OP)) {
        out.add(org.apache.spark.sql.functions.when(newMissing, "D").otherwise("U").as(SNAPSHOT_OP));
      } else if (c.keys.contains(name)) {
        out.add(org.apache.spark.sql.functions.coalesce(col("n." + quote(name)), col("o." + quote(name))).as(name));
      } else {
        out.add(col("n." + quote(name)).as(name));
      }
    }
    return state.join(now, on, "full_outer").where(newMissing.or(oldMissing).or(changed))
        .select(out.toArray(Column[]::new));
  }
}
