package io.medallion.table;

import io.medallion.table.internal.DeltaTables;
import io.medallion.table.TableFeatures;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * Upkeep of one Delta table: OPTIMIZE (liquid clustering for a clustered table, Z-order by
 * {@code z-order-by}, else compaction of small files), then VACUUM with the table's own retention
 * ({@code delta.deletedFileRetentionDuration}, 7 days unless set). VACUUM is never given a
 * shorter {@code RETAIN} and Delta's retention safety check is never turned off: files a reader
 * or a time-travel query within the retention may still need are kept.
 */
public final class TableMaintenance {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableMaintenance.class);

  private TableMaintenance() {}

  /**
   * What maintenance did to one table.
   *
   * @param optimize what OPTIMIZE did ({@code clustering}, {@code z-order by [..]}, {@code compaction})
   * @param retention the VACUUM retention used
   * @param vacuumed files VACUUM deleted (from its {@code VACUUM END} commit; -1 when Delta did not
   *     record it)
   * @param supersededRemoved for a CDC table's stored changes ({@link #maintainChanges}), the
   *     superseded changes removed before OPTIMIZE; -1 for every other table, and for stored
   *     changes that are all kept (SCD type 2, ignore-null options, a batch table re-reading its input)
   */
  public record Report(String label, TableName name, long filesBefore, long bytesBefore, long filesAfter,
      long bytesAfter, String optimize, String retention, long vacuumed, long supersededRemoved) {
    /** A report of a table that is not a CDC table's stored changes. */
    public Report(String label, TableName name, long filesBefore, long bytesBefore, long filesAfter,
        long bytesAfter, String optimize, String retention, long vacuumed) {
      this(label, name, filesBefore, bytesBefore, filesAfter, bytesAfter, optimize, retention, vacuumed, -1);
    }

    /**
     * One line: {@code gold.x (c.s.t): OPTIMIZE (compaction) files 12 -> 1, bytes 3.1 KB -> 1.2 KB; VACUUM ...},
     * after {@code N superseded change(s) removed; } for stored changes.
     */
    public String summary() {
      return label + " (" + name + "): "
          + (supersededRemoved < 0 ? "" : supersededRemoved + " superseded change(s) removed; ")
          + "OPTIMIZE (" + optimize + ") files " + filesBefore + " -> " + filesAfter
          + ", bytes " + bytes(bytesBefore) + " -> " + bytes(bytesAfter) + "; VACUUM (retention " + retention
          + (vacuumed < 0 ? ") done (the files deleted were not recorded)" : ") deleted " + vacuumed + " file(s)");
    }

    private static String bytes(long b) {
      return b < 1024 ? b + " B" : b < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KB", b / 1024.0)
          : String.format(Locale.ROOT, "%.1f MB", b / (1024.0 * 1024));
    }
  }

  private static final String VACUUM_LOGGING = "spark.databricks.delta.vacuum.logging.enabled";

  /**
   * Optimizes and vacuums a table.
   *
   * @param label how the table is named in reports ({@code gold.daily}, {@code event log}, ...)
   * @param spec its layout from the config ({@link TableSpec#zOrderBy()} is used for unclustered tables)
   */
  public static Report maintain(SparkSession spark, String label, TableName name, TableSpec spec) {
    DeltaLog log = DeltaTables.deltaLog(spark, name);
    if (log == null) {
      throw TableErrors.notMaintainable(label, name);
    }
    Snapshot before = log.update(false, Option.empty(), Option.empty());
    String table = name.quoted();
    String optimize;
    if (!TableFeatures.clustering(spark, name).isEmpty()) {
      spark.sql("OPTIMIZE " + table);
      optimize = "clustering";
    } else if (!spec.zOrderBy().isEmpty()) {
      spark.sql("OPTIMIZE " + table + " ZORDER BY ("
          + spec.zOrderBy().stream().map(TableName::quote).collect(Collectors.joining(", ")) + ")");
      optimize = "z-order by " + spec.zOrderBy();
    } else {
      spark.sql("OPTIMIZE " + table);
      optimize = "compaction";
    }
    Snapshot optimized = log.update(false, Option.empty(), Option.empty());
    Map<String, String> conf = JavaConverters.mapAsJavaMap(optimized.metadata().configuration());
    String retention = conf.getOrDefault("delta.deletedFileRetentionDuration", "interval 1 week (default)");
    // No RETAIN clause: Delta uses the table's retention and keeps its safety check. One listing:
    // the files deleted are counted by VACUUM itself, in its "VACUUM END" commit (Delta's vacuum
    // logging, on by default for cloud storage only; on here, on a clone of the session), not by a
    // DRY RUN that lists the table a second time (and could count other files than VACUUM deletes)
    SparkSession logged = spark.cloneSession();
    logged.conf().set(VACUUM_LOGGING, "true");
    vacuum(logged, table);
    long vacuumed = DeltaTables.operationMetric(spark, name, optimized.version(), "VACUUM END", "numDeletedFiles").orElse(-1);
    Snapshot after = log.update(false, Option.empty(), Option.empty());
    return new Report(label, name, before.numOfFiles(), before.sizeInBytes(), after.numOfFiles(),
        after.sizeInBytes(), optimize, retention, vacuumed);
  }

  /**
   * Runs VACUUM. Delta prints "Deleted N files and directories in a total of M directories." to
   * the console (Scala's {@code println}); that line goes to this class's log instead, so that a
   * command's output holds its own lines only. {@code Console.withOut} is per thread: other
   * threads' console output is untouched.
   */
  private static void vacuum(SparkSession spark, String table) {
    java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
    try {
      scala.Console$.MODULE$.withOut(console, () -> spark.sql("VACUUM " + table));
    } finally {
      String text = console.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
      if (!text.isEmpty()) {
        LOG.info("VACUUM {}: {}", table, text);
      }
    }
  }

  /**
   * Maintains the stored changes of the CDC table {@code target} (its companion table
   * {@code <table>__cdc_changes}, which keeps every applied change: the tombstones and what late
   * changes are replayed with). For SCD type 1 without ignore-null options whose changes arrive
   * once, the changes no later batch can need are removed first: every change of a key but its
   * newest (exact: docs/cdc.md, "Stored changes and maintain"). SCD type 2 and ignore-null options
   * need every change; a table that re-reads its whole input every run needs every change to
   * recognize it as already applied (removed, it would be stored and counted again). Those keep
   * them. Then OPTIMIZE and VACUUM, as {@link #maintain}. {@code filesBefore}/{@code bytesBefore}
   * are the companion's before the removal.
   *
   * @param label how the stored changes are named in reports ({@code silver.customers changes})
   * @param changesArriveOnce true when each change reaches the table once, apart from rare
   *     redeliveries: a streaming table, or changes derived from snapshots; false for a batch table
   *     that reads its whole input every run
   * @throws io.medallion.MedallionException if the companion does not exist
   */
  public static Report maintainChanges(SparkSession spark, String label, TableName target, CdcSpec spec,
      boolean changesArriveOnce) {
    TableName changes = changesTable(target);
    DeltaLog log = DeltaTables.deltaLog(spark, changes);
    if (log == null) {
      throw TableErrors.notMaintainable(label, changes);
    }
    Snapshot before = log.update(false, Option.empty(), Option.empty());
    java.util.OptionalLong removed = changesArriveOnce
        ? io.medallion.table.internal.cdc.CdcEngine.removeSupersededChanges(spark, target, spec)
        : java.util.OptionalLong.empty();
    Report r = maintain(spark, label, changes, noSpec());
    return new Report(label, changes, before.numOfFiles(), before.sizeInBytes(), r.filesAfter(), r.bytesAfter(),
        r.optimize(), r.retention(), r.vacuumed(), removed.orElse(-1));
  }

  /** The table holding the stored changes of the CDC table {@code target}: {@code <table>__cdc_changes} beside it. */
  public static TableName changesTable(TableName target) {
    return io.medallion.table.internal.cdc.CdcEngine.changesTable(target);
  }

  /** The spec of a table medallion creates itself (quarantine tables, the event log). */
  public static TableSpec noSpec() {
    return new TableSpec(java.util.Optional.empty(), List.of(), Map.of());
  }
}
