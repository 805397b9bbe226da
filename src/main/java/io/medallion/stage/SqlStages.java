package io.medallion.stage;

import io.medallion.MedallionException;
import io.medallion.pipeline.SqlTemplate;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Runs a stage's SQL with each {@code {layer.table}} placeholder bound to a DataFrame. */
final class SqlStages {
  private SqlStages() {}

  static Dataset<Row> query(
      StageContext ctx, TableDefinition table, String sql, Function<TableRef, Dataset<Row>> inputs) {
    for (TableRef ref : SqlTemplate.references(sql)) {
      inputs.apply(ref).createOrReplaceTempView(ctx.viewOf(ref, "in_" + table.ref().layer().key() + "_" + table.ref().name()));
    }
    String rendered =
        SqlTemplate.render(sql, ref -> TableName.quote(ctx.viewOf(ref, "in_" + table.ref().layer().key() + "_" + table.ref().name())));
    try {
      return ctx.spark().sql(rendered);
    } catch (Exception e) { // AnalysisException is a checked exception Scala does not declare
      String reason = Runs.rootMessage(e);
      for (TableRef ref : SqlTemplate.references(sql)) {
        reason = reason.replace(ctx.viewOf(ref, "in_" + table.ref().layer().key() + "_" + table.ref().name()), "{" + ref + "}");
      }
      throw StageErrors.sqlDoesNotResolve(ctx.pipeline().origin(), table.ref(), reason, e);
    }
  }
}
