package io.medallion.table.internal;

import io.medallion.table.TableFeatures;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.util.CharVarcharUtils;
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
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Delta's overwrites of a small table (its rows replaced whole, or those that match a condition)
 * in one transaction over the files its latest checksum lists, without the state rebuild Delta's
 * own paths start with.
 *
 * <p>Delta 3.3 first rebuilds the table's state to find its files (for a table written since it
 * was last read: its "Compute snapshot" jobs). For a table whose latest checksum lists its files
 * (up to 50, Delta's {@code allFilesInCrc} threshold), this transaction takes them from the
 * checksum instead, writes the new rows ({@code writeFiles}: Delta's files, statistics and the
 * table's constraint checks), removes the old files and commits all of it as one {@code WRITE} in
 * overwrite mode, carrying the caller's user metadata:
 * <ul>
 *   <li>{@link #replaceWhere} (incremental gold): for a table of at most {@link #MAX_BYTES}, every
 *       old file is rewritten without the matching rows, and a new row that does not match the
 *       condition fails the write (Delta's CHECK constraint error) before anything is committed,
 *       as in Delta's {@code replaceWhere}; an incremental gold refresh's write went from six jobs
 *       to three in {@code bench/run-gold.sh}. The table's rows after the commit are those of
 *       Delta's path; its files differ (every old file is rewritten), which on a table this small
 *       costs less than finding the few to rewrite.</li>
 *   <li>{@link #replace} (a full gold recompute, a batch silver or bronze table): the new rows
 *       alone, when the table already has the layout the replace would give it: the rows'
 *       columns (nullable, as Delta's {@code CREATE OR REPLACE TABLE ... AS SELECT} makes them,
 *       with the spec's column comments), the spec's partitioning, properties, constraints and
 *       comment. One Spark job (the rows' write) instead of five. Unlike Delta's replace, the
 *       table keeps its table id, and its history says {@code WRITE} (mode Overwrite) instead of
 *       {@code CREATE OR REPLACE TABLE AS SELECT}; both are rewrites to its readers
 *       ({@code TableChanges}).</li>
 * </ul>
 * The commit's metrics count the new rows ({@code numOutputRows}). Each is used only where it
 * gives Delta's result: otherwise it returns empty, having written nothing, and the caller uses
 * Delta's path. That is the case for a table without a checksum or a file list, one whose columns
 * differ from the rows' ({@link ChecksumTxnAppend#sameColumns}), a clustered table, one with its
 * change data feed or row tracking on (whose readers see which rows changed, not only the
 * result), or another Delta build ({@link LinkageError}); for {@code replaceWhere} also a larger
 * or partitioned table.
 */
public final class ChecksumOverwrite {
  /** The largest table (its checksum's {@code tableSizeBytes}) rewritten whole by {@link #replaceWhere}. */
  static final long MAX_BYTES = 8L << 20;
  /** The name of the check that each new row matches the condition (in Delta's error when not). */
  static final String CHECK = "replaceWhere";

  private ChecksumOverwrite() {}

  /**
   * Replaces the rows of {@code name} that match {@code condition} with {@code rows} in one commit
   * carrying {@code userMetadata}.
   *
   * @return empty, having written nothing, when this table needs Delta's own {@code replaceWhere}
   *     (see the class); else the rows written (the new rows, from their files' statistics), or
   *     an empty count when a file has no statistics
   */
  static Optional<OptionalLong> replaceWhere(Dataset<Row> rows, TableName name, String condition,
      Optional<String> userMetadata) {
    try {
      Optional<OptimisticTransaction> started = start(rows, name);
      if (started.isEmpty()) {
        return Optional.empty();
      }
      OptimisticTransaction t = started.get();
      if (t.snapshot().checksumOpt().get().tableSizeBytes() > MAX_BYTES || !t.metadata().partitionColumns().isEmpty()
          || !ChecksumTxnAppend.sameColumns(rows.schema(), t.metadata().schema())) {
        return Optional.empty();
      }
      Seq<AddFile> files = DeltaTables.checksumFiles(t.snapshot()).get();
      t.readWholeTable();
      // The old files' rows that do not match (their rewrite), then the new rows: last, so that
      // the commit's metrics count them, as Delta's replaceWhere does.
      List<Action> actions = new ArrayList<>();
      if (!files.isEmpty()) {
        Column matches = functions.coalesce(functions.expr(condition), functions.lit(false));
        Dataset<Row> kept = t.deltaLog().createDataFrame(t.snapshot(), files, false, Option.empty())
            .filter(functions.not(matches));
        actions.addAll(JavaConverters.seqAsJavaList(t.writeFiles(kept)));
      }
      // Delta's own check, as its replaceWhere adds it: a CHECK constraint of the write, evaluated
      // on the rows written (a filter would be pushed down the rows' plan, into its input)
      Seq<Constraint> check = JavaConverters.asScalaBuffer(List.<Constraint>of(
          new Constraints.Check(CHECK, functions.expr(condition).expr()))).toSeq();
      return Optional.of(commit(t, files, actions, t.writeFiles(rows, Option.empty(), check),
          new DeltaOperations.Write(SaveMode.Overwrite, Option.empty(), Option.apply(condition),
              Option.apply(userMetadata.orElse(null)))));
    } catch (LinkageError e) {
      return Optional.empty(); // another Delta build: its own replaceWhere
    }
  }

  /**
   * Replaces all rows of the existing table {@code name} with {@code rows} in one commit carrying
   * {@code userMetadata}, when the table already has the layout that replacing it with
   * {@code spec} would give it (see the class).
   *
   * @return empty, having written nothing, when this table needs Delta's own replace; else the rows
   *     written (from their files' statistics), or an empty count when a file has no statistics
   */
  static Optional<OptionalLong> replace(Dataset<Row> rows, TableName name, TableSpec spec,
      Optional<String> userMetadata) {
    if (!spec.clusterBy().isEmpty()) {
      return Optional.empty();
    }
    try {
      Optional<OptimisticTransaction> started = start(rows, name);
      if (started.isEmpty() || !hasLayout(started.get(), rows.schema(), spec)) {
        return Optional.empty();
      }
      OptimisticTransaction t = started.get();
      t.readWholeTable();
      Seq<String> partitions = t.metadata().partitionColumns();
      return Optional.of(commit(t, DeltaTables.checksumFiles(t.snapshot()).get(), new ArrayList<>(), t.writeFiles(rows),
          new DeltaOperations.Write(SaveMode.Overwrite, partitions.isEmpty() ? Option.empty() : Option.apply(partitions),
              Option.empty(), Option.apply(userMetadata.orElse(null)))));
    } catch (LinkageError e) {
      return Optional.empty(); // another Delta build: its own replace
    }
  }

  /**
   * Commits {@code actions}, then the new rows' files {@code written}, with the removal of every
   * old file; returns the new rows from their files' statistics.
   */
  private static OptionalLong commit(OptimisticTransaction t, Seq<AddFile> old, List<Action> actions,
      Seq<FileAction> written, DeltaOperations.Write operation) {
    List<AddFile> added = new ArrayList<>();
    for (FileAction a : JavaConverters.seqAsJavaList(written)) {
      actions.add(a);
      if (a instanceof AddFile f) {
        added.add(f);
      }
    }
    long now = System.currentTimeMillis();
    for (AddFile f : JavaConverters.seqAsJavaList(old)) {
      actions.add(f.removeWithTimestamp(now, true));
    }
    t.commit(JavaConverters.asScalaBuffer(actions).toSeq(), operation);
    return DeltaTables.logicalRecords(added);
  }

  /**
   * A transaction on the table, if it has a Delta log whose latest checksum lists its files and it
   * is neither clustered nor has its change data feed or row tracking on.
   */
  private static Optional<OptimisticTransaction> start(Dataset<Row> rows, TableName name) {
    DeltaLog log = DeltaTables.deltaLog(rows.sparkSession(), name);
    if (log == null) {
      return Optional.empty();
    }
    OptimisticTransaction t = log.startTransaction();
    return DeltaTables.checksumFiles(t.snapshot()).isPresent() && eligible(t) ? Optional.of(t) : Optional.empty();
  }

  private static boolean eligible(OptimisticTransaction t) {
    Map<String, String> conf = JavaConverters.mapAsJavaMap(t.metadata().configuration());
    return !"true".equalsIgnoreCase(conf.get("delta.enableChangeDataFeed"))
        && !"true".equalsIgnoreCase(conf.get("delta.enableRowTracking"))
        && !org.apache.spark.sql.delta.skipping.clustering.ClusteredTableUtils.isSupported(t.protocol());
  }

  /**
   * The table has the layout that Delta's replace with {@code spec} gives it
   * ({@link DeltaTables#replace}): the rows' columns made nullable, with the spec's column
   * comments; the spec's partitioning, comment, properties and constraints, and nothing more.
   */
  private static boolean hasLayout(OptimisticTransaction t, StructType rows, TableSpec spec) {
    return t.metadata().schema().equals(replacedColumns(rows, spec))
        && JavaConverters.seqAsJavaList(t.metadata().partitionColumns()).equals(spec.partitionBy())
        && Objects.equals(t.metadata().description(), spec.comment().orElse(null))
        && JavaConverters.mapAsJavaMap(t.metadata().configuration()).equals(TableFeatures.replaceProperties(spec))
        && !CharVarcharUtils.hasCharVarchar(t.metadata().schema());
  }

  /** The columns Delta's replace gives the table: the rows' made nullable, with the spec's comments. */
  private static StructType replacedColumns(StructType rows, TableSpec spec) {
    List<StructField> fields = new ArrayList<>();
    for (StructField f : rows.asNullable().fields()) {
      String comment = spec.columnComments().entrySet().stream()
          .filter(c -> c.getKey().equalsIgnoreCase(f.name())).map(Map.Entry::getValue).findFirst().orElse(null);
      fields.add(comment == null ? f : f.withComment(comment));
    }
    return new StructType(fields.toArray(StructField[]::new));
  }
}
