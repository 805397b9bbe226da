package io.medallion.table;

import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.DriverAppend;
import io.medallion.table.internal.DeltaWriter;
import io.medallion.table.internal.TaskFileAppend;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.table.internal.cdc.CdcSnapshots;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The one place medallion writes Delta tables: pipeline tables, quarantine tables and the event
 * log. Every write of a streaming batch carries a {@link Txn}, so a replayed batch commits once
 * (appends through Delta's {@code txnAppId}/{@code txnVersion} options, MERGE through the session's
 * {@code spark.databricks.delta.write.txnAppId}/{@code txnVersion}, which Delta's DML honours).
 * Tables are named by three-level {@link TableName}s and reached through SQL, so every catalog
 * works.
 */
public final class DeltaSink {
  private DeltaSink() {}

  /**
   * Writes {@code rows} into {@code name} as {@code write} says and reports what the commit did.
   *
   * @param spec the table's layout, used when the write creates the table (replace, or a table that
   *     does not exist yet)
   */
  public static Commit write(Dataset<Row> rows, TableName name, TableSpec spec, Write write, Txn txn) {
    return DeltaWriter.write(rows, name, spec, write, txn);
  }

  /**
   * Appends a few rows held by the driver (events) to the existing table {@code name} in one
   * commit, without a Spark job when the table's layout allows: one Parquet file written by this
   * thread and committed as a blind append ({@link DriverAppend}). Any other table (another schema,
   * partitions, column mapping, table features), or a Delta build whose internal transaction API
   * differs from open-source Delta 3.x, gets the rows through {@link #write}, as an append.
   */
  public static void appendRows(SparkSession spark, TableName name, StructType schema, TableSpec spec, List<Row> rows) {
    boolean appended;
    try {
      appended = DriverAppend.append(spark, name, schema, rows);
    } catch (LinkageError e) {
      // a Delta build whose internal API differs (a vendor runtime): nothing was committed
      appended = false;
    }
    if (!appended) {
      write(spark.createDataFrame(rows, schema), name, spec, Write.append(), Txn.NONE);
    }
  }

  /**
   * An append to {@code name} whose rows the tasks of the next write set aside ({@link
   * SideAppend}); the table is created with {@code schema} and {@code spec} if it does not exist.
   * Empty when the table's layout needs Spark's own write (another schema, partitions, column
   * mapping, CHECK constraints or other table features: see {@code TaskFileAppend}), or on a Delta
   * build whose internal transaction API differs from open-source Delta 3.x; the caller then
   * writes the rows with {@link #write}.
   */
  public static Optional<SideAppend> sideAppend(SparkSession spark, TableName name, StructType schema,
      TableSpec spec) {
    TaskFileAppend files = TaskFileAppend.forTable(spark, name, schema); // one catalog lookup per batch
    if (files == null && !DeltaTables.exists(spark, name)) {
      DeltaTables.ensureTable(spark, name, schema, spec);
      files = TaskFileAppend.forTable(spark, name, schema);
    }
    return Optional.ofNullable(files).map(SideAppend::new);
  }

  /**
   * Creates the Delta table with the given columns and features ({@link TableFeatures}) unless it
   * exists; an existing table gets the spec's additive changes in place. Partitioning cannot change
   * without a full refresh.
   *
   * @return the additive changes applied to an existing table, one phrase each
   */
  public static List<String> ensureTable(SparkSession spark, TableName name, StructType schema, TableSpec spec) {
    return DeltaTables.ensureTable(spark, name, schema, spec);
  }

  /**
   * Creates the table {@code write} will write unless it exists, once per run: for {@link
   * Write.Cdc} and {@link Write.CdcSnapshot} the target with its CDC columns and its companion changes
   * table (an existing target of the other SCD type fails: {@link #checkCdcType}), after which deletes
   * older than the spec's tombstone retention before {@code now} are forgotten; otherwise as {@link
   * #ensureTable}.
   */
  public static void prepare(SparkSession spark, TableName name, StructType input, TableSpec spec, Write write,
      Instant now) {
    // a changed SCD type is refused once per run, here, not by the engine's per-batch preparation
    if (write instanceof Write.Cdc c) {
      CdcEngine.checkScdType(spark, name, c.spec(), c.where());
      CdcEngine.prepare(spark, name, c.spec(), input, c.where(), spec).expireTombstones(now);
    } else if (write instanceof Write.CdcSnapshot c) {
      CdcEngine.checkScdType(spark, name, c.spec(), c.where());
      CdcSnapshots.prepare(spark, name, c.spec(), input, c.where(), spec).expireTombstones(now);
    } else {
      DeltaTables.ensureTable(spark, name, input, spec);
    }
  }

  /**
   * Fails when the existing CDC target {@code target} holds rows of the other SCD type than {@code
   * spec}'s (a changed {@code stored-as-scd-type}), naming {@code --full-refresh}: a layout change
   * that cannot be made in place. No Spark job. {@code where} is the config path of the table's
   * {@code cdc} block.
   */
  public static void checkCdcType(SparkSession spark, TableName target, CdcSpec spec, String where) {
    CdcEngine.checkScdType(spark, target, spec, where);
  }

  /**
   * The columns of a CDC target (SCD2 adds {@code __START_AT} and {@code __END_AT}; a snapshot
   * table's are typed like its versions), after checking {@code spec} against {@code input}, as a
   * run writes into the existing {@code target}: a snapshot column Spark can up-cast to the table's
   * type keeps the table's type, a changed {@code version-type} fails with its fix, and a change
   * feed's conditions must resolve and be BOOLEAN; for {@code validate}.
   */
  public static StructType cdcTargetSchema(SparkSession spark, TableName target, CdcSpec spec, StructType input,
      String where) {
    if (spec.snapshots()) {
      return CdcSnapshots.targetSchema(spark, target, spec, input, where);
    }
    StructType schema = CdcEngine.targetSchema(spec, input, where);
    CdcEngine.checkConditions(spark, spec, input, where);
    return schema;
  }

  /**
   * Drops the table and, on medallion's warehouse catalog, its data; a CDC target's companion
   * changes table goes with it (its stored changes would otherwise outlive the target: a snapshot
   * CDC target refilled after a full refresh would derive no changes).
   */
  public static void drop(SparkSession spark, TableName name) {
    DeltaTables.drop(spark, name);
    DeltaTables.drop(spark, CdcEngine.changesTable(name));
  }

  /**
   * The bytes of existing tables that {@code write} into {@code name} reads besides its rows: none
   * for an append or a replace, the target for a keyed MERGE, the target and its stored changes for
   * CDC; from their latest checksums, without a Spark job. Empty when a table it reads has no
   * checksum (its size is unknown).
   */
  public static OptionalLong bytesReadByWrite(SparkSession spark, TableName name, Write write) {
    Write w = write instanceof Write.Recording r ? r.write() : write;
    List<TableName> read = w instanceof Write.Merge ? List.of(name)
        : w instanceof Write.Cdc || w instanceof Write.CdcSnapshot ? List.of(name, CdcEngine.changesTable(name))
        : List.of();
    long bytes = 0;
    for (TableName t : read) {
      OptionalLong size = DeltaTables.checksumSizeBytes(spark, t);
      if (size.isEmpty()) {
        return OptionalLong.empty();
      }
      bytes += size.getAsLong();
    }
    return OptionalLong.of(bytes);
  }

  /**
   * The table's row count, without scanning data files: from its checksum's file list for a small
   * table (no Spark job), else from its log.
   */
  public static long rowCount(SparkSession spark, TableName name) {
    return DeltaTables.rowCount(spark, name);
  }

  /**
   * The table's current rows, as {@code spark.read().table(name)} gives them; for a small table
   * read over its checksum's file list, without rebuilding its state after a write (Delta's
   * "Compute snapshot" jobs).
   */
  public static Dataset<Row> readLatest(SparkSession spark, TableName name) {
    return DeltaTables.readLatest(spark, name);
  }

  /**
   * The table at {@code version} (time travel); at its latest version read as {@link #readLatest}
   * reads it.
   */
  public static Dataset<Row> readVersion(SparkSession spark, TableName name, long version) {
    return DeltaTables.readVersion(spark, name, version);
  }

  /** The table's current version, or empty if it does not exist. */
  public static OptionalLong version(SparkSession spark, TableName name) {
    return DeltaTables.version(spark, name);
  }

  /** Whether the table exists. */
  public static boolean exists(SparkSession spark, TableName name) {
    return DeltaTables.exists(spark, name);
  }

  /** The table's Delta log (its snapshots, history and data path). */
  public static org.apache.spark.sql.delta.DeltaLog deltaLog(SparkSession spark, TableName name) {
    return DeltaTables.deltaLog(spark, name);
  }
}
