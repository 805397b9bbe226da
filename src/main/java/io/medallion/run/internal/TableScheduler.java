package io.medallion.run.internal;

import io.medallion.internal.DaemonThreads;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.SparkContext;

/**
 * Runs a run's tables as their inputs become ready: one thread per ready table, each submitting its
 * Spark jobs in its own scheduler pool ({@code spark.scheduler.pool = medallion <layer.table>},
 * which shares the cluster fairly when the session uses {@code spark.scheduler.mode=FAIR}).
 *
 * <p>A table is ready when every input it reads among the run's tables has finished. Semantics are
 * those of a run in dependency order: when a table fails, no further table starts, the tables
 * already running finish (and keep their results), and the first failure is thrown, naming its
 * table. Independent tables therefore overlap their driver-side work (planning, Delta log reads,
 * commits) and their jobs.
 */
public final class TableScheduler {
  /** What the runner does for one table, on the table's own thread. */
  @FunctionalInterface
  public interface TableTask {
    void run(TableDefinition table);
  }

  /** Called on the runner's thread when a table failed, before the failure is thrown. */
  @FunctionalInterface
  public interface OnFailure {
    void failed(TableRef table, RuntimeException error);
  }

  private static final java.util.concurrent.ThreadFactory THREADS = DaemonThreads.numbered("medallion-table-");

  private TableScheduler() {}

  /**
   * Runs {@code tables} (in dependency order) with at most {@code parallelism} at once; returns
   * when all finished, or throws the first failure after the running ones finished.
   */
  public static void run(
      SparkContext sc, List<TableDefinition> tables, int parallelism, TableTask task, OnFailure onFailure) {
    if (parallelism <= 1 || tables.size() <= 1) {
      for (TableDefinition t : tables) {
        try {
          task.run(t);
        } catch (RuntimeException e) {
          onFailure.failed(t.ref(), e);
          throw e;
        }
      }
      return;
    }
    Map<TableRef, TableDefinition> waiting = new LinkedHashMap<>();
    tables.forEach(t -> waiting.put(t.ref(), t));
    Set<TableRef> inRun = new HashSet<>(waiting.keySet());
    Set<TableRef> done = new HashSet<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, tables.size()), THREADS);
    CompletionService<TableRef> finished = new ExecutorCompletionService<>(pool);
    Map<Future<TableRef>, TableRef> running = new LinkedHashMap<>();
    RuntimeException failure = null;
    TableRef failed = null;
    try {
      while (!waiting.isEmpty() || !running.isEmpty()) {
        if (failure == null) {
          for (TableDefinition t : new ArrayList<>(waiting.values())) {
            if (t.inputs().stream().allMatch(in -> !inRun.contains(in) || done.contains(in))) {
              waiting.remove(t.ref());
              running.put(finished.submit(() -> {
                pool(sc, "medallion " + t.ref());
                try {
                  task.run(t);
                } finally {
                  pool(sc, null);
                }
                return t.ref();
              }), t.ref());
            }
          }
        }
        if (running.isEmpty()) {
          break; // a failure left tables waiting: they do not start
        }
        Future<TableRef> next = finished.take();
        TableRef ref = running.remove(next);
        try {
          done.add(next.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            failed = ref;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running the pipeline's tables", e);
    } finally {
      pool.shutdown();
    }
    if (failure != null) {
      onFailure.failed(failed, failure);
      throw failure;
    }
  }

  private static void pool(SparkContext sc, String name) {
    if (sc != null) { // null: no Spark (the scheduler's own tests)
      sc.setLocalProperty("spark.scheduler.pool", name);
    }
  }
}
