package io.medallion.internal;

import org.apache.spark.sql.AnalysisException;

/** Short, readable messages of failures (Spark's own carry plan dumps). */
public final class Causes {
  private Causes() {}

  /** The message of a failure and of its root cause, without Spark's plan dumps. */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = message(t);
    String last = message(root);
    return root == t || first.contains(last) ? first : first + " (caused by: " + last + ")";
  }

  private static String message(Throwable t) {
    String msg = t instanceof AnalysisException a ? a.getSimpleMessage() : t.getMessage();
    if (msg == null) {
      return t.getClass().getSimpleName();
    }
    // Spark appends the logical plan on the following lines: keep the first line.
    int cut = msg.indexOf('\n');
    return (cut > 0 ? msg.substring(0, cut) : msg).trim();
  }
}
