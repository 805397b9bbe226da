package io.medallion.internal;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs code with a given session as the thread's active one, then restores the thread's own. Spark
 * and Delta resolve some things through the active session rather than the one passed in: Spark
 * loads a catalog from the active session's SQL configuration (on a thread without one, a catalog
 * just registered is "not defined"), and Delta builds Datasets (and resolves its settings) in it,
 * which is another session when the one passed in is a clone (a temporary view of such a Dataset
 * would then be registered where the clone's queries do not see it). Code that may run on such a
 * thread (a table's thread, a user's thread pool) goes through this.
 */
public final class ActiveSession {
  private ActiveSession() {}

  /** {@code body}'s result, computed with {@code spark} as this thread's active session. */
  public static <T> T with(SparkSession spark, Supplier<T> body) {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    SparkSession.setActiveSession(spark);
    try {
      return body.get();
    } finally {
      if (active.isDefined()) {
        SparkSession.setActiveSession(active.get());
      } else {
        SparkSession.clearActiveSession();
      }
    }
  }
}
