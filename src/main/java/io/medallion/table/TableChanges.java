package io.medallion.table;

import io.medallion.table.internal.DeltaTables;

import io.medallion.table.RefreshState.InputVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.RemoveFile;
import scala.Option;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The rows of a Delta table that changed between two versions, for consumers that recompute only
 * what those rows touch. The rows are returned with the table's own columns:
 * <ul>
 *   <li>append-only commits: the rows of the files they added (read from those files only);</li>
 *   <li>commits that also removed data (MERGE, UPDATE, DELETE): the change data feed of the whole
 *       range, every change type (inserts, both images of updates, deletes);</li>
 *   <li>anything else is {@link Rewritten}: the table was recreated, restored, overwritten or
 *       changed its schema, or it removed rows without a change data feed to say which.</li>
 * </ul>
 * Commits that only rearrange files ({@code dataChange = false}: OPTIMIZE, ZORDER) are ignored.
 */
public final class TableChanges {
  private static final Set<String> REWRITES = Set.of(
      "CREATE OR REPLACE TABLE AS SELECT", "REPLACE TABLE AS SELECT", "CREATE OR REPLACE TABLE",
      "REPLACE TABLE", "RESTORE", "TRUNCATE", "CONVERT", "CLONE");

  private TableChanges() {}

  /** What changed: rows, or why they cannot be told. */
  public sealed interface Result permits Rows, Rewritten {}

  /**
   * The changed rows.
   *
   * @param rows the changed rows, with the table's columns
   * @param knownCount rows added by append-only commits (from the log), or -1 when not known
   * @param changeFeed true if they were read from the change data feed
   */
  public record Rows(Dataset<Row> rows, long knownCount, boolean changeFeed) implements Result {}

  /** The changes cannot be read as rows; {@code reason} says why (a sentence fragment). */
  public record Rewritten(String reason) implements Result {}

  /** The changes of {@code name} after {@code from} up to and including {@code to}. */
  public static Result between(SparkSession spark, TableName name, InputVersion from, InputVersion to) {
    if (!from.tableId().equals(to.tableId())) {
      return new Rewritten(name + " was dropped and created again (a full refresh) since the last refresh");
    }
    if (to.version() < from.version()) {
      return new Rewritten(name + " went back from version " + from.version() + " to " + to.version());
    }
    DeltaLog log = DeltaTables.deltaLog(spark, name);
    if (log == null) {
      return new Rewritten("the Delta log of " + name + " cannot be read here");
    }
    List<AddFile> added = new ArrayList<>();
    boolean removed = false;
    boolean metadata = false;
    try {
      Iterator<Tuple2<Object, Seq<Action>>> commits = log.getChanges(from.version() + 1, to.version(), true);
      while (commits.hasNext()) {
        Tuple2<Object, Seq<Action>> commit = commits.next();
        long version = (Long) commit._1();
        Iterator<Action> actions = commit._2().iterator();
        while (actions.hasNext()) {
          Action a = actions.next();
          if (a instanceof CommitInfo info) {
            String op = info.operation();
            boolean overwrite = "WRITE".equals(op)
                && "Overwrite".equalsIgnoreCase(info.operationParameters().getOrElse("mode", () -> ""));
            if (REWRITES.contains(op) || overwrite) {
              return new Rewritten(name + " was rewritten (" + op + (overwrite ? " mode=Overwrite" : "")
                  + " at version " + version + ")");
            }
          } else if (a instanceof AddFile add && add.dataChange()) {
            added.add(add);
          } else if (a instanceof RemoveFile remove && remove.dataChange()) {
            removed = true;
          } else if (a instanceof Metadata) {
            metadata = true;
          }
        }
      }
    } catch (RuntimeException e) {
      return new Rewritten("the log of " + name + " after version " + from.version()
          + " is no longer complete (" + e.getClass().getSimpleName() + ")");
    }
    Snapshot now = log.update(false, Option.empty(), Option.empty());
    if (metadata && !log.getSnapshotAt(from.version(), Option.empty(), Option.empty()).schema()
        .equals(now.schema())) {
      return new Rewritten("the columns of " + name + " changed since the last refresh");
    }
    if (!removed) {
      long count = DeltaTables.logicalRecords(added).orElse(-1);
      Dataset<Row> rows = log.createDataFrame(now, JavaConverters.asScalaBuffer(added).toSeq(), false, Option.empty());
      return new Rows(rows, count, false);
    }
    if (!"true".equalsIgnoreCase(now.metadata().configuration().getOrElse("delta.enableChangeDataFeed", () -> "false"))) {
      return new Rewritten(name + " updated or deleted rows in versions " + (from.version() + 1) + ".."
          + to.version() + " and has no change data feed to tell which (set change-data-feed = true on it)");
    }
    try {
      Dataset<Row> feed = spark.read().format("delta")
          .option("readChangeFeed", "true")
          .option("startingVersion", from.version() + 1)
          .option("endingVersion", to.version())
          .load(log.dataPath().toString());
      feed = feed.drop("_change_type", "_commit_version", "_commit_timestamp");
      feed.schema(); // analysis fails here when the feed is missing for part of the range
      return new Rows(feed, -1, true);
    } catch (RuntimeException e) {
      return new Rewritten(name + " updated or deleted rows in versions " + (from.version() + 1) + ".."
          + to.version() + " without a change data feed to tell which (set change-data-feed = true on it)");
    }
  }
}
