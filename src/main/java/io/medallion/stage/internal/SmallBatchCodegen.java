package io.medallion.stage.internal;

import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.RuntimeConfig;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Runs a small micro-batch with interpreted expressions instead of generated code.
 *
 * <p>Spark compiles Java for every new plan (whole-stage code generation, and projections,
 * predicates and orderings through Janino). That pays on many rows. On the few rows of a scheduled
 * incremental run it costs more than the rows themselves: in a new JVM, a CDC table's batch of one
 * changed row took 16.2-16.6 s with code generation and 12.2-13.3 s without (docs/performance.md,
 * "Small micro-batches without generated code"). Both modes compute the same results; Spark's own
 * suites run both.
 *
 * <p>The choice is made per micro-batch on the streaming query's own session (Structured Streaming
 * gives each query a clone of the session, so another table's query running at the same time is
 * not affected), from the batch's input size as Spark's optimizer estimates it without a job (for a
 * Delta or file input, the sum of its files' sizes), plus what its write reads (a MERGE scans its
 * target: an upsert's or a CDC table's, and a CDC table's stored changes, sized from their Delta
 * checksums). Inputs Spark cannot size (Kafka, Kinesis)
 * keep code generation. A value the user set for either setting ({@code spark.sql.codegen.wholeStage},
 * {@code spark.sql.codegen.factoryMode}) is left alone, and {@value #THRESHOLD_CONF} = 0 turns the
 * choice off.
 */
public final class SmallBatchCodegen {
  /** The input size below which a micro-batch runs interpreted: bytes, or a size with a unit ({@code 8m}). */
  public static final String THRESHOLD_CONF = "spark.medallion.interpretedBatchMaxBytes";
  /** 8 MiB: about 100,000 rows of a narrow table in Parquet, far more in a CSV or JSON batch's rows read. */
  public static final long DEFAULT_THRESHOLD = 8L << 20;

  static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

  private SmallBatchCodegen() {}

  /**
   * Sets the batch's session to interpreted or generated code for {@code batch}, unless that
   * session is {@code root} itself (a batch run's, shared by every table) or the user chose.
   * {@code tablesRead} gives the bytes of the tables the batch's write reads besides its rows (a
   * MERGE's target; empty when unknown, which keeps code generation), asked only for a small batch.
   *
   * @return true when the batch runs interpreted
   */
  public static boolean choose(SparkSession root, Dataset<Row> batch, Supplier<OptionalLong> tablesRead) {
    SparkSession session = batch.sparkSession();
    RuntimeConfig rootConf = root.conf();
    long threshold = threshold(rootConf.get(THRESHOLD_CONF, String.valueOf(DEFAULT_THRESHOLD)));
    if (session == root || threshold <= 0 || rootConf.contains(WHOLE_STAGE) || rootConf.contains(FACTORY_MODE)) {
      return false;
    }
    long rows = estimatedBytes(batch);
    boolean small = interpreted(rows, threshold);
    if (small) { // a MERGE also scans its target (and a CDC table its stored changes): count them too
      OptionalLong tables = tablesRead.get();
      small = tables.isPresent() && interpreted(rows + tables.getAsLong(), threshold);
    }
    if (small) {
      session.conf().set(WHOLE_STAGE, "false");
      session.conf().set(FACTORY_MODE, "NO_CODEGEN");
    } else {
      session.conf().unset(WHOLE_STAGE);
      session.conf().unset(FACTORY_MODE);
    }
    return small;
  }

  /** Parses {@value #THRESHOLD_CONF} when the session has it: a value that is not a size fails here. */
  public static void checkSetting(SparkSession spark) {
    scala.Option<String> value = spark.conf().getOption(THRESHOLD_CONF);
    if (value.isDefined()) {
      threshold(value.get());
    }
  }

  /** The threshold in bytes from the setting's text: bytes, or a size with a unit ({@code 8m}, {@code 512k}). */
  static long threshold(String text) {
    try {
      return JavaUtils.byteStringAsBytes(text);
    } catch (NumberFormatException e) {
      throw CodegenErrors.notASize(THRESHOLD_CONF, text);
    }
  }

  /** Whether a batch of {@code bytes} (-1: unknown) runs interpreted under {@code threshold}. */
  static boolean interpreted(long bytes, long threshold) {
    return bytes >= 0 && bytes < threshold;
  }

  /** The optimizer's estimate of the batch's size, -1 when it cannot tell (or says "huge"). */
  static long estimatedBytes(Dataset<Row> batch) {
    try {
      scala.math.BigInt size = batch.queryExecution().optimizedPlan().stats().sizeInBytes();
      return size.isValidLong() && size.longValue() < Long.MAX_VALUE ? size.longValue() : -1;
    } catch (RuntimeException e) { // an estimate only: never fail a batch over it
      return -1;
    }
  }
}
