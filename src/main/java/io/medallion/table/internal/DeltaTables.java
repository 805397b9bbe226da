package io.medallion.table.internal;

import io.medallion.internal.ActiveSession;
import io.medallion.table.TableSpec;
import io.medallion.table.TableFeatures;
import io.medallion.table.TableName;
import java.util.List;
import org.apache.spark.sql.connector.catalog.CatalogPlugin;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.VersionChecksum;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.catalog.DeltaTableV2;
import scala.Option;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Delta table operations by three-level name, through SQL so they work on every catalog. */
public final class DeltaTables {
  private DeltaTables() {}

  /** Creates the table's schema if it does not exist. */
  public static void ensureSchema(SparkSession spark, TableName name) {
    spark.sql(
        "CREATE SCHEMA IF NOT EXISTS " + TableName.quote(name.catalog()) + "." + TableName.quote(name.schema()));
  }

  /** True if the table exists. */
  public static boolean exists(SparkSession spark, TableName name) {
    return spark.catalog().tableExists(name.toString());
  }

  /**
   * Creates the Delta table with the given columns and features ({@link TableFeatures}) unless it
   * exists; an existing table gets the spec's additive changes (new columns, properties,
   * constraints, clustering key, column comments) in place. Partitioning cannot change without a
   * full refresh.
   *
   * @return the additive changes applied to an existing table, one phrase each
   */
  public static List<String> ensureTable(SparkSession spark, TableName name, StructType schema, TableSpec spec) {
    ensureSchema(spark, name);
    for (int attempt = 1; ; attempt++) {
      if (exists(spark, name)) {
        return TableFeatures.apply(spark, name, spec, java.util.Optional.of(schema));
      }
      try {
        spark.sql("CREATE TABLE IF NOT EXISTS " + name.quoted() + " (" + TableFeatures.columnsDdl(schema, spec)
            + ") USING delta" + TableFeatures.createClauses(spec));
        TableFeatures.apply(spark, name, spec, java.util.Optional.empty()); // constraints
        return List.of();
      } catch (Exception e) { // AnalysisException is checked in Java, and thrown all the same
        if (attempt == CREATE_ATTEMPTS || !createdAtTheSameTime(e)) {
          throw e;
        }
        org.slf4j.LoggerFactory.getLogger(DeltaTables.class).info(
            "{} is being created by another writer at the same time ({}); using that table", name, e.getClass().getSimpleName());
        try {
          Thread.sleep(100L * attempt); // the other writer's first commit lands
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** How often {@link #ensureTable} looks again for a table another writer is creating (about 4.5 s in all). */
  private static final int CREATE_ATTEMPTS = 10;

  /**
   * Delta's errors when two writers create one table at once (two runs of different tables of a
   * pipeline, each creating its event log on a first run): the one that comes second finds the
   * other's first commit ({@code DELTA_PROTOCOL_CHANGED}), or the other's log folder before that
   * commit ({@code DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION}).
   */
  static boolean createdAtTheSameTime(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof io.delta.exceptions.ProtocolChangedException
          || message.contains("DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Atomically replaces the table's contents and layout with {@code rows} (creating it if needed)
   * and returns the number of rows written. The spec's CHECK constraints are part of the replacing
   * commit ({@link TableFeatures#replaceProperties}): rows that break one fail the write and nothing
   * is written. Column comments are applied after the replace. A small table that already has
   * the layout the replace gives it is overwritten in one transaction over its checksum's file
   * list ({@link ChecksumOverwrite#replace}: one Spark job instead of five, the table id kept).
   */
  public static long replace(Dataset<Row> rows, TableName name, TableSpec spec) {
    return replace(rows, name, spec, java.util.Optional.empty());
  }

  /** {@link #replace(Dataset, TableName, TableSpec)}, recording {@code userMetadata} in the replacing commit. */
  public static long replace(Dataset<Row> rows, TableName name, TableSpec spec, java.util.Optional<String> userMetadata) {
    SparkSession spark = rows.sparkSession();
    ensureSchema(spark, name);
    OptionalLong before = version(spark, name);
    java.util.Optional<OptionalLong> small = before.isPresent()
        ? ChecksumOverwrite.replace(rows, name, spec, userMetadata) : java.util.Optional.empty();
    if (small.isPresent()) { // a small table that keeps its layout: one transaction, no state rebuild
      return small.get().isPresent() ? small.get().getAsLong() : rowsWrittenSince(spark, name, before);
    }
    if (!spec.clusterBy().isEmpty()) { // DataFrameWriterV2 of Spark 3.5 cannot cluster: SQL RTAS can
      String view = ("__medallion_replace_" + name.catalog() + "_" + name.schema() + "_" + name.table())
          .replaceAll("[^A-Za-z0-9_]", "_");
      rows.createOrReplaceTempView(view);
      try {
        spark.sql("CREATE OR REPLACE TABLE " + name.quoted() + " USING delta" + TableFeatures.replaceClauses(spec)
            + userMetadata.map(m -> " OPTIONS (" + literal(DeltaWriter.USER_METADATA_OPTION) + " = " + literal(m) + ")")
                .orElse("")
            + " AS SELECT * FROM " + TableName.quote(view));
      } finally {
        spark.catalog().dropTempView(view);
      }
    } else {
      org.apache.spark.sql.CreateTableWriter<Row> writer = rows.writeTo(name.quoted()).using("delta");
      if (userMetadata.isPresent()) {
        writer = writer.option(DeltaWriter.USER_METADATA_OPTION, userMetadata.get());
      }
      if (!spec.partitionBy().isEmpty()) {
        List<org.apache.spark.sql.Column> rest = spec.partitionBy().stream().skip(1)
            .map(org.apache.spark.sql.functions::col).collect(Collectors.toList());
        writer = writer.partitionedBy(
            org.apache.spark.sql.functions.col(spec.partitionBy().get(0)),
            scala.collection.JavaConverters.asScalaBuffer(rest).toSeq());
      }
      for (Map.Entry<String, String> p : TableFeatures.replaceProperties(spec).entrySet()) {
        writer = writer.tableProperty(p.getKey(), p.getValue());
      }
      if (spec.comment().isPresent()) {
        writer = writer.tableProperty("comment", spec.comment().get());
      }
      writer.createOrReplace();
    }
    long written = rowsWrittenSince(spark, name, before);
    if (!spec.columnComments().isEmpty()) {
      TableFeatures.apply(spark, name, spec, java.util.Optional.empty());
    }
    return written;
  }

  /** Drops the table and, on medallion's warehouse catalog, its data. */
  public static void drop(SparkSession spark, TableName name) {
    spark.sql("DROP TABLE IF EXISTS " + name.quoted());
  }

  /**
   * The table's row count, without scanning data files: for a table of up to 50 files (Delta's
   * {@code allFilesInCrc} threshold) from its latest version's checksum, which lists the files with
   * their record counts (no Spark job); otherwise Delta answers a count from its log (a job over
   * the table's state).
   */
  public static long rowCount(SparkSession spark, TableName name) {
    OptionalLong counted = checksumRowCount(spark, name);
    return counted.isPresent() ? counted.getAsLong() : spark.read().table(name.quoted()).count();
  }

  /**
   * The table's latest version, as {@code spark.read().table(name)} reads it, but over the files its
   * checksum lists when it lists them, without Delta's state rebuild ({@link LatestVersion}, which
   * a caller that reads the same version several ways keeps instead).
   */
  public static Dataset<Row> readLatest(SparkSession spark, TableName name) {
    return LatestVersion.of(spark, name).read();
  }

  /**
   * The table at {@code version} (Delta's time travel, {@code VERSION AS OF}, by name through the
   * table's catalog, never by path: a catalog may refuse path access to its tables or give storage
   * credentials only to reads by name); when that is its latest version, read as {@link
   * #readLatest} reads it.
   */
  public static Dataset<Row> readVersion(SparkSession spark, TableName name, long version) {
    DeltaLog log = deltaLog(spark, name);
    return (log == null ? java.util.Optional.<Dataset<Row>>empty() : fromChecksum(spark, log, version))
        .orElseGet(() -> spark.sql("SELECT * FROM " + name.quoted() + " VERSION AS OF " + version));
  }

  /**
   * The table at {@code version} over its checksum's file list, with Delta's file format (deletion
   * vectors and column mapping apply), when that is its latest version; empty when it is not,
   * without such a list or on another Delta build. The Dataset belongs to {@code spark} ({@link
   * ActiveSession}).
   */
  private static java.util.Optional<Dataset<Row>> fromChecksum(SparkSession spark, DeltaLog log, long version) {
    try {
      return ActiveSession.with(spark, () -> {
        org.apache.spark.sql.delta.Snapshot snapshot = log.update(false, Option.empty(), Option.empty());
        if (version != snapshot.version()) {
          return java.util.Optional.<Dataset<Row>>empty();
        }
        return checksumFiles(snapshot).map(files -> log.createDataFrame(snapshot, files, false, Option.empty()));
      });
    } catch (LinkageError e) {
      return java.util.Optional.empty(); // another Delta build: its own read
    }
  }

  /** The files of the snapshot as its checksum lists them; empty without a checksum or a list. */
  static java.util.Optional<Seq<AddFile>> checksumFiles(org.apache.spark.sql.delta.Snapshot snapshot) {
    Option<VersionChecksum> checksum = snapshot.checksumOpt();
    return snapshot.version() >= 0 && checksum.isDefined() && checksum.get().allFiles().isDefined()
        ? java.util.Optional.of(checksum.get().allFiles().get()) : java.util.Optional.empty();
  }

  /**
   * The rows of the table's latest version by its checksum's file list (records less those marked
   * deleted by deletion vectors); empty when there is no Delta log, no checksum, no file list (more
   * files than the threshold) or a file without statistics.
   */
  static OptionalLong checksumRowCount(SparkSession spark, TableName name) {
    return latestSnapshot(spark, name).flatMap(DeltaTables::checksumFiles)
        .map(files -> logicalRecords(JavaConverters.seqAsJavaList(files))).orElse(OptionalLong.empty());
  }

  /** The table's latest snapshot (the log brought up to date); empty without a Delta log or on another Delta build. */
  static java.util.Optional<org.apache.spark.sql.delta.Snapshot> latestSnapshot(SparkSession spark, TableName name) {
    DeltaLog log = deltaLog(spark, name);
    if (log == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(ActiveSession.with(spark, () -> log.update(false, Option.empty(), Option.empty())));
    } catch (LinkageError e) {
      return java.util.Optional.empty(); // another Delta build: the caller's own way
    }
  }

  /**
   * The bytes of the table's latest version (its checksum's {@code tableSizeBytes}), without a
   * Spark job; empty when there is no Delta log or no checksum.
   */
  public static OptionalLong checksumSizeBytes(SparkSession spark, TableName name) {
    return latestSnapshot(spark, name).flatMap(snapshot -> snapshot.checksumOpt().isDefined()
        ? java.util.Optional.of(snapshot.checksumOpt().get().tableSizeBytes()) : java.util.Optional.<Long>empty())
        .map(OptionalLong::of).orElse(OptionalLong.empty());
  }


  /**
   * The rows the files hold, from their statistics: records less those marked deleted by deletion
   * vectors; empty when a file has no statistics.
   */
  public static OptionalLong logicalRecords(List<AddFile> files) {
    long rows = 0;
    for (AddFile file : files) {
      Option<Object> records = file.numLogicalRecords();
      if (records.isEmpty()) {
        return OptionalLong.empty();
      }
      rows += (Long) records.get();
    }
    return OptionalLong.of(rows);
  }

  /** The table's current version, or empty if it does not exist. */
  public static OptionalLong version(SparkSession spark, TableName name) {
    DeltaLog log = deltaLog(spark, name);
    if (log != null) {
      return OptionalLong.of(log.update(false, Option.empty(), Option.empty()).version());
    }
    if (!exists(spark, name)) {
      return OptionalLong.empty();
    }
    Row row = spark.sql("DESCRIBE HISTORY " + name.quoted() + " LIMIT 1").select("version").first();
    return OptionalLong.of(row.getLong(0));
  }

  /**
   * The table's properties ({@code TBLPROPERTIES}), from its latest snapshot's metadata: no Spark
   * job ({@code DESCRIBE DETAIL} also counts the table's files, which rebuilds its state with one).
   */
  public static Map<String, String> properties(SparkSession spark, TableName name) {
    DeltaLog log = deltaLog(spark, name);
    if (log != null) {
      return JavaConverters.mapAsJavaMap(
          log.update(false, Option.empty(), Option.empty()).metadata().configuration());
    }
    Row detail = spark.sql("DESCRIBE DETAIL " + name.quoted()).first();
    return detail.getJavaMap(detail.fieldIndex("properties"));
  }

  /**
   * Rows written by the commits after {@code sinceVersion} (all commits when empty): inserted plus
   * updated rows for MERGE, output rows for writes, appends and replaces. Reads only the commits
   * after {@code sinceVersion}.
   */
  public static long rowsWrittenSince(SparkSession spark, TableName name, OptionalLong sinceVersion) {
    DeltaLog log = deltaLog(spark, name);
    if (log == null) {
      return rowsWrittenSinceByHistory(spark, name, sinceVersion);
    }
    long total = 0;
    for (CommitInfo info : commitInfos(log, sinceVersion.orElse(-1) + 1)) {
      if (info.operationMetrics().isDefined()) {
        total += rowsWritten(JavaConverters.mapAsJavaMap(info.operationMetrics().get()));
      }
    }
    return total;
  }

  /** The commit infos of the commits from {@code fromVersion} on, oldest first: reads only those commits. */
  private static java.util.List<CommitInfo> commitInfos(DeltaLog log, long fromVersion) {
    java.util.List<CommitInfo> out = new java.util.ArrayList<>();
    Iterator<Tuple2<Object, Seq<Action>>> changes = log.getChanges(fromVersion, false);
    while (changes.hasNext()) {
      Iterator<Action> actions = changes.next()._2().iterator();
      while (actions.hasNext()) {
        if (actions.next() instanceof CommitInfo info) {
          out.add(info);
        }
      }
    }
    return out;
  }

  /**
   * The metric {@code metric} of the last commit after {@code sinceVersion} whose operation is
   * {@code operation} (e.g. {@code VACUUM END}'s {@code numDeletedFiles}); empty when there is none
   * or it lacks the metric. Reads only the commits after {@code sinceVersion}.
   */
  public static OptionalLong operationMetric(SparkSession spark, TableName name, long sinceVersion, String operation,
      String metric) {
    DeltaLog log = deltaLog(spark, name);
    if (log == null) {
      return OptionalLong.empty();
    }
    OptionalLong found = OptionalLong.empty();
    for (CommitInfo info : commitInfos(log, sinceVersion + 1)) {
      if (info.operation().equals(operation) && info.operationMetrics().isDefined()
          && info.operationMetrics().get().contains(metric)) {
        found = OptionalLong.of(asLong(info.operationMetrics().get().apply(metric)));
      }
    }
    return found;
  }

  private static long rowsWrittenSinceByHistory(SparkSession spark, TableName name, OptionalLong sinceVersion) {
    Dataset<Row> history = spark.sql("DESCRIBE HISTORY " + name.quoted());
    if (sinceVersion.isPresent()) {
      history = history.where(history.col("version").gt(sinceVersion.getAsLong()));
    }
    long total = 0;
    for (Row r : history.select("operationMetrics").collectAsList()) {
      total += rowsWritten(r.isNullAt(0) ? Map.of() : r.getJavaMap(0));
    }
    return total;
  }

  private static long rowsWritten(Map<String, String> m) {
    if (m.containsKey("numTargetRowsInserted")) {
      return asLong(m.get("numTargetRowsInserted")) + asLong(m.get("numTargetRowsUpdated"));
    }
    return asLong(m.get("numOutputRows"));
  }

  /**
   * The Delta log of a table served by a Delta catalog of this session (medallion's warehouse
   * catalog, Delta's session catalog), or null when the table does not exist or its catalog is
   * another kind (callers then fall back to SQL).
   */
  public static DeltaLog deltaLog(SparkSession spark, TableName name) {
    try {
      CatalogPlugin catalog = spark.sessionState().catalogManager().catalog(name.catalog());
      if (catalog instanceof TableCatalog tables) {
        Table table = tables.loadTable(Identifier.of(new String[] {name.schema()}, name.table()));
        if (table instanceof DeltaTableV2 delta) {
          return delta.deltaLog();
        }
      }
    } catch (Exception e) {
      // no such table, or not a Delta catalog: the SQL path decides
    }
    return null;
  }

  private static long asLong(String value) {
    return value == null ? 0 : Long.parseLong(value);
  }

  /** A Spark SQL string literal. */
  public static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
