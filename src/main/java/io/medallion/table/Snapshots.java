package io.medallion.table;

import io.medallion.table.internal.cdc.CdcSnapshots;
import io.medallion.table.internal.cdc.SnapshotFolder;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * Snapshot CDC (DLT's from-snapshot flow, see {@link CdcSpec.FromSnapshot}): which snapshot
 * versions a run handles, and the folders they are read from. Each is then written with {@link
 * Write#cdcSnapshot} and its version as the {@link Txn} version.
 *
 * <p>A version is a {@code long}: a version number, or, for snapshots versioned by time ({@link
 * CdcSpec.FromSnapshot#timeVersions}), the time in microseconds since the epoch ({@link #version}).
 *
 * <p>Order: versions newer than the target's last applied one are applied in ascending order; an
 * older version that was never applied (it arrived late) is skipped with a warning, on every run
 * while it stays available; applied versions are left out, so a rerun handles nothing. The applied
 * versions are target properties ({@code medallion.cdc.snapshotVersion},
 * {@code medallion.cdc.snapshotVersionsApplied}), set in the commit after each snapshot's changes.
 */
public final class Snapshots {
  private Snapshots() {}

  /**
   * A snapshot version a run handles.
   *
   * @param version the snapshot version (for snapshots versioned by time, {@link
   *     CdcSpec.FromSnapshot#timeVersions}: the time in microseconds since the epoch, see {@link #version})
   * @param lateWarning present when it is older than the last applied version: it is skipped and
   *     the warning (for the event log) says why and how to apply it
   */
  public record Pending(long version, Optional<String> lateWarning) {}

  /**
   * Of the {@code available} versions, those to handle now, ascending (see the class comment);
   * {@code spec} says whether versions are numbers or times (for the warnings' text).
   */
  public static List<Pending> pending(SparkSession spark, TableName target, CdcSpec spec, Collection<Long> available) {
    return CdcSnapshots.pending(spark, target, spec, available).stream()
        .map(p -> new Pending(p.version(), p.lateWarning()))
        .toList();
  }

  /**
   * The columns the snapshots of {@code target} must have, with their types: its data columns, by
   * lower-case name; empty when it does not exist yet. Start of {@link #checkColumns}'s chain.
   */
  public static java.util.Map<String, DataType> targetColumns(SparkSession spark, TableName target) {
    return CdcSnapshots.targetColumns(spark, target);
  }

  /**
   * Checks a pending snapshot's columns against those the table has before it ({@code columns}):
   * one that is missing, or whose type cannot be written into the table's without loss (Spark's
   * up-cast: INT into BIGINT is fine, DOUBLE into BIGINT or BIGINT into STRING is not), fails the
   * run with nothing written, naming the column, the version and the fix; new columns are added to
   * the table when it is written.
   *
   * @return the columns the table has after this snapshot, for the next version's check
   * @throws io.medallion.MedallionException when the snapshot lacks a column of the table, or has
   *     one of another type
   */
  public static java.util.Map<String, DataType> checkColumns(CdcSpec spec, TableName target, long version,
      StructType snapshot, java.util.Map<String, DataType> columns, String where) {
    return CdcSnapshots.checkColumns(spec, target, version, snapshot, columns, where);
  }

  /** The version of a snapshot taken at {@code time}: microseconds since the epoch. */
  public static long version(java.time.Instant time) {
    return java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, time);
  }

  /**
   * The versions of a snapshot folder, ascending, with their paths.
   *
   * @throws io.medallion.MedallionException on a subfolder or file whose name is not a version
   */
  public static SortedMap<Long, String> folderVersions(SparkSession spark, CdcSpec.FromSnapshot folder, String where) {
    return SnapshotFolder.versions(spark, folder, where);
  }

  /** The snapshot in one version's folder (a path from {@link #folderVersions}). */
  public static Dataset<Row> readFolder(SparkSession spark, CdcSpec.FromSnapshot folder, String versionPath) {
    return SnapshotFolder.read(spark, folder, versionPath);
  }

  /**
   * The columns of a folder's snapshots: its {@code schema}, else the newest version's.
   *
   * @throws io.medallion.MedallionException when there is neither
   */
  public static StructType folderSchema(SparkSession spark, CdcSpec.FromSnapshot folder, String where) {
    return SnapshotFolder.schema(spark, folder, where);
  }
}
