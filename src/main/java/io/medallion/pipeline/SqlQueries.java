package io.medallion.pipeline;

import java.util.Optional;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/** Checks that table SQL is one query, before any Spark session exists. */
final class SqlQueries {
  private SqlQueries() {}

  /**
   * Why table SQL is not a single query ({@code SELECT}, {@code WITH ... SELECT}, {@code VALUES},
   * {@code TABLE t}), or empty when it is one. Placeholders {@code {layer.table}} are allowed.
   * Anything else (DDL such as {@code DROP TABLE}, DML, {@code SET}, several statements) is
   * refused: {@code validate} analyzes table SQL, and Spark runs commands while analyzing.
   */
  static Optional<String> notAQuery(String sql) {
    String rendered = SqlTemplate.render(sql, ref -> "`__medallion_" + ref.layer().key() + "_" + ref.name() + "`");
    try {
      CatalystSqlParser$.MODULE$.parsePlan(rendered); // exactly one statement
      CatalystSqlParser$.MODULE$.parseQuery(rendered); // and it is a query
      return Optional.empty();
    } catch (Exception e) { // ParseException; Scala does not declare it
      String what = firstWord(rendered);
      return Optional.of(what.isEmpty() || what.equals("SELECT") || what.equals("WITH")
          ? "it is not a single query: " + firstLine(e)
          : "it is " + ("AEIOU".indexOf(what.charAt(0)) >= 0 ? "an " : "a ") + what + " statement, not a query");
    }
  }

  private static String firstWord(String sql) {
    String s = sql.strip().replaceAll("^(--[^\\n]*\\n\\s*|/\\*.*?\\*/\\s*)+", "");
    int end = 0;
    while (end < s.length() && Character.isLetter(s.charAt(end))) {
      end++;
    }
    return s.substring(0, end).toUpperCase(java.util.Locale.ROOT);
  }

  private static String firstLine(Exception e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int cut = msg.indexOf('\n');
    return (cut > 0 ? msg.substring(0, cut) : msg).trim();
  }

}
