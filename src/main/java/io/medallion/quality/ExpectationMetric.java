package io.medallion.quality;

/**
 * How the rows of a table fared against one expectation, in the shape of Delta Live Tables'
 * {@code flow_progress.data_quality.expectations} entries.
 *
 * @param name the expectation's name
 * @param dataset the table, as {@code layer.table}
 * @param action what the rule does with violating rows
 * @param passedRecords rows that satisfied the rule
 * @param failedRecords rows that violated it (whatever happened to them)
 */
public record ExpectationMetric(String name, String dataset, Action action, long passedRecords, long failedRecords) {
  ExpectationMetric plus(ExpectationMetric other) {
    return new ExpectationMetric(name, dataset, action, passedRecords + other.passedRecords, failedRecords + other.failedRecords);
  }
}
