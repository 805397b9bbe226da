package io.medallion.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * What a table's expectations and checks did in a run (summed over its micro-batches).
 *
 * @param rows rows that entered the expectations
 * @param dropped rows left out by {@code drop} rules (and by no stronger rule)
 * @param quarantined rows written to the quarantine table
 * @param warned rows kept that violated at least one {@code warn} rule
 * @param expectations per-rule counts, in declaration order
 * @param checks dataset check results of every batch, in the order they ran
 */
public record QualityMetrics(
    long rows, long dropped, long quarantined, long warned, List<ExpectationMetric> expectations, List<CheckResult> checks) {
  private static final QualityMetrics NONE = new QualityMetrics(0, 0, 0, 0, List.of(), List.of());

  public QualityMetrics {
    expectations = List.copyOf(expectations);
    checks = List.copyOf(checks);
  }

  /** Nothing measured: a table without rules, or a run that processed no batch. */
  public static QualityMetrics none() {
    return NONE;
  }

  /** The sum of two batches of the same table. */
  public QualityMetrics plus(QualityMetrics other) {
    if (this == NONE || this.expectations.isEmpty() && this.checks.isEmpty() && rows == 0) {
      return other;
    }
    List<ExpectationMetric> sum = new ArrayList<>();
    for (int i = 0; i < expectations.size(); i++) {
      sum.add(i < other.expectations.size() ? expectations.get(i).plus(other.expectations.get(i)) : expectations.get(i));
    }
    List<CheckResult> allChecks = new ArrayList<>(checks);
    allChecks.addAll(other.checks);
    return new QualityMetrics(
        rows + other.rows, dropped + other.dropped, quarantined + other.quarantined, warned + other.warned, sum, allChecks);
  }

  /** The failed checks (with action warn: a failed fail-check stops the run instead). */
  public List<CheckResult> failedChecks() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }
}
