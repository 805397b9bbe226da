package io.medallion.table.internal.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many key ranges (files) a CDC table's first batch is written in ({@link CdcEngine#rangeFiles(long, long, long)}). */
class RangeFilesTest {
  private static final long ADVISORY = 64L << 20;

  @Test
  void aBatchThatFitsTheAdvisorySizeIsOneFileWithoutRanges() {
    assertThat(CdcEngine.rangeFiles(0, 100, ADVISORY)).isZero();
    assertThat(CdcEngine.rangeFiles(ADVISORY / 100, 100, ADVISORY)).isZero();
  }

  @Test
  void aLargerBatchHasAtLeastEightRangesAndOnePerAdvisorySizeBeyond() {
    // the benchmark's first batch: 1,000,000 changes of ~68 bytes, about one advisory size
    assertThat(CdcEngine.rangeFiles(1_000_000, 68, ADVISORY)).isEqualTo(8);
    assertThat(CdcEngine.rangeFiles(ADVISORY / 100 + 1, 100, ADVISORY)).isEqualTo(CdcEngine.MIN_RANGES);
    assertThat(CdcEngine.rangeFiles(8 * ADVISORY / 100, 100, ADVISORY)).isEqualTo(8);
    assertThat(CdcEngine.rangeFiles(8 * ADVISORY / 100 + 1, 100, ADVISORY)).isEqualTo(9);
    assertThat(CdcEngine.rangeFiles(1_000_000_000, 68, ADVISORY)).isEqualTo(1014);
    assertThat(CdcEngine.rangeFiles(Long.MAX_VALUE, 1_000, 1)).isEqualTo(Integer.MAX_VALUE / 2);
  }
}
