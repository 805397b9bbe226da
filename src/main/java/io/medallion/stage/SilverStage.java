package io.medallion.stage;

import io.medallion.pipeline.Execution;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.WriteMode;
import io.medallion.table.CdcSpec;
import io.medallion.table.DeltaSink;
import io.medallion.table.Write;
import java.time.Instant;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Silver: the new rows of the {@code from} table, transformed by SQL, deduplicated by key and
 * upserted (MERGE, see {@link Write.Merge} for which row of a key wins) or appended. Streaming runs
 * one write per micro-batch in {@code foreachBatch}; both carry the batch's Delta transaction
 * identifier, so a batch replayed after a crash commits nothing twice. A CDC table applies its rows
 * as change events ({@link Write#cdc}); a snapshot CDC table ({@code cdc.from-snapshot}) runs as
 * {@link SnapshotStage}: each new full snapshot is applied as the changes it implies.
 */
final class SilverStage implements Stage {
  private final SilverTable table;

  SilverStage(SilverTable table) {
    this.table = table;
  }

  @Override
  public TableDefinition definition() {
    return table;
  }

  @Override
  public Dataset<Row> plan(StageContext ctx, Function<TableRef, Dataset<Row>> inputs) {
    if (snapshots()) {
      return SnapshotStage.plan(ctx, table, inputs);
    }
    return SqlStages.query(ctx, table, table.effectiveSql(), inputs);
  }

  private boolean snapshots() {
    return table.cdc().map(CdcSpec::snapshots).orElse(false);
  }

  @Override
  public StageRun run(StageContext ctx) {
    Instant start = Instant.now();
    if (snapshots()) { // full snapshots, each applied as derived changes
      try {
        return SnapshotStage.run(ctx, table, start);
      } catch (Exception e) {
        throw Runs.failure(ctx, table.ref(), e);
      }
    }
    SparkSession spark = ctx.spark();
    boolean streaming = table.execution() == Execution.STREAMING;
    try {
      Dataset<Row> rows = plan(ctx, ref -> streaming && table.fromTables().contains(ref)
          ? spark.readStream().table(ctx.nameOf(ref).quoted())
          : DeltaSink.readLatest(spark, ctx.nameOf(ref)));
      // A batch table is recomputed from its whole input on every run: with mode = append it is
      // replaced, never appended to (that would add the same rows again on each run).
      // A CDC table applies its rows as change events (see Write.Cdc).
      Write write = table.cdc().<Write>map(c -> Write.cdc(c, ctx.pipeline().origin() + ": pipeline." + table.ref() + ".cdc"))
          .orElse(table.mode() == WriteMode.UPSERT ? Write.merge(table.keys(), table.sequenceBy())
              : streaming ? Write.append() : Write.replace());
      TableWriter writer = new TableWriter(ctx, table, rows, write);
      if (!streaming || table.cdc().isPresent()) {
        DeltaSink.prepare(spark, writer.name(), rows.schema(), table.spec(), write, start);
      }
      if (streaming) {
        // a CDC target was created above with its own columns: not the query's (its operation and
        // sequence columns, which except-column-list may leave out, would be added to it)
        return table.cdc().isPresent()
            ? Runs.stream(ctx, table, table.trigger(), rows, writer, () -> {}, start, q -> {})
            : Runs.stream(ctx, table, table.trigger(), rows, writer, start, q -> {});
      }
      long read = 0;
      for (TableRef from : table.fromTables()) {
        read += DeltaSink.rowCount(spark, ctx.nameOf(from));
      }
      return Runs.batch(table, rows, writer, start, read);
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    }
  }
}
