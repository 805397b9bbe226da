package io.medallion.quality;

/**
 * Every error the rule records raise, made in one place: each says what is wrong and how to fix
 * it. The config reader adds the file, line and config path.
 */
final class QualityErrors {
  private QualityErrors() {}

  static IllegalArgumentException badRuleName(String kind, String name, String example) {
    return new IllegalArgumentException(kind + " name '" + name + "' may only contain letters,"
        + " digits and '_' (1 to 128 characters), e.g. " + example);
  }

  static IllegalArgumentException expectationWithoutExpression(String name) {
    return new IllegalArgumentException(
        "expectation " + name + " needs a SQL boolean expression, e.g. \"amount > 0\"");
  }

  static IllegalArgumentException expectationWithoutAction(String name) {
    return new IllegalArgumentException("expectation " + name + " needs an action (warn, drop,"
        + " fail or quarantine) and a null result (pass or fail)");
  }

  static IllegalArgumentException definedTwice(String kind, String name) {
    return new IllegalArgumentException(kind + " " + name + " is defined twice; rename one");
  }

  static IllegalArgumentException rowCountWithoutBounds(String name) {
    return new IllegalArgumentException("row-count check " + name + " needs min, max or both,"
        + " e.g. min = 1");
  }

  static IllegalArgumentException minAboveMax(String name, long min, long max) {
    return new IllegalArgumentException("row-count check " + name + ": min " + min
        + " is above max " + max + "; swap or correct them");
  }

  static IllegalArgumentException negativeMin(String name) {
    return new IllegalArgumentException("row-count check " + name + ": min must not be negative");
  }

  static IllegalArgumentException checkWithoutColumn(String kind, String name, String example) {
    return new IllegalArgumentException(kind + " check " + name + " needs " + example);
  }

  static IllegalArgumentException nonPositiveMaxAge(String name) {
    return new IllegalArgumentException(
        "freshness check " + name + " needs a positive max-age, e.g. 1 day");
  }

  static IllegalArgumentException checkAction(String name, String action) {
    return new IllegalArgumentException("check " + name + ": a dataset check either fails the"
        + " batch or warns; on-violation must be fail or warn, not " + action);
  }

  /**
   * A batch that failed its fail rules: nothing of it was committed.
   *
   * @param where the config place and table, ending in ": "
   * @param offending one offending row with secret-looking values masked, or ""
   */
  static QualityException batchFailed(String table, String where, java.util.List<String> problems,
      String batch, Object target, String offending) {
    return new QualityException(table, where + String.join("; ", problems) + " in " + batch
        + ". Nothing of the batch was committed to " + target + " or its quarantine table."
        + (offending.isEmpty() ? "" : " One offending row: " + offending + ".")
        + " Fix the data at the source or the rule (pipeline." + table + ".expectations / .checks),"
        + " then run again: the same rows are processed again.");
  }

  static IllegalArgumentException shareOutOfRange(String name, double max) {
    return new IllegalArgumentException(
        "check " + name + ": max is a share between 0 and 1 (0.05 means 5%), not " + max);
  }
}
