package io.medallion.stage;

import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import java.time.Instant;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Gold: a SQL query over other tables, recomputed in batch and replaced atomically. Rows read are
 * the rows of its input tables (counted from the Delta log, so the query's own plan, filters and
 * pruning stay untouched).
 */
final class GoldStage implements Stage {
  private final GoldTable table;

  GoldStage(GoldTable table) {
    this.table = table;
  }

  @Override
  public TableDefinition definition() {
    return table;
  }

  @Override
  public Dataset<Row> plan(StageContext ctx, Function<TableRef, Dataset<Row>> inputs) {
    return SqlStages.query(ctx, table, table.sql(), inputs);
  }

  @Override
  public StageRun run(StageContext ctx) {
    Instant start = Instant.now();
    TableName name = ctx.nameOf(table.ref());
    try {
      long read = 0;
      for (TableRef input : table.inputs()) {
        read += DeltaTables.rowCount(ctx.spark(), ctx.nameOf(input));
      }
      Dataset<Row> rows = plan(ctx, ref -> ctx.spark().read().table(ctx.nameOf(ref).quoted()));
      QualityGate gate = new QualityGate(ctx, table, rows, false);
      gate.write(rows, -1, out -> DeltaTables.replace(out, name, table.spec()));
      return Runs.done(new TableResult(table.ref(), name, read, gate.rowsWritten(), Runs.since(start), gate.total()));
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    }
  }
}
