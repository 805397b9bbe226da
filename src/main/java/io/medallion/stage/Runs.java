package io.medallion.stage;

import io.medallion.MedallionException;
import io.medallion.internal.Causes;
import io.medallion.internal.Secrets;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.TableDefinition;
import io.medallion.table.DeltaSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import java.time.Duration;
import java.time.Instant;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/** Shared pieces of stage runs: triggers, counting, waiting, error wrapping. */
final class Runs {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Runs.class);
  private Runs() {}

  static org.apache.spark.sql.streaming.Trigger sparkTrigger(Trigger trigger) {
    return switch (trigger.kind()) {
      case AVAILABLE_NOW -> org.apache.spark.sql.streaming.Trigger.AvailableNow();
      case ONCE -> org.apache.spark.sql.streaming.Trigger.Once();
      case PROCESSING_TIME ->
          org.apache.spark.sql.streaming.Trigger.ProcessingTime(trigger.interval().orElseThrow().toMillis());
    };
  }

  /** The name of a table's streaming query (shown in Spark's UI and progress). */
  static String queryName(StageContext ctx, TableRef ref) {
    return "medallion " + ctx.pipeline().name() + " " + ref;
  }

  /**
   * Runs a table in batch: one write of all its rows.
   *
   * @param read the rows read, or -1 to report the rows that entered the write
   */
  static StageRun batch(TableDefinition table, Dataset<Row> rows, TableWriter writer, Instant start, long read) {
    return batch(table, rows, writer, start, read, "");
  }

  /** {@link #batch(TableDefinition, Dataset, TableWriter, Instant, long)} with a note for the table's line. */
  static StageRun batch(
      TableDefinition table, Dataset<Row> rows, TableWriter writer, Instant start, long read, String note) {
    writer.write(rows, -1);
    return done(new StageResult(table.ref(), writer.name(), read >= 0 ? read : writer.lastRowsIn(),
        writer.rowsWritten(), since(start), writer.total(), note));
  }

  /** A finished batch run with this result. */
  static StageRun done(StageResult result) {
    return new StageRun() {
      @Override
      public StageResult await() {
        return result;
      }

      @Override
      public boolean continuous() {
        return false;
      }
    };
  }

  /**
   * Starts a table's streaming query: each micro-batch goes through {@code writer}, with the table's
   * checkpoint and trigger. The table exists when this returns, so that readers of it can start too:
   * it is created with the query's columns (or its additive changes applied) on this thread while
   * the query starts on its own (a source's first offsets, the first plan), and the first
   * micro-batch writes once it is done. {@code onTermination} runs once the query has ended,
   * however it ended.
   */
  static StageRun stream(StageContext ctx, TableDefinition table, Trigger trigger, Dataset<Row> rows,
      TableWriter writer, Instant start, Consumer<StreamingQuery> onTermination) throws TimeoutException {
    return stream(ctx, table, trigger, rows, writer, () -> DeltaSink.ensureTable(ctx.spark(), writer.name(),
        rows.schema(), table.spec()), start, onTermination);
  }

  /**
   * {@link #stream(StageContext, TableDefinition, Trigger, Dataset, TableWriter, Instant, Consumer)}
   * with the table created by {@code create}, for a table whose columns are not the query's (a CDC
   * target: its kept columns, with {@code __START_AT}/{@code __END_AT} for SCD type 2).
   */
  static StageRun stream(StageContext ctx, TableDefinition table, Trigger trigger, Dataset<Row> rows,
      TableWriter writer, Runnable create, Instant start, Consumer<StreamingQuery> onTermination)
      throws TimeoutException {
    CompletableFuture<Void> created = new CompletableFuture<>();
    StreamingQuery query =
        rows.writeStream()
            .queryName(queryName(ctx, table.ref()))
            .option("checkpointLocation", ctx.checkpointOf(table.ref()))
            .trigger(sparkTrigger(trigger))
            .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
              awaitCreated(created);
              if (!ctx.platform().isDatabricks()) { // the Databricks Runtime runs its own engine (Photon)
                io.medallion.stage.internal.SmallBatchCodegen.choose(ctx.spark(), batch, writer::bytesReadBesidesRows);
              }
              writer.write(batch, id);
            })
            .start();
    try {
      create.run();
      created.complete(null);
    } catch (Throwable e) { // Delta's AnalysisException is a checked exception Scala throws unchecked
      created.completeExceptionally(e); // a batch already waiting fails, and writes nothing
      try {
        query.stop();
      } catch (TimeoutException | RuntimeException stop) {
        e.addSuppressed(stop);
      } finally {
        onTermination.accept(query);
      }
      throw e;
    }
    TableRef ref = table.ref();
    return new StageRun() {
      @Override
      public StageResult await() {
        try {
          query.awaitTermination();
        } catch (StreamingQueryException e) {
          throw failure(ctx, ref, e.cause() != null ? e.cause() : e);
        } finally {
          onTermination.accept(query);
        }
        long read = 0;
        for (StreamingQueryProgress p : query.recentProgress()) {
          read += p.numInputRows();
        }
        if (table instanceof io.medallion.pipeline.SilverTable s && !s.alsoFrom().isEmpty()) {
          // Spark counts a batch's input rows per source only when its plan keeps a leaf per source;
          // a from table without new rows is optimized out of the union, and then no batch row is
          // counted: at least the rows the SQL made of them were read
          read = Math.max(read, writer.total().rows());
        }
        return new StageResult(ref, writer.name(), read, writer.rowsWritten(), Duration.between(start, Instant.now()),
            writer.total());
      }

      @Override
      public boolean continuous() {
        return !trigger.terminates();
      }

      @Override
      public void stop() {
        try {
          query.stop(); // this table's streaming query only (StreamingQuery.stop, not the session's)
        } catch (TimeoutException | RuntimeException e) {
          LOG.warn("Table {}: its streaming query did not stop cleanly: {}", ref, Secrets.redact(e.toString()));
        }
      }
    };
  }

  /** Waits until the table a stream writes exists; rethrows its creation's failure, if it failed. */
  private static void awaitCreated(CompletableFuture<Void> created) {
    try {
      created.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Wraps a failure of one table into an error that names the table and keeps the cause. */
  static MedallionException failure(StageContext ctx, TableRef ref, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MedallionException m) {
        return m; // already names the table (a quality failure inside a micro-batch, say)
      }
    }
    String reason = rootMessage(cause);
    return StageErrors.tableFailed(ref, ctx.nameOf(ref).toString(), ctx.pipeline().name(), reason, hint(cause), cause);
  }

  /** A sentence on how to fix failures whose cause is recognisable (Kafka's, mostly), else "". */
  static String hint(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String type = t.getClass().getSimpleName();
      String msg = String.valueOf(t.getMessage());
      if (t instanceof org.apache.spark.SparkThrowable s
          && "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES".equals(s.getErrorClass())) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("CHECK constraint (\\S+) ").matcher(msg);
        String constraint = m.find() ? "constraint " + m.group(1) : "the constraint";
        String values = java.util.Arrays.stream(msg.split("\n")).map(String::trim).filter(l -> l.startsWith("- "))
            .map(l -> l.substring(2)).collect(java.util.stream.Collectors.joining(", "));
        return (values.isEmpty() ? "" : " " + values) + ". No rows were written: Delta checks a table's CHECK"
            + " constraints in the write's own commit. Fix the query or its input rows so that they meet "
            + constraint + ", or change or remove " + constraint + " in the table's config (its constraints)";
      }
      if (type.equals("SaslAuthenticationException") || type.equals("AuthenticationException")) {
        return ". Kafka rejected the credentials: check source.security (username, mechanism) and"
            + " the secret its password reference points to";
      }
      if (type.equals("UnknownTopicOrPartitionException") || msg.contains("UNKNOWN_TOPIC_OR_PARTITION")) {
        return ". A topic does not exist: create it, or fix source.subscribe";
      }
      if (msg.contains("sources in the checkpoint offsets and now there are")) {
        return ". The table's stream now reads another number of tables than its checkpoint records (a table"
            + " added to or removed from its from), and a stream cannot continue from such a checkpoint."
            + " Full-refresh the table (--full-refresh <table>, or RunOptions.fullRefresh): its checkpoint is"
            + " deleted and it is recomputed from the whole of its inputs";
      }
      if (type.equals("TimeoutException") && (msg.contains("node assignment") || msg.contains("metadata"))) {
        return ". Kafka did not answer in time: check source.bootstrap-servers, that the brokers are"
            + " reachable from the cluster, and source.security.protocol";
      }
    }
    return "";
  }

  /** The message of a failure and of its root cause, without Spark's plan dumps. */
  static String rootMessage(Throwable t) {
    return Causes.rootMessage(t);
  }

  static Duration since(Instant start) {
    return Duration.between(start, Instant.now());
  }
}
