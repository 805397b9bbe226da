package io.medallion.stage;

import io.medallion.pipeline.Execution;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.pipeline.WriteMode;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import java.time.Instant;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;

/**
 * Silver: the new rows of the {@code from} table, transformed by SQL, deduplicated by key and
 * upserted (MERGE) or appended. Streaming runs one MERGE per micro-batch in {@code foreachBatch};
 * re-running a batch after a crash is harmless because the MERGE of the same rows is idempotent
 * (appends carry Delta's {@code txnAppId}/{@code txnVersion}).
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
    return SqlStages.query(ctx, table, table.effectiveSql(), inputs);
  }

  @Override
  public StageRun run(StageContext ctx) {
    Instant start = Instant.now();
    SparkSession spark = ctx.spark();
    TableName name = ctx.nameOf(table.ref());
    boolean streaming = table.execution() == Execution.STREAMING;
    try {
      Dataset<Row> rows = plan(ctx, ref -> {
        String input = ctx.nameOf(ref).quoted();
        return streaming && ref.equals(table.from())
            ? spark.readStream().table(input)
            : spark.read().table(input);
      });
      QualityGate gate = new QualityGate(ctx, table, rows, table.mode() == WriteMode.UPSERT);
      DeltaTables.ensureTable(spark, name, rows.schema(), table.spec());
      String appId = gate.appId();
      if (streaming) {
        StreamingQuery query =
            rows.writeStream()
                .queryName("medallion " + ctx.pipeline().name() + " " + table.ref())
                .option("checkpointLocation", ctx.checkpointOf(table.ref()))
                .trigger(Runs.sparkTrigger(table.trigger()))
                .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) ->
                    gate.write(batch, id, out -> write(out, name, appId, id)))
                .start();
        return Runs.streaming(ctx, table.ref(), name, query, start, !table.trigger().terminates(), gate);
      }
      long read = DeltaTables.rowCount(spark, ctx.nameOf(table.from()));
      gate.write(rows, -1, out -> write(out, name, appId, -1));
      return Runs.done(new TableResult(table.ref(), name, read, gate.rowsWritten(), Runs.since(start), gate.total()));
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    }
  }

  /** Writes one batch of rows; {@code batchId} is -1 for a batch (non-streaming) run. */
  private void write(Dataset<Row> rows, TableName name, String appId, long batchId) {
    if (table.mode() == WriteMode.APPEND) {
      var writer = rows.write().format("delta").mode("append");
      if (batchId >= 0) {
        writer = writer.option("txnAppId", appId).option("txnVersion", batchId);
      }
      writer.saveAsTable(name.quoted());
      return;
    }
    SparkSession spark = rows.sparkSession();
    String view = ("__medallion_merge_" + name.catalog() + "_" + name.schema() + "_" + name.table())
        .replace('-', '_');
    latestPerKey(rows).createOrReplaceTempView(view);
    String on = table.keys().stream()
        .map(k -> "t." + TableName.quote(k) + " <=> s." + TableName.quote(k))
        .collect(Collectors.joining(" AND "));
    String newer = table.sequenceBy()
        .map(TableName::quote)
        .map(c -> " AND (s." + c + " >= t." + c + " OR t." + c + " IS NULL)")
        .orElse("");
    spark.sql(
        "MERGE INTO " + name.quoted() + " t USING " + TableName.quote(view) + " s ON " + on
            + " WHEN MATCHED" + newer + " THEN UPDATE SET *"
            + " WHEN NOT MATCHED THEN INSERT *");
  }

  /** One row per key: the latest by sequence-by, or any one when there is none. */
  private Dataset<Row> latestPerKey(Dataset<Row> rows) {
    if (table.sequenceBy().isEmpty()) {
      return rows.dropDuplicates(table.keys().toArray(new String[0]));
    }
    Column[] keys = table.keys().stream().map(functions::col).toArray(Column[]::new);
    Column order = functions.col(table.sequenceBy().get()).desc_nulls_last();
    return rows.withColumn("__medallion_rank", functions.row_number().over(Window.partitionBy(keys).orderBy(order)))
        .where(functions.col("__medallion_rank").equalTo(1))
        .drop("__medallion_rank");
  }
}
