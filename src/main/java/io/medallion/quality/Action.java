package io.medallion.quality;

import java.util.Locale;

/**
 * What happens to a row that violates an expectation, or to a batch that fails a dataset check.
 * When a row violates several expectations the strongest action wins: {@code FAIL} over
 * {@code QUARANTINE} over {@code DROP} over {@code WARN}; every violated rule is still counted.
 */
public enum Action {
  /** Keep the row in the target and count the violation (DLT's {@code expect}). */
  WARN,
  /** Leave the row out of the target and count it (DLT's {@code expect_or_drop}). */
  DROP,
  /**
   * Leave the row out of the target and write it, with the reasons, to the table's quarantine
   * table {@code <table>_quarantine} (DLT has no equivalent).
   */
  QUARANTINE,
  /**
   * Stop the update: nothing of the batch is committed, to the target or the quarantine table, and
   * the run fails naming the rule, the count and one offending row (DLT's {@code expect_or_fail}).
   */
  FAIL;

  /** The spelling in config files: {@code warn}, {@code drop}, {@code quarantine}, {@code fail}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
