package io.medallion.stage;

import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.TableResult;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Gold: a SQL query over other tables, recomputed in batch and replaced atomically. */
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
      List<Runs.Counted> counted = new ArrayList<>();
      Dataset<Row> rows = plan(ctx, ref -> {
        Runs.Counted c = new Runs.Counted(ctx.spark().read().table(ctx.nameOf(ref).quoted()));
        counted.add(c);
        return c.data;
      });
      long written = DeltaTables.replace(rows, name, table.spec());
      long read = 0;
      for (Runs.Counted c : counted) {
        long n = c.count();
        read = n < 0 || read < 0 ? -1 : read + n;
      }
      return Runs.done(new TableResult(table.ref(), name, read, written, Runs.since(start)));
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    }
  }
}
