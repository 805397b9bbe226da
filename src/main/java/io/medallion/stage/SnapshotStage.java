package io.medallion.stage;

import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableRef;
import io.medallion.quality.QualityMetrics;
import io.medallion.table.CdcSpec;
import io.medallion.table.DeltaSink;
import io.medallion.table.Snapshots;
import io.medallion.table.TableName;
import io.medallion.table.Write;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Silver's snapshot CDC run (a {@code cdc { from-snapshot { ... } }} table, DLT's from-snapshot
 * flow): the available snapshot versions are the {@code from} table's current Delta version (read
 * {@code VERSION AS OF} it, through the table's SQL; with time versions, the version is that
 * commit's time) or the version subfolders of the folder; each
 * pending one ({@link Snapshots#pending}) is written in version order through the table's writer
 * with its version as batch id (one flow_progress event each), a late older one is recorded as
 * skipped with a warning, and a run with nothing pending writes nothing.
 */
final class SnapshotStage {
  private SnapshotStage() {}

  /** The rows of the newest snapshot, for planning and {@code validate}. */
  static Dataset<Row> plan(StageContext ctx, SilverTable table, Function<TableRef, Dataset<Row>> inputs) {
    CdcSpec.FromSnapshot source = table.cdc().orElseThrow().fromSnapshot().orElseThrow();
    if (!source.isFolder()) {
      return SqlStages.query(ctx, table, table.effectiveSql(), inputs);
    }
    return ctx.spark().createDataFrame(List.of(), Snapshots.folderSchema(ctx.spark(), source, where(ctx, table)));
  }

  static StageRun run(StageContext ctx, SilverTable table, Instant start) {
    SparkSession spark = ctx.spark();
    CdcSpec spec = table.cdc().orElseThrow();
    Write write = Write.cdcSnapshot(spec, where(ctx, table));
    TableName name = ctx.nameOf(table.ref());
    Map<Long, Supplier<Dataset<Row>>> available = available(ctx, table);
    List<Snapshots.Pending> pending = Snapshots.pending(spark, name, spec, available.keySet());
    if (pending.isEmpty()) {
      return Runs.done(new StageResult(table.ref(), name, 0, 0, Runs.since(start), QualityMetrics.none(),
          available.isEmpty() ? "no snapshot yet" : "no new snapshot"));
    }
    // Every pending snapshot is read (its schema) and checked before anything is written: one that
    // lacks a column the table has, or an earlier pending version brought, fails the run up front.
    Map<Long, Dataset<Row>> snapshots = new TreeMap<>();
    Map<String, org.apache.spark.sql.types.DataType> columns = Snapshots.targetColumns(spark, name);
    for (Snapshots.Pending p : pending) {
      if (p.lateWarning().isEmpty()) {
        Dataset<Row> rows = available.get(p.version()).get();
        columns = Snapshots.checkColumns(spec, name, p.version(), rows.schema(), columns, where(ctx, table));
        snapshots.put(p.version(), rows);
      }
    }
    Dataset<Row> planned = snapshots.isEmpty() ? available.get(pending.get(0).version()).get()
        : snapshots.values().iterator().next();
    TableWriter writer = new TableWriter(ctx, table, planned, write);
    DeltaSink.prepare(spark, name, planned.schema(), table.spec(), write, start);
    long read = 0;
    long written = 0;
    QualityMetrics quality = QualityMetrics.none();
    int applied = 0;
    for (Snapshots.Pending p : pending) {
      if (p.lateWarning().isPresent()) {
        writer.skipped(p.version(), p.lateWarning().get());
        continue;
      }
      Dataset<Row> rows = snapshots.get(p.version());
      if (!rows.schema().equals(planned.schema())) { // new columns: rules bound to them, the tables gain them
        written += writer.rowsWritten();
        quality = quality.plus(writer.total());
        planned = rows;
        writer = new TableWriter(ctx, table, planned, write);
      }
      writer.write(rows, p.version());
      read += Math.max(0, writer.lastRowsIn());
      applied++;
    }
    written += writer.rowsWritten();
    quality = quality.plus(writer.total());
    return Runs.done(new StageResult(table.ref(), name, read, written, Runs.since(start), quality,
        applied + " snapshot(s) applied" + (applied < pending.size() ? ", " + (pending.size() - applied)
            + " late one(s) skipped (see the event log)" : "")));
  }

  /** Each available snapshot version with a reader of its rows. */
  private static Map<Long, Supplier<Dataset<Row>>> available(StageContext ctx, SilverTable table) {
    SparkSession spark = ctx.spark();
    CdcSpec.FromSnapshot source = table.cdc().orElseThrow().fromSnapshot().orElseThrow();
    Map<Long, Supplier<Dataset<Row>>> out = new TreeMap<>();
    if (source.isFolder()) {
      Snapshots.folderVersions(spark, source, where(ctx, table))
          .forEach((v, path) -> out.put(v, () -> Snapshots.readFolder(spark, source, path)));
      return out;
    }
    TableName from = ctx.nameOf(table.from());
    OptionalLong current = DeltaSink.version(spark, from);
    if (current.isEmpty()) {
      return out;
    }
    long version = current.getAsLong();
    long snapshotVersion = version;
    if (source.timeVersions()) { // the latest commit's version and time, read together
      Row latest = spark.sql("DESCRIBE HISTORY " + from.quoted() + " LIMIT 1").select("version", "timestamp").first();
      version = latest.getLong(0);
      snapshotVersion = Snapshots.version(latest.getTimestamp(1).toInstant());
    }
    long read = version;
    out.put(snapshotVersion, () -> SqlStages.query(ctx, table, table.effectiveSql(), ref -> ref.equals(table.from())
        ? spark.sql("SELECT * FROM " + ctx.nameOf(ref).quoted() + " VERSION AS OF " + read)
        : spark.read().table(ctx.nameOf(ref).quoted())));
    return out;
  }

  private static String where(StageContext ctx, SilverTable table) {
    return ctx.pipeline().origin() + ": pipeline." + table.ref() + ".cdc";
  }
}
