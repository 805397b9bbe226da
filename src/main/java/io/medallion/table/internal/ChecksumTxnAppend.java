package io.medallion.table.internal;

import io.medallion.table.TableName;
import io.medallion.table.Txn;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.catalyst.util.CharVarcharUtils;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.VersionChecksum;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * An append that is idempotent per {@link Txn}, like Delta's {@code txnAppId}/{@code txnVersion}
 * write options, but that answers "is this batch committed already?" from the table's checksum
 * file instead of from its full state.
 *
 * <p>Delta 3.3 answers that question for the write options by rebuilding the table's state (a Spark
 * job over the checkpoint and every commit since, for each new table version), so a streaming
 * table paid one such job per micro-batch. Delta also keeps the transaction identifiers of each
 * version in that version's checksum file ({@code _delta_log/N.crc}, {@code setTransactions}),
 * written with every commit. Here the transaction reads them from the checksum of the version it
 * starts from: a batch whose version is at or below the one recorded for its app id is skipped,
 * as Delta skips it; otherwise the rows are written by the transaction ({@code writeFiles}: the
 * same files, statistics, constraints and metrics as Delta's own append) and committed with the
 * {@code SetTransaction} action, as a {@code WRITE} in append mode.
 *
 * <p>It is used only when it gives exactly Delta's answer; otherwise {@link #append} returns false,
 * having written nothing, and the caller uses the write options: the version has no checksum, or
 * one without transaction identifiers (Delta leaves them out past a maximum count), the rows'
 * columns are not the table's ({@link #sameColumns}: schema evolution and its checks stay
 * Delta's), or this Delta is
 * another build (a {@link LinkageError}, e.g. on Databricks Runtime). As with Delta's option, a
 * batch's identifier is expected to be written by one writer at a time: medallion's table lock and
 * the stream's checkpoint make it so.
 */
public final class ChecksumTxnAppend {
  private ChecksumTxnAppend() {}

  /**
   * Appends {@code rows} to the existing table {@code name} under {@code txn}, or skips them if
   * {@code txn} is committed already.
   *
   * @return false, having written nothing, when the checksum cannot answer (see the class); the
   *     caller then appends with Delta's write options
   */
  public static boolean append(Dataset<Row> rows, TableName name, Txn txn) {
    OptimisticTransaction t;
    long committed;
    try {
      DeltaLog log = DeltaTables.deltaLog(rows.sparkSession(), name);
      if (log == null) {
        return false;
      }
      t = log.startTransaction();
      java.util.OptionalLong recorded = committedVersion(t, txn.appId());
      if (t.readVersion() < 0 || recorded.isEmpty() || !sameColumns(rows.schema(), t.metadata().schema())) {
        return false;
      }
      committed = recorded.getAsLong();
    } catch (LinkageError e) {
      return false; // another Delta build: its own write options
    }
    if (txn.version() <= committed) {
      return true; // a replayed batch: Delta's option skips it the same way
    }
    Seq<FileAction> files = t.writeFiles(rows);
    List<Action> actions = new ArrayList<>(JavaConverters.seqAsJavaList(files));
    actions.add(new SetTransaction(txn.appId(), txn.version(), Option.<Object>apply(System.currentTimeMillis())));
    t.commit(JavaConverters.asScalaBuffer(actions).toSeq(),
        new DeltaOperations.Write(SaveMode.Append, Option.empty(), Option.empty(), Option.empty()));
    return true;
  }

  /**
   * The highest version of {@code appId} committed up to the transaction's read version, -1 if
   * none, from that version's checksum; empty when the checksum cannot say (none, or one without
   * transaction identifiers).
   */
  static java.util.OptionalLong committedVersion(OptimisticTransaction t, String appId) {
    Option<VersionChecksum> checksum = t.snapshot().checksumOpt();
    if (checksum.isEmpty() || checksum.get().setTransactions().isEmpty()) {
      return java.util.OptionalLong.empty();
    }
    long committed = -1;
    for (SetTransaction s : JavaConverters.seqAsJavaList(checksum.get().setTransactions().get())) {
      if (s.appId().equals(appId)) {
        committed = Math.max(committed, s.version());
      }
    }
    return java.util.OptionalLong.of(committed);
  }

  /**
   * The rows have the table's columns: the same names, order and types, nested ones included
   * (nullability and column metadata such as column mapping's physical names aside, which the
   * transaction's write applies from the table), and the table has no CHAR/VARCHAR column (whose
   * length check Spark's own write adds).
   */
  static boolean sameColumns(StructType rows, StructType table) {
    return rows.catalogString().equals(table.catalogString()) && !CharVarcharUtils.hasCharVarchar(table);
  }
}
