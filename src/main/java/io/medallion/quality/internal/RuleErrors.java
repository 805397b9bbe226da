package io.medallion.quality.internal;

import io.medallion.MedallionException;
import java.util.List;

/**
 * Every error raised while compiling a table's rules against its rows, made in one place: each
 * names the config path, the rule and the table, says what is wrong and how to fix it.
 */
final class RuleErrors {
  private RuleErrors() {}

  static MedallionException doesNotResolve(String path, String expression, String rule,
      String dataset, String problem, List<String> columns, Exception cause) {
    return new MedallionException(path + ": the expression \"" + expression + "\" of expectation "
        + rule + " of table " + dataset + " does not resolve: " + problem + " The table's columns"
        + " are " + columns + ". Fix the expression, or the name of the column it uses.", cause);
  }

  static MedallionException notBoolean(String path, String expression, String rule, String dataset,
      String type) {
    return new MedallionException(path + ": the expression \"" + expression + "\" of expectation "
        + rule + " of table " + dataset + " is of type " + type + ", not boolean. Write a condition"
        + " every valid row satisfies, e.g. \"amount > 0\" or \"email IS NOT NULL\".");
  }

  static MedallionException notRowLevel(String path, String expression, String rule, String dataset) {
    return new MedallionException(path + ": the expression \"" + expression + "\" of expectation "
        + rule + " of table " + dataset + " is not a row-level, deterministic condition (aggregate,"
        + " window and random functions are not allowed: a rule sees one row at a time and must"
        + " give the same answer when a batch is retried). Use a dataset check for conditions on"
        + " the whole batch.");
  }

  static MedallionException unknownColumn(String path, String column, String dataset, List<String> columns) {
    return new MedallionException(path + ": column '" + column + "' is not a column of " + dataset
        + ". Its columns are " + columns + ".");
  }

  static MedallionException notATime(String path, String column, String dataset, String type, String kind) {
    return new MedallionException(path + ": column '" + column + "' of " + dataset + " is " + type
        + ", but a freshness check needs " + kind + " column. Cast it in the table's SQL, or check"
        + " another column.");
  }
}
