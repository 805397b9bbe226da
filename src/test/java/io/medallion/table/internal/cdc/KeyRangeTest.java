package io.medallion.table.internal.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Random;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** A batch's key range ({@link io.medallion.table.internal.ColumnRange}) widened to a power-of-two grid: every key inside, bounds that repeat, no overflow. */
class KeyRangeTest {
  @Test
  void theWidenedRangeHoldsTheKeysAndEachEndMovesByLessThanAnEighthOfTheSpan() {
    Random r = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long lo = r.nextInt(2_000_000) - 1_000_000;
      long hi = lo + (r.nextBoolean() ? r.nextInt(20) : r.nextInt(5_000_000));
      long[] w = KeyRange.widen(lo, hi);
      long span = hi - lo;
      assertThat(w[0]).as("lower of [%d, %d]", lo, hi).isLessThanOrEqualTo(lo).isGreaterThan(lo - Math.max(1, span / 8));
      assertThat(w[1]).as("upper of [%d, %d]", lo, hi).isGreaterThanOrEqualTo(hi).isLessThan(hi + Math.max(1, span / 8));
    }
    assertThat(KeyRange.widen(5, 5)).containsExactly(5, 5);
    assertThat(KeyRange.widen(120, 140)).containsExactly(120, 141);
  }

  @Test
  void batchesWhoseKeysMoveALittleGetTheSameBounds() {
    // the CDC benchmark's batches: keys of a hot set below 50,000
    assertThat(KeyRange.widen(3, 49_996)).containsExactly(0, 53_247);
    assertThat(KeyRange.widen(0, 49_999)).containsExactly(0, 53_247);
    assertThat(KeyRange.of("k", 1, 49_990, DataTypes.IntegerType).sql("")).isEqualTo("`k` >= 0 AND `k` <= 53247");
    // new customers: the highest key grows batch by batch, the bounds only when it crosses a cell
    assertThat(KeyRange.of("k", 1_000_000L, 1_040_000L, DataTypes.LongType))
        .isEqualTo(KeyRange.of("k", 1_000_500L, 1_040_300L, DataTypes.LongType));
    assertThat(KeyRange.of("k", 1_000_000L, 1_040_000L, DataTypes.LongType).sql("t"))
        .isEqualTo("t.`k` >= 999424L AND t.`k` <= 1040383L");
  }

  @Test
  void theTypesExtremesDoNotOverflow() {
    assertThat(KeyRange.widen(Long.MIN_VALUE, Long.MAX_VALUE)).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);
    assertThat(KeyRange.widen(Long.MAX_VALUE - 3, Long.MAX_VALUE)).containsExactly(Long.MAX_VALUE - 3, Long.MAX_VALUE);
    assertThat(KeyRange.widen(Long.MIN_VALUE, Long.MIN_VALUE + 100)).containsExactly(Long.MIN_VALUE, Long.MIN_VALUE + 103);
    assertThat(KeyRange.of("k", Integer.MIN_VALUE, Integer.MAX_VALUE, DataTypes.IntegerType).sql(""))
        .isEqualTo("`k` >= " + Integer.MIN_VALUE + " AND `k` <= " + Integer.MAX_VALUE);
    assertThat(KeyRange.of("k", (short) -30_000, (short) 32_000, DataTypes.ShortType).sql("")).isEqualTo("`k` >= -32768S AND `k` <= 32767S");
    assertThat(KeyRange.of("k", (byte) -128, (byte) 127, DataTypes.ByteType).sql("")).isEqualTo("`k` >= -128Y AND `k` <= 127Y");
  }

  @Test
  void datesAreWidenedInDaysAndDecimalsStayExact() {
    // 2024-01-15 and 2024-02-29: 45 days, a step of 4 days (day 19,737 falls in the cell from 19,736)
    assertThat(KeyRange.of("k", Date.valueOf("2024-01-15"), Date.valueOf("2024-02-29"), DataTypes.DateType).sql("")).isEqualTo("`k` >= DATE '2024-01-14' AND `k` <= DATE '2024-03-01'");
    assertThat(KeyRange.of("k", LocalDate.parse("2024-01-15"), LocalDate.parse("2024-02-29"), DataTypes.DateType).sql("")).isEqualTo("`k` >= DATE '2024-01-14' AND `k` <= DATE '2024-03-01'");
    assertThat(KeyRange.of("k", new BigDecimal("12.50"), new BigDecimal("99999.99"), DataTypes.createDecimalType(10, 2)).sql("")).isEqualTo("`k` >= 12.50BD AND `k` <= 99999.99BD");
  }
}
