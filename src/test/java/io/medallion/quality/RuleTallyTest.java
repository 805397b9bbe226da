package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counts of an inline batch are taken by the executors from each row's violation bits while
 * the target is written: they equal a plain count of each rule (here a loop over the ids), past
 * one bit-set column (70 rules), with null-share and freshness checks, and a plan Spark executes
 * twice is counted once.
 */
@ExtendWith(MedallionExtension.class)
class RuleTallyTest {
  private static final int ROWS = 2000;
  private static final int RULES = 70; // two bit-set columns: 63 + 7
  private static final Action[] ACTIONS = {Action.WARN, Action.DROP, Action.QUARANTINE};

  @TempDir Path dir;

  @Test
  void seventyRulesAreCountedAsAPlainCountOfEachRuleWouldCountThem(Lakehouse lake) {
    Dataset<Row> rows = rows(lake);
    QualityRules rules = rules();
    QualityCheck check = QualityCheck.compile(rules, "bronze.t", "c.s.t", "test: pipeline.bronze.t", rows,
        dir.resolve("staging").toString());
    QualityMetrics got;
    long written;
    try (QualityCheck.Batch batch = check.evaluate(rows, 3, false)) {
      batch.keep().write().parquet(dir.resolve("target").toString());
      QualityCheck.Outcome outcome = batch.after(true);
      got = outcome.metrics();
      assertThat(outcome.quarantine().orElseThrow().count()).isEqualTo(got.quarantined());
      written = lake.spark().read().parquet(dir.resolve("target").toString()).count();
    }

    // The reference: every rule i is violated by the ids divisible by i + 2.
    long quarantined = 0;
    long dropped = 0;
    long warned = 0;
    long[] violations = new long[RULES];
    for (int id = 0; id < ROWS; id++) {
      boolean q = false;
      boolean d = false;
      boolean w = false;
      for (int i = 0; i < RULES; i++) {
        if (id % (i + 2) == 0) {
          violations[i]++;
          q |= ACTIONS[i % 3] == Action.QUARANTINE;
          d |= ACTIONS[i % 3] == Action.DROP;
          w |= ACTIONS[i % 3] == Action.WARN;
        }
      }
      quarantined += q ? 1 : 0;
      dropped += d && !q ? 1 : 0;
      warned += w && !d && !q ? 1 : 0;
    }
    assertThat(got.rows()).isEqualTo(ROWS);
    assertThat(got.quarantined()).isEqualTo(quarantined);
    assertThat(got.dropped()).isEqualTo(dropped);
    assertThat(got.warned()).isEqualTo(warned);
    assertThat(written).isEqualTo(ROWS - quarantined - dropped);
    for (int i = 0; i < RULES; i++) {
      assertThat(got.expectations().get(i).failedRecords()).as("rule r%d", i).isEqualTo(violations[i]);
      assertThat(got.expectations().get(i).passedRecords()).as("rule r%d", i).isEqualTo(ROWS - violations[i]);
    }
    CheckResult nulls = got.checks().get(0);
    assertThat(nulls.observed()).isEqualTo("14.30% of 2000 rows"); // ids divisible by 7: 286
    CheckResult fresh = got.checks().get(1);
    assertThat(fresh.observed()).startsWith("newest ts 1970-01-01T00:33:19Z");

    // The same rules staged (one aggregation job over the held batch) count the same.
    try (QualityCheck.Batch staged = check.evaluate(rows, 3, true)) {
      QualityMetrics viaAggregates = staged.after(true).metrics();
      assertThat(viaAggregates.expectations()).isEqualTo(got.expectations());
      assertThat(List.of(viaAggregates.rows(), viaAggregates.dropped(), viaAggregates.quarantined(), viaAggregates.warned()))
          .isEqualTo(List.of(got.rows(), got.dropped(), got.quarantined(), got.warned()));
    }
  }

  @Test
  void aPlanExecutedTwiceIsCountedOnce(Lakehouse lake) {
    Dataset<Row> rows = rows(lake);
    QualityRules rules = new QualityRules(List.of(
        Expectation.of("even", "id % 2 = 1", Action.DROP),
        Expectation.of("tens", "id % 10 <> 0", Action.WARN)), List.of());
    QualityCheck check = QualityCheck.compile(rules, "bronze.t", "c.s.t", "test: pipeline.bronze.t", rows,
        dir.resolve("staging-twice").toString());
    try (QualityCheck.Batch batch = check.evaluate(rows, 0, false)) {
      assertThat(batch.keep().count()).isEqualTo(ROWS / 2);
      assertThat(batch.keep().count()).isEqualTo(ROWS / 2);
      QualityMetrics m = batch.after(true).metrics();
      assertThat(m.rows()).isEqualTo(ROWS);
      assertThat(m.dropped()).isEqualTo(ROWS / 2);
      assertThat(m.warned()).isZero(); // every multiple of 10 is even, so dropped
      assertThat(m.expectations().get(1).failedRecords()).isEqualTo(ROWS / 10);
    }
  }

  private static Dataset<Row> rows(Lakehouse lake) {
    return lake.spark().range(0, ROWS, 1, 4).select(
        functions.col("id"),
        functions.when(functions.col("id").mod(7).equalTo(0), null).otherwise(functions.col("id")).as("maybe"),
        functions.timestamp_seconds(functions.col("id")).as("ts"));
  }

  private static QualityRules rules() {
    List<Expectation> es = new ArrayList<>();
    for (int i = 0; i < RULES; i++) {
      es.add(Expectation.of("r" + i, "id % " + (i + 2) + " <> 0", ACTIONS[i % 3]));
    }
    return new QualityRules(es, List.of(
        new DatasetCheck.NullShare("nulls", Action.WARN, "maybe", 0.5),
        new DatasetCheck.Freshness("fresh", Action.WARN, "ts", Duration.ofDays(365_000))));
  }
}
