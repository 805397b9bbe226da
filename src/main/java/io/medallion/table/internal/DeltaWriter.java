package io.medallion.table.internal;

import java.util.function.Supplier;
import scala.Option;

import io.medallion.table.Commit;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.Txn;
import io.medallion.table.Write;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.table.internal.cdc.CdcResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.CreateTableWriter;
import org.apache.spark.sql.DataFrameWriter;
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
  private static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";
  private static final Object USER_METADATA_LOCK = new Object();

  private DeltaWriter() {}

  /** Writes and reports the commit (see {@code DeltaSink#write}). */
  public static Commit write(Dataset<Row> rows, TableName name, TableSpec spec, Write write, Txn txn) {
    SparkSession spark = rows.sparkSession();
    if (write instanceof Write.Recording r) {
      return recording(spark, r.userMetadata(), () -> write(rows, name, spec, r.write(), txn));
    }
    OptionalLong before = DeltaTables.version(spark, name);
    if (write instanceof Write.Cdc c) {
      return cdc(rows, name, spec, c, txn);
    }
    if (write instanceof Write.Replace) {
      DeltaTables.replace(rows, name, spec);
    } else if (write instanceof Write.CommitOnly) {
      spark.sql("ALTER TABLE " + name.quoted() + " SET TBLPROPERTIES ('medallion.refreshed' = 'true')");
    } else {
      if (before.isEmpty()) {
        DeltaTables.ensureTable(spark, name, rows.schema(), spec);
        before = DeltaTables.version(spark, name);
      }
      if (write instanceof Write.Append a) {
        append(rows, name, a, txn);
      } else if (write instanceof Write.Merge m) {
        merge(rows, name, m, txn);
      } else if (write instanceof Write.MergeGroups g) {
        mergeGroups(rows, name, g);
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
   */
  private static Commit cdc(Dataset<Row> rows, TableName name, TableSpec spec, Write.Cdc cdc, Txn txn) {
    SparkSession spark = rows.sparkSession();
    CdcResult r = CdcEngine.prepare(spark, name, cdc.spec(), rows.schema(), cdc.where(), spec)
        .apply(rows, txn.appId(), txn.present() ? txn.version() : -1);
    return new Commit(r.upserts() + r.deletes() + r.truncates() > 0, r.rowsWritten(), DeltaTables.version(spark, name),
        Optional.of(new Commit.CdcApplied(r.upserts(), r.deletes(), r.historyRowsOpened())));
  }

  private static void append(Dataset<Row> rows, TableName name, Write.Append append, Txn txn) {
    DataFrameWriter<Row> writer = rows.write().format("delta").mode("append");
    if (append.mergeSchema()) {
      writer = writer.option("mergeSchema", "true");
    }
    if (txn.present()) {
      writer = writer.option("txnAppId", txn.appId()).option("txnVersion", txn.version());
    }
    writer.saveAsTable(name.quoted());
  }

  /**
   * Runs {@code write} with {@code userMetadata} in the session setting Delta records in its commits
   * ({@code spark.databricks.delta.commitInfo.userMetadata}); one such write at a time in the JVM.
   */
  private static Commit recording(SparkSession spark, String userMetadata, Supplier<Commit> write) {
    synchronized (USER_METADATA_LOCK) {
      Option<String> before = spark.conf().getOption(USER_METADATA);
      spark.conf().set(USER_METADATA, userMetadata);
      try {
        return write.get();
      } finally {
        if (before.isDefined()) {
          spark.conf().set(USER_METADATA, before.get());
        } else {
          spark.conf().unset(USER_METADATA);
        }
      }
    }
  }

  /** See {@link Write#mergeGroups}. */
  private static void mergeGroups(Dataset<Row> rows, TableName name, Write.MergeGroups m) {
    SparkSession spark = rows.sparkSession();
    String view = ("__medallion_gold_merge_" + name.catalog() + "_" + name.schema() + "_" + name.table())
        .replaceAll("[^A-Za-z0-9_]", "_");
    rows.createOrReplaceTempView(view);
    String on = m.keys().stream().map(TableName::quote).map(c -> "t." + c + " <=> s." + c)
        .collect(Collectors.joining(" AND "));
    try {
      spark.sql("MERGE INTO " + name.quoted() + " t USING " + TableName.quote(view) + " s ON " + on
          + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
          + " WHEN NOT MATCHED BY SOURCE AND " + m.deleteWhenNotInRows() + " THEN DELETE");
    } finally {
      spark.catalog().dropTempView(view);
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
