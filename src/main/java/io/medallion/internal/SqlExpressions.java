package io.medallion.internal;

import java.util.Optional;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/** Checks on SQL expressions written in config, before any Spark session exists. */
public final class SqlExpressions {
  private SqlExpressions() {}

  /** Why the expression does not parse as Spark SQL, or empty when it parses. */
  public static Optional<String> parseError(String expression) {
    try {
      CatalystSqlParser$.MODULE$.parseExpression(expression);
      return Optional.empty();
    } catch (Exception e) { // ParseException; Scala does not declare it
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      // Spark's message repeats the text with a caret on following lines: keep the first line.
      int cut = msg.indexOf('\n');
      return Optional.of((cut > 0 ? msg.substring(0, cut) : msg).trim());
    }
  }
}
