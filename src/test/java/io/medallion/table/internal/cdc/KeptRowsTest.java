package io.medallion.table.internal.cdc;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.testkit.LocalSpark;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.LogicalRDD;
import org.junit.jupiter.api.Test;

/**
 * The parts of a CDC batch that the engine keeps ({@link KeptRows}) survive the loss of their
 * blocks, as when the executor holding them is lost: the blocks are removed from every block
 * manager (what Spark does for a lost executor's blocks) while the rows stay kept, and the next
 * read computes them again. A local checkpoint, which the engine kept before, fails that read.
 */
class KeptRowsTest {
  private final SparkSession spark = LocalSpark.session();

  /** A plan with a shuffle, as the engine's kept parts have (a join, a window). */
  private Dataset<Row> rows() {
    return spark.range(0, 1_000, 1, 4).groupBy(col("id").mod(10).as("k"))
        .agg(count(lit(1)).as("n"), sum(col("id")).as("s"));
  }

  private static int rddId(Dataset<Row> kept) {
    assertThat(kept.queryExecution().logical()).as("a plan of one leaf").isInstanceOf(LogicalRDD.class);
    return ((LogicalRDD) kept.queryExecution().logical()).rdd().id();
  }

  /** What an executor's loss does to the blocks it held: gone, while the RDD stays persisted. */
  private static void loseBlocks(int rddId) {
    SparkEnv.get().blockManager().master().removeRdd(rddId, true);
  }

  private static List<String> sorted(Dataset<Row> d) {
    return d.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void keptRowsWhoseBlocksAreLostAreComputedAgainFromTheirLineage() {
    List<String> expected = sorted(rows());
    assertThat(expected).hasSize(10).contains("[3,100,49800]");
    Dataset<Row> kept = KeptRows.of(rows());
    int id = rddId(kept);
    assertThat(spark.sparkContext().getPersistentRDDs().contains(id)).as("kept on the executors").isTrue();
    assertThat(sorted(kept)).isEqualTo(expected);

    loseBlocks(id);
    assertThat(sorted(kept)).as("read again after its blocks were lost").isEqualTo(expected);
    assertThat(sorted(kept.where("k >= 5"))).as("and in a plan over it").hasSize(5);

    KeptRows.release(kept);
    assertThat(spark.sparkContext().getPersistentRDDs().contains(id)).as("released").isFalse();
  }

  @Test
  void aLocalCheckpointWhoseBlocksAreLostFailsTheRead() {
    Dataset<Row> checkpointed = rows().localCheckpoint(false);
    int id = rddId(checkpointed);
    assertThat(sorted(checkpointed)).hasSize(10);

    loseBlocks(id);
    assertThatThrownBy(() -> checkpointed.collectAsList()).isInstanceOf(SparkException.class)
        .hasStackTraceContaining("Checkpoint block rdd_" + id + "_").hasStackTraceContaining("not found");
    KeptRows.release(checkpointed);
  }
}
