package io.medallion.table.internal.cdc;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.execution.LogicalRDD$;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SQLExecution;
import org.apache.spark.storage.StorageLevel;
import scala.Option;

/**
 * A part of a CDC batch computed once and kept on the executors for the rest of the batch, as a
 * plan of one leaf, like Spark's local checkpoint, but <b>with its lineage</b>: a block lost with
 * its executor (a spot instance reclaimed, a node scaled down, an executor killed for memory) is
 * computed again from the batch and the stored changes, as a cached block would be, where a local
 * checkpoint's missing block fails the job ("Checkpoint block ... not found").
 *
 * <p>Why a one-leaf plan and not {@link Dataset#persist()}: the plans built over it (the folds, the
 * diff, the MERGE's source) are analyzed over that leaf instead of over the companion's read and the
 * batch's plan again at every step, and Spark's cache manager does not know it, so the append to
 * the companion at the end of the batch does not make Spark re-plan it (docs/cdc.md, "How a batch
 * is applied").
 *
 * <p>The rows are computed in one SQL execution named {@code "keep"} (so adaptive execution and the
 * SQL listener see them as a query, as they see a checkpoint), copied out of Spark's reused row
 * buffers and persisted {@code MEMORY_AND_DISK}. On a Spark build whose internal classes differ
 * (a vendor runtime), the Dataset's local checkpoint is used instead.
 */
final class KeptRows {
  private KeptRows() {}

  /** {@code rows} computed now and kept, as a one-leaf Dataset; {@link #release} drops them. */
  static Dataset<Row> of(Dataset<Row> rows) {
    try {
      return keep(rows);
    } catch (LinkageError e) {
      return rows.localCheckpoint(false);
    }
  }

  private static Dataset<Row> keep(Dataset<Row> rows) {
    QueryExecution qe = rows.queryExecution();
    RDD<InternalRow> kept = SQLExecution.withNewExecutionId(qe, Option.apply("keep"), () -> {
      RDD<InternalRow> copied = qe.executedPlan().execute().toJavaRDD().map(InternalRow::copy).rdd()
          .persist(StorageLevel.MEMORY_AND_DISK());
      copied.count();
      return copied;
    });
    return Dataset.ofRows(rows.sparkSession(), LogicalRDD$.MODULE$.fromDataset(kept, rows, false));
  }

  /** Drops the blocks of rows {@link #of kept} (or of a local checkpoint); nothing for another Dataset. */
  static void release(Dataset<Row> kept) {
    if (kept.queryExecution().logical() instanceof LogicalRDD r) {
      r.rdd().unpersist(false);
    }
  }
}
