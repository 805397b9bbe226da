package io.medallion.table.internal.cdc;

import io.medallion.table.internal.ColumnRange;
import java.math.BigDecimal;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;

/**
 * A batch's key range ({@link ColumnRange}): the bounds of its MERGE's condition and of its read
 * of the stored changes, written as SQL literals.
 *
 * <p>Spark writes integral and date literals into the Java code it generates for a plan, and keeps
 * compiled classes by their code: a bound that moves with every batch made every batch compile the
 * MERGE's scans and joins again (four classes per batch in {@code bench/run-cdc.sh}, on the driver
 * and on every executor). So the bounds of integral and date keys are widened to a grid of a power
 * of two, about an eighth of the batch's span: the next batches, whose keys fall in the same cells,
 * get the same literals and reuse the compiled classes. Widening changes no match (every key of the
 * batch stays inside), and Delta still skips the target's files that lie outside. Decimal bounds
 * are not written into generated code and stay exact.
 */
final class KeyRange {
  private KeyRange() {}

  /**
   * The range of {@code column} (of {@code type}) holding {@code min} and {@code max} (external
   * values, as a {@code Row} gives them), widened for integral and date types.
   */
  static ColumnRange of(String column, Object min, Object max, DataType type) {
    if (!(type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType
        || type instanceof LongType || type instanceof DateType)) {
      return new ColumnRange(column, type, (BigDecimal) min, (BigDecimal) max); // a decimal, exact
    }
    // Catalyst's values: the number itself, or the days since the epoch of a date
    long lo = ((Number) CatalystTypeConverters.convertToCatalyst(min)).longValue();
    long hi = ((Number) CatalystTypeConverters.convertToCatalyst(max)).longValue();
    long[] cell = widen(lo, hi);
    return new ColumnRange(column, type, BigDecimal.valueOf(cell[0]), BigDecimal.valueOf(cell[1]));
  }

  /**
   * {@code [lo, hi]} widened to multiples of a power of two step, the largest not above an eighth of
   * the span (1 for spans under 16): {@code lower <= lo}, {@code hi <= upper}, each end moved by
   * less than the step. Never overflows: {@link Long#MIN_VALUE} is a multiple of every step, and so
   * {@code Long.MAX_VALUE + 1}; likewise a narrower type's bounds, since the step is at most an
   * eighth of that type's range, so the result stays inside the type.
   */
  static long[] widen(long lo, long hi) {
    long span = hi - lo; // unsigned: hi >= lo, so the difference fits in 64 bits without a sign
    long step = Math.max(1, Long.highestOneBit(span >>> 3));
    long lower = Math.floorDiv(lo, step) * step;
    long upper = Math.floorDiv(hi, step) * step + (step - 1);
    return new long[] {lower, upper};
  }

}
