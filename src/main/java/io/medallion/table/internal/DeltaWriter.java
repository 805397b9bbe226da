package io.medallion.table.internal;

import io.medallion.table.Commit;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.Txn;
import io.medallion.table.Write;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.table.internal.cdc.CdcResult;
import io.medallion.table.internal.cdc.CdcSnapshots;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.CreateTableWriter;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import scala.collection.JavaConverters;

/** Every Delta write of the product, one method per {@link Write} mode. */
public final class DeltaWriter {
  /** The session settings Delta's DML (MERGE, UPDATE, DELETE) reads its transaction identifier from. */
  static final String TXN_APP_ID = "spark.databricks.delta.write.txnAppId";
  static final String TXN_VERSION = "spark.databricks.delta.write.txnVersion";
  /** Delta's per-write option for the commit's {@code userMetadata}. */
  public static final String USER_METADATA_OPTION = "userMetadata";
  /** The table property a {@link Write.CommitOnly} commit records its metadata in. */
  public static final String RECORD_PROPERTY = "medallion.refresh";

  private DeltaWriter() {}

  /** Writes and reports the commit (see {@code DeltaSink#write}). */
  public static Commit write(Dataset<Row> rows, TableName name, TableSpec spec, Write write, Txn txn) {
    SparkSession spark = rows.sparkSession();
    Optional<String> userMetadata = Optional.empty();
    if (write instanceof Write.Recording r) { // per write, never the session's shared setting
      userMetadata = Optional.of(r.userMetadata());
      write = r.write();
    }
    OptionalLong before = DeltaTables.version(spark, name);
    if (write instanceof Write.Cdc c) {
      return cdc(rows, name, spec, c, txn);
    }
    if (write instanceof Write.CdcSnapshot c) {
      return snapshot(rows, name, spec, c, txn);
    }
    if (write instanceof Write.Replace) { // always one commit, whose rows the replace counts
      long written = DeltaTables.replace(rows, name, spec, userMetadata);
      return new Commit(true, written, DeltaTables.version(spark, name));
    } else if (write instanceof Write.CommitOnly) {
      // ALTER takes no write options: the record goes into the property, which the commit's
      // operation parameters carry (RefreshState reads it there).
      spark.sql("ALTER TABLE " + name.quoted() + " SET TBLPROPERTIES ("
          + DeltaTables.literal(RECORD_PROPERTY) + " = " + DeltaTables.literal(userMetadata.orElse("")) + ")");
    } else {
      if (before.isEmpty()) {
        DeltaTables.ensureTable(spark, name, rows.schema(), spec);
        before = DeltaTables.version(spark, name);
      }
      if (write instanceof Write.Append a) {
        append(rows, name, a, txn);
      } else if (write instanceof Write.Merge m) {
        merge(rows, name, m, txn);
      } else if (write instanceof Write.ReplaceWhere w) {
        Optional<OptionalLong> small = ChecksumOverwrite.replaceWhere(rows, name, w.condition(), userMetadata);
        if (small.isEmpty()) {
          replaceWhere(rows, name, w, userMetadata);
        } else if (small.get().isPresent()) {
          return new Commit(true, small.get().getAsLong(), DeltaTables.version(spark, name));
        }
      } else {
        throw new IllegalArgumentException("no Delta writer for " + write);
      }
    }
    OptionalLong after = DeltaTables.version(spark, name);
    if (after.equals(before)) {
      return Commit.nothing(after);
    }
    return new Commit(true, DeltaTables.rowsWrittenSince(spark, name, before), after);
  }

  /**
   * Applies the rows as change events; idempotent per transaction identifier (the engine's
   * MERGE and its changes-table append carry it, and changes already stored count as duplicates).
   * A batch of changes all stored already is a replay (not committed); a batch without any change
   * (every row dropped or quarantined by the table's rules) is committed: there was nothing to write.
   */
  private static Commit cdc(Dataset<Row> rows, TableName name, TableSpec spec, Write.Cdc cdc, Txn txn) {
    SparkSession spark = rows.sparkSession();
    CdcResult r = CdcEngine.prepare(spark, name, cdc.spec(), rows.schema(), cdc.where(), spec)
        .apply(rows, txn.appId(), txn.present() ? txn.version() : -1);
    boolean applied = r.upserts() + r.deletes() + r.truncates() > 0;
    return new Commit(applied || r.duplicates() == 0, r.rowsWritten(), DeltaTables.version(spark, name),
        Optional.of(new Commit.CdcApplied(r.upserts(), r.deletes(), r.historyRowsOpened())));
  }

  /** Applies one full snapshot at the transaction's version (see {@link Write#cdcSnapshot}). */
  private static Commit snapshot(Dataset<Row> rows, TableName name, TableSpec spec, Write.CdcSnapshot w, Txn txn) {
    if (!txn.present()) {
      throw new IllegalArgumentException("a snapshot write needs the snapshot version as its Txn version");
    }
    SparkSession spark = rows.sparkSession();
    CdcSnapshots.Result r = CdcSnapshots.prepare(spark, name, w.spec(), rows.schema(), w.where(), spec)
        .apply(rows, txn.version());
    CdcResult c = r.changes();
    Optional<String> warning = r.outcome() == CdcSnapshots.Outcome.SKIPPED_LATE ? Optional.of(r.message()) : Optional.empty();
    return new Commit(r.outcome() == CdcSnapshots.Outcome.APPLIED, c.rowsWritten(), DeltaTables.version(spark, name),
        Optional.of(new Commit.CdcApplied(c.upserts(), c.deletes(), c.historyRowsOpened())), warning);
  }

  private static void append(Dataset<Row> rows, TableName name, Write.Append append, Txn txn) {
    append(rows, name, append.mergeSchema(), txn);
  }

  /**
   * Appends {@code rows} to an existing table, once per (app id, version) when {@code txn} is
   * present: the replay check is answered from the table's checksum ({@link ChecksumTxnAppend}),
   * or else by Delta's {@code txnAppId}/{@code txnVersion} options. The sink's appends and CDC's
   * changes appends both come here.
   */
  public static void append(Dataset<Row> rows, TableName name, boolean mergeSchema, Txn txn) {
    if (txn.present() && ChecksumTxnAppend.append(rows, name, txn)) {
      return; // written or skipped, the replay check answered by the table's checksum
    }
    DataFrameWriter<Row> writer = rows.write().format("delta").mode("append");
    if (mergeSchema) {
      writer = writer.option("mergeSchema", "true");
    }
    if (txn.present()) {
      writer = writer.option("txnAppId", txn.appId()).option("txnVersion", txn.version());
    }
    writer.saveAsTable(name.quoted());
  }

  /**
   * See {@link Write#replaceWhere}: one commit, carrying {@code userMetadata} if given; a small
   * table's goes through {@link ChecksumOverwrite} first.
   */
  private static void replaceWhere(Dataset<Row> rows, TableName name, Write.ReplaceWhere w,
      Optional<String> userMetadata) {
    DataFrameWriterV2<Row> writer = rows.writeTo(name.quoted());
    if (userMetadata.isPresent()) {
      writer = writer.option(USER_METADATA_OPTION, userMetadata.get());
    }
    try {
      writer.overwrite(functions.expr(w.condition()));
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException("table " + name + " vanished during the write", e);
    }
  }

  /**
   * MERGE of one row per key. The transaction identifier goes through the session settings Delta's
   * MERGE checks ({@code DeltaCommand.hasBeenExecuted}): a replayed batch is skipped. A streaming
   * batch's session is the query's own clone, so concurrent queries do not see each other's.
   */
  private static void merge(Dataset<Row> rows, TableName name, Write.Merge merge, Txn txn) {
    SparkSession spark = rows.sparkSession();
    String view = ("__medallion_merge_" + name.catalog() + "_" + name.schema() + "_" + name.table())
        .replace('-', '_');
    latestPerKey(rows, merge).createOrReplaceTempView(view);
    String on = merge.keys().stream()
        .map(k -> "t." + TableName.quote(k) + " <=> s." + TableName.quote(k))
        .collect(Collectors.joining(" AND "));
    String newer = merge.sequenceBy()
        .map(TableName::quote)
        .map(c -> " AND (s." + c + " >= t." + c + " OR t." + c + " IS NULL)")
        .orElse("");
    String sql = "MERGE INTO " + name.quoted() + " t USING " + TableName.quote(view) + " s ON " + on
        + " WHEN MATCHED" + newer + " THEN UPDATE SET *"
        + " WHEN NOT MATCHED THEN INSERT *";
    if (!txn.present()) {
      spark.sql(sql);
      return;
    }
    spark.conf().set(TXN_APP_ID, txn.appId());
    spark.conf().set(TXN_VERSION, String.valueOf(txn.version()));
    try {
      spark.sql(sql);
    } finally {
      spark.conf().unset(TXN_APP_ID);
      spark.conf().unset(TXN_VERSION);
    }
  }

  /** One row per key, chosen as {@link Write.Merge} documents. */
  static Dataset<Row> latestPerKey(Dataset<Row> rows, Write.Merge merge) {
    Column[] keys = merge.keys().stream().map(functions::col).toArray(Column[]::new);
    Column[] all = Arrays.stream(rows.columns()).map(c -> functions.col(TableName.quote(c))).toArray(Column[]::new);
    Column content = functions.to_json(functions.struct(all)).desc();
    Column[] order = merge.sequenceBy()
        .map(s -> new Column[] {functions.col(s).desc_nulls_last(), content})
        .orElse(new Column[] {content});
    return rows.withColumn("__medallion_rank", functions.row_number().over(Window.partitionBy(keys).orderBy(order)))
        .where(functions.col("__medallion_rank").equalTo(1))
        .drop("__medallion_rank");
  }
}
