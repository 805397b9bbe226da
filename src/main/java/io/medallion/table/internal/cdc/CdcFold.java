package io.medallion.table.internal.cdc;

import static io.medallion.table.internal.cdc.CdcColumns.cols;
import static io.medallion.table.internal.cdc.CdcColumns.quote;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The in-order replay of a key's changes, as window functions: given every change of some keys
 * (each key/sequence pair once), the target rows those keys must have. Pure: the same changes give
 * the same rows, whatever order they arrived in. Columns: the stored columns, {@code __op} ('U'
 * upsert, 'D' delete) and {@code __tie} (0 for a change, 1 for a truncate's delete, which wins at an
 * equal sequence).
 */
final class CdcFold {
  private CdcFold() {}

  static Dataset<Row> fold(Dataset<Row> changes, CdcColumns c, boolean scd2) {
    Column seq = c.sequenceColumn();
    Column op = col(CdcEngine.OP);
    WindowSpec byKey = Window.partitionBy(cols(c.keys)).orderBy(seq, col(CdcEngine.TIE));
    Dataset<Row> e = changes;
    if (!c.ignoreNull.isEmpty()) {
      // a life of a key runs from an upsert after a delete to the next delete; within it a NULL
      // update of an ignore-null column keeps the last non-null value
      e = e.withColumn("__life", coalesce(
          sum(when(op.equalTo("D"), 1).otherwise(0)).over(byKey.rowsBetween(Window.unboundedPreceding(), -1)),
          lit(0L)));
      List<Column> lifeKeys = new ArrayList<>(List.of(cols(c.keys)));
      lifeKeys.add(col("__life"));
      WindowSpec life = Window.partitionBy(lifeKeys.toArray(Column[]::new)).orderBy(seq, col(CdcEngine.TIE))
          .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
      for (String n : c.ignoreNull) {
        e = e.withColumn(n, when(op.equalTo("U"), last(when(op.equalTo("U"), col(quote(n))), true).over(life))
            .otherwise(col(quote(n))));
      }
    }
    return scd2 ? history(e, c, seq, byKey) : latest(e, c, seq);
  }

  private static Dataset<Row> latest(Dataset<Row> e, CdcColumns c, Column seq) {
    WindowSpec newestFirst = Window.partitionBy(cols(c.keys)).orderBy(seq.desc(), col(CdcEngine.TIE).desc());
    return e.withColumn("__rn", row_number().over(newestFirst))
        .where(col("__rn").equalTo(1).and(col(CdcEngine.OP).equalTo("U")))
        .select(cols(c.target));
  }

  private static Dataset<Row> history(Dataset<Row> e, CdcColumns c, Column seq, WindowSpec byKey) {
    Column op = col(CdcEngine.OP);
    Column tracked = c.tracked.isEmpty() ? lit(true) : struct(cols(c.tracked));
    Column prevOp = lag(op, 1).over(byKey);
    Column opens = op.equalTo("U").and(prevOp.isNull()
        .or(prevOp.equalTo("D"))
        .or(not(col("__tracked").eqNullSafe(lag(col("__tracked"), 1).over(byKey)))));
    List<String> data = c.target.stream().filter(t -> !c.keys.contains(t)).collect(Collectors.toList());
    List<Column> groupBy = new ArrayList<>(List.of(cols(c.keys)));
    groupBy.add(col("__grp"));
    Dataset<Row> groups = e.withColumn("__tracked", tracked)
        .withColumn("__opens", opens)
        .withColumn("__grp", sum(when(col("__opens"), 1).otherwise(0))
            .over(byKey.rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .where(col("__grp").gt(0))
        .groupBy(groupBy.toArray(Column[]::new))
        .agg(min(seq).as(CdcEngine.START),
            min(when(op.equalTo("D"), seq)).as("__del"),
            max_by(data.isEmpty() ? struct(lit(true).as("__none")) : struct(cols(data)), when(op.equalTo("U"), seq)).as("__v"));
    Column nextStart = lead(col(CdcEngine.START), 1).over(Window.partitionBy(cols(c.keys)).orderBy(col("__grp")));
    List<Column> out = new ArrayList<>();
    for (String t : c.target) {
      out.add(c.keys.contains(t) ? col(quote(t)) : col("__v").getField(t).as(t));
    }
    out.add(col(CdcEngine.START));
    out.add(coalesce(col("__del"), nextStart).as(CdcEngine.END));
    return groups.select(out.toArray(Column[]::new));
  }

  /**
   * The rows to change in the target to go from {@code before} to {@code after}, matched on {@code
   * on}: each with {@code __action} 'I' (insert), 'U' (update) or 'D' (delete). Unchanged rows are
   * left out.
   */
  static Dataset<Row> diff(Dataset<Row> before, Dataset<Row> after, List<String> on) {
    String[] names = after.columns();
    Dataset<Row> o = before.as("o");
    Dataset<Row> n = after.as("n");
    Column join = lit(true);
    for (String k : on) {
      join = join.and(col("o." + quote(k)).equalTo(col("n." + quote(k))));
    }
    Column[] oAll = new Column[names.length];
    Column[] nAll = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      oAll[i] = col("o." + quote(names[i])).as(names[i]);
      nAll[i] = col("n." + quote(names[i])).as(names[i]);
    }
    Column oldMissing = col("o." + quote(on.get(0))).isNull();
    Column newMissing = col("n." + quote(on.get(0))).isNull();
    Column action = when(newMissing, "D").when(oldMissing, "I")
        .when(not(struct(oAll).eqNullSafe(struct(nAll))), "U");
    List<Column> out = new ArrayList<>();
    for (String name : names) {
      out.add(on.contains(name)
          ? coalesce(col("n." + quote(name)), col("o." + quote(name))).as(name)
          : col("n." + quote(name)).as(name));
    }
    out.add(action.as(CdcEngine.ACTION));
    return o.join(n, join, "full_outer").select(out.toArray(Column[]::new)).where(col(CdcEngine.ACTION).isNotNull());
  }
}
