package io.medallion.stage;

import io.medallion.MedallionException;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.TableResult;
import io.medallion.pipeline.Trigger;
import io.medallion.table.TableName;
import java.time.Duration;
import java.time.Instant;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/** Shared pieces of stage runs: triggers, counting, waiting, error wrapping. */
final class Runs {
  private Runs() {}

  static org.apache.spark.sql.streaming.Trigger sparkTrigger(Trigger trigger) {
    return switch (trigger.kind()) {
      case AVAILABLE_NOW -> org.apache.spark.sql.streaming.Trigger.AvailableNow();
      case ONCE -> org.apache.spark.sql.streaming.Trigger.Once();
      case PROCESSING_TIME ->
          org.apache.spark.sql.streaming.Trigger.ProcessingTime(trigger.interval().orElseThrow().toMillis());
    };
  }

  /** A finished batch stage. */
  static StageRun done(TableResult result) {
    return new StageRun() {
      @Override
      public TableResult await() {
        return result;
      }

      @Override
      public boolean continuous() {
        return false;
      }
    };
  }

  /** A running streaming stage; awaiting it collects rows read from the query's progress. */
  static StageRun streaming(
      StageContext ctx, TableRef ref, TableName name, StreamingQuery query, Instant start, boolean continuous,
      QualityGate gate) {
    return new StageRun() {
      @Override
      public TableResult await() {
        try {
          query.awaitTermination();
        } catch (StreamingQueryException e) {
          throw failure(ctx, ref, e.cause() != null ? e.cause() : e);
        }
        long read = 0;
        for (StreamingQueryProgress p : query.recentProgress()) {
          read += p.numInputRows();
        }
        return new TableResult(ref, name, read, gate.rowsWritten(), Duration.between(start, Instant.now()), gate.total());
      }

      @Override
      public boolean continuous() {
        return continuous;
      }
    };
  }

  /** Wraps a failure of one table into an error that names the table and keeps the cause. */
  static MedallionException failure(StageContext ctx, TableRef ref, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MedallionException m) {
        return m; // already names the table (a quality failure inside a micro-batch, say)
      }
    }
    String reason = rootMessage(cause);
    return new MedallionException(
        "Table " + ref + " (" + ctx.nameOf(ref) + ") of pipeline '" + ctx.pipeline().name()
            + "' failed: " + reason,
        cause);
  }

  /** The message of a failure and of its root cause, without Spark's plan dumps. */
  static String rootMessage(Throwable t) {
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

  static Duration since(Instant start) {
    return Duration.between(start, Instant.now());
  }
}
