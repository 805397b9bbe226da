package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.quality.internal.QuarantineCollector;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** The collector of quarantine rows keeps them up to its cap and reports when it could not. */
class QuarantineCollectorTest {
  @Test
  void keepsRowsUpToTheCapAcrossTasks() {
    QuarantineCollector driver = new QuarantineCollector(3);
    QuarantineCollector task1 = (QuarantineCollector) driver.copyAndReset();
    task1.add(RowFactory.create("a"));
    task1.add(RowFactory.create("b"));
    QuarantineCollector task2 = (QuarantineCollector) driver.copyAndReset();
    task2.add(RowFactory.create("c"));
    driver.merge(task1);
    driver.merge(task2);
    assertThat(driver.complete()).isTrue();
    assertThat(driver.value()).extracting(r -> r.getString(0)).containsExactly("a", "b", "c");
  }

  @Test
  void beyondTheCapItIsIncompleteSoTheCallerReadsTheRowsAgain() {
    QuarantineCollector driver = new QuarantineCollector(2);
    QuarantineCollector task1 = (QuarantineCollector) driver.copyAndReset();
    task1.add(RowFactory.create("a"));
    task1.add(RowFactory.create("b"));
    QuarantineCollector task2 = (QuarantineCollector) driver.copyAndReset();
    task2.add(RowFactory.create("c"));
    driver.merge(task1);
    assertThat(driver.complete()).isTrue();
    driver.merge(task2);
    assertThat(driver.complete()).isFalse();

    QuarantineCollector single = new QuarantineCollector(1);
    single.add(RowFactory.create("a"));
    single.add(RowFactory.create("b"));
    assertThat(single.complete()).isFalse();
    assertThat(single.isZero()).isFalse();
    single.reset();
    assertThat(single.isZero()).isTrue();
  }
}
