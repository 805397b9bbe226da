package io.medallion.table.internal;

import io.medallion.table.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.delta.constraints.Constraint;
import org.apache.spark.sql.delta.constraints.Constraints;
import org.apache.spark.sql.functions;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Delta's {@code replaceWhere} (delete the rows that match a condition, add new rows, in one
 * commit) for a small table, without the state rebuild Delta's own path starts with.
 *
 * <p>Delta 3.3 first rebuilds the table's state to find the files that hold matching rows (for a
 * table written since it was last read: its "Compute snapshot" jobs), then scans them, rewrites
 * them without the matching rows, and writes the new rows: about ten Spark jobs for an incremental
 * gold refresh of a few rows. For a table whose latest checksum lists its files (up to 50, Delta's
 * {@code allFilesInCrc} threshold) and that holds at most {@link #MAX_BYTES}, this transaction
 * takes the files from the checksum, rewrites every one of them without the matching rows, writes
 * the new rows ({@code writeFiles}: Delta's files, statistics and constraint checks), removes the
 * old files and commits all of it as one {@code WRITE} in overwrite mode with the predicate:
 * the rewrite's job and the new rows' (an incremental gold refresh's write went from six jobs to
 * three in {@code bench/run-gold.sh}). The table's rows after the commit are those of Delta's path;
 * its files differ (every old file is rewritten), which on a table this small costs less than
 * finding the few to rewrite.
 *
 * <p>As in Delta's path, a new row that does not match the condition fails the write (Delta's
 * CHECK constraint error) before anything is committed, and the commit's metrics count the new
 * rows ({@code numOutputRows}). It is used only where it gives Delta's result: otherwise
 * {@link #replace} returns empty, having written nothing, and the caller uses Delta's {@code replaceWhere}. That is
 * the case for a table without a checksum or a file list, a larger one, one whose columns differ
 * from the rows' ({@link ChecksumTxnAppend#sameColumns}), a partitioned or clustered table, one
 * with its change data feed or row tracking on (whose readers see which rows changed, not only
 * the result), or another Delta build ({@link LinkageError}).
 */
public final class ChecksumReplaceWhere {
  /** The largest table (its checksum's {@code tableSizeBytes}) rewritten whole. */
  static final long MAX_BYTES = 8L << 20;
  /** The name of the check that each new row matches the condition (in Delta's error when not). */
  static final String CHECK = "replaceWhere";

  private ChecksumReplaceWhere() {}

  /**
   * Replaces the rows of {@code name} that match {@code condition} with {@code rows} in one commit
   * carrying {@code userMetadata}.
   *
   * @return empty, having written nothing, when this table needs Delta's own {@code replaceWhere}
   *     (see the class); else the rows written (the new rows, from their files' statistics), or
   *     an empty count when a file has no statistics
   */
  static Optional<OptionalLong> replace(Dataset<Row> rows, TableName name, String condition, Optional<String> userMetadata) {
    try {
      DeltaLog log = DeltaTables.deltaLog(rows.sparkSession(), name);
      if (log == null) {
        return Optional.empty();
      }
      OptimisticTransaction t = log.startTransaction();
      Optional<Seq<AddFile>> listed = DeltaTables.checksumFiles(t.snapshot());
      if (listed.isEmpty() || t.snapshot().checksumOpt().get().tableSizeBytes() > MAX_BYTES || !eligible(t)
          || !ChecksumTxnAppend.sameColumns(rows.schema(), t.metadata().schema())) {
        return Optional.empty();
      }
      Seq<AddFile> files = listed.get();
      t.readWholeTable();
      Column matches = functions.coalesce(functions.expr(condition), functions.lit(false));
      // The old files' rows that do not match, then the new rows (last, so that the commit's
      // metrics count them, as Delta's replaceWhere does); the old files are removed.
      List<Action> actions = new ArrayList<>();
      if (!files.isEmpty()) {
        Dataset<Row> kept = log.createDataFrame(t.snapshot(), files, false, Option.empty())
            .filter(functions.not(matches));
        actions.addAll(JavaConverters.seqAsJavaList(t.writeFiles(kept)));
      }
      List<AddFile> added = new ArrayList<>();
      // Delta's own check, as its replaceWhere adds it: a CHECK constraint of the write, evaluated
      // on the rows written (a filter would be pushed down the rows' plan, into its input)
      Seq<Constraint> check = JavaConverters.asScalaBuffer(List.<Constraint>of(
          new Constraints.Check(CHECK, functions.expr(condition).expr()))).toSeq();
      for (FileAction a : JavaConverters.seqAsJavaList(t.writeFiles(rows, Option.empty(), check))) {
        actions.add(a);
        if (a instanceof AddFile f) {
          added.add(f);
        }
      }
      long now = System.currentTimeMillis();
      for (AddFile f : JavaConverters.seqAsJavaList(files)) {
        actions.add(f.removeWithTimestamp(now, true));
      }
      t.commit(JavaConverters.asScalaBuffer(actions).toSeq(),
          new DeltaOperations.Write(SaveMode.Overwrite, Option.empty(), Option.apply(condition),
              Option.apply(userMetadata.orElse(null))));
      return Optional.of(DeltaTables.logicalRecords(added));
    } catch (LinkageError e) {
      return Optional.empty(); // another Delta build: its own replaceWhere
    }
  }

  /** Neither partitioned, clustered, nor with its change data feed or row tracking on. */
  private static boolean eligible(OptimisticTransaction t) {
    Map<String, String> conf = JavaConverters.mapAsJavaMap(t.metadata().configuration());
    return t.metadata().partitionColumns().isEmpty()
        && !"true".equalsIgnoreCase(conf.get("delta.enableChangeDataFeed"))
        && !"true".equalsIgnoreCase(conf.get("delta.enableRowTracking"))
        && !org.apache.spark.sql.delta.skipping.clustering.ClusteredTableUtils.isSupported(t.protocol());
  }
}
