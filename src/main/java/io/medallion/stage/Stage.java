package io.medallion.stage;

import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Computes one table of a pipeline. */
public interface Stage {
  /** The table this stage fills. */
  TableDefinition definition();

  /**
   * The rows the table would receive, as an analyzed DataFrame over the given inputs, without
   * moving data. Used by {@code validate}, which binds each input to the plan of its own stage.
   */
  Dataset<Row> plan(StageContext ctx, Function<TableRef, Dataset<Row>> inputs);

  /** Runs the stage against the real tables of the environment. */
  StageRun run(StageContext ctx);

  /**
   * Whether the next run replaces every row of the table whatever changed (a gold table whose
   * query or rules changed, or with {@code refresh = full}): a new CHECK constraint is then checked
   * against the rows that run writes, in the replacing commit, instead of against the table's
   * current rows. Reads only the table's Delta log.
   */
  default boolean replacesAllRows(StageContext ctx) {
    return false;
  }

  /**
   * Checks the table's expectations and checks against the columns of its planned rows (analysis
   * only).
   *
   * @throws io.medallion.MedallionException naming the rule, the table, the config path and the
   *     columns
   */
  static void checkQuality(StageContext ctx, TableDefinition table, Dataset<Row> planned) {
    TableWriter.compile(ctx, table, planned);
  }

  /**
   * Checks the session's medallion settings that the stages read as they run (today {@value
   * io.medallion.stage.internal.SmallBatchCodegen#THRESHOLD_CONF}), so that a bad value fails
   * {@code validate}, and a run before any table starts, rather than a streaming table's first
   * micro-batch.
   *
   * @throws io.medallion.MedallionException naming the setting, its value and the forms it takes
   */
  static void checkSettings(org.apache.spark.sql.SparkSession spark) {
    io.medallion.stage.internal.SmallBatchCodegen.checkSetting(spark);
  }

  /** The stage for a table definition. */
  static Stage of(TableDefinition table) {
    if (table instanceof BronzeTable b) {
      return new BronzeStage(b);
    } else if (table instanceof SilverTable s) {
      return new SilverStage(s);
    } else {
      return new GoldStage((GoldTable) table);
    }
  }
}
