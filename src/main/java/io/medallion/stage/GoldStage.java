package io.medallion.stage;

import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.table.DeltaSink;
import io.medallion.table.Write;
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
    try {
      long read = 0;
      for (TableRef input : table.inputs()) {
        read += DeltaSink.rowCount(ctx.spark(), ctx.nameOf(input));
      }
      Dataset<Row> rows = plan(ctx, ref -> ctx.spark().read().table(ctx.nameOf(ref).quoted()));
      return Runs.batch(table, rows, new TableWriter(ctx, table, rows, Write.replace()), start, read);
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    }
  }
}
