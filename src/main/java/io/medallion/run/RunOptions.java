package io.medallion.run;

import io.medallion.pipeline.TableRef;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a run covers.
 *
 * @param only the tables to run; empty means every table of the pipeline
 * @param fullRefresh tables whose data and checkpoint are dropped before they run, so they are
 *     recomputed from their full input
 * @param listener hears as each table finishes or is refreshed (the CLI prints a line)
 * @param resetAllowed true to allow the full refresh of tables whose source cannot be replayed
 *     (Kafka, Kinesis, files with {@code cloudFiles.cleanSource}); see docs/reliability.md
 * @param maxConcurrentTables at most this many tables run at once; 0 (the default) runs every
 *     table as soon as its inputs are done, one thread per ready table
 */
public record RunOptions(Set<TableRef> only, Set<TableRef> fullRefresh, RunListener listener, boolean resetAllowed,
    int maxConcurrentTables) {
  public RunOptions {
    only = Set.copyOf(only);
    fullRefresh = Set.copyOf(fullRefresh);
    if (maxConcurrentTables < 0) {
      throw RunErrors.maxConcurrentTables(maxConcurrentTables);
    }
  }

  /** Options that run every ready table at once. */
  public RunOptions(Set<TableRef> only, Set<TableRef> fullRefresh, RunListener listener, boolean resetAllowed) {
    this(only, fullRefresh, listener, resetAllowed, 0);
  }

  /** Options that do not allow the refresh of tables whose source cannot be replayed. */
  public RunOptions(Set<TableRef> only, Set<TableRef> fullRefresh, RunListener listener) {
    this(only, fullRefresh, listener, false);
  }

  /**
   * A copy that allows the full refresh of tables whose source cannot be replayed (their data
   * there is gone: only what the source still holds comes back).
   */
  public RunOptions allowReset() {
    return new RunOptions(only, fullRefresh, listener, true, maxConcurrentTables);
  }

  /**
   * A copy that runs at most {@code n} tables at once (1: one after another, in dependency order),
   * e.g. to bound a small driver's memory or a source's connections; by default every ready table
   * runs at once.
   *
   * @throws io.medallion.MedallionException when {@code n} is below 1
   */
  public RunOptions maxConcurrentTables(int n) {
    if (n < 1) {
      throw RunErrors.maxConcurrentTables(n);
    }
    return new RunOptions(only, fullRefresh, listener, resetAllowed, n);
  }

  /** Every table, no full refresh. */
  public static RunOptions all() {
    return new RunOptions(Set.of(), Set.of(), new RunListener() {});
  }

  /** A copy that runs only these tables. */
  public RunOptions only(TableRef... refs) {
    Set<TableRef> s = new LinkedHashSet<>(only);
    s.addAll(Set.of(refs));
    return new RunOptions(s, fullRefresh, listener, resetAllowed, maxConcurrentTables);
  }

  /** A copy that fully refreshes these tables. */
  public RunOptions fullRefresh(TableRef... refs) {
    Set<TableRef> s = new LinkedHashSet<>(fullRefresh);
    s.addAll(Set.of(refs));
    return new RunOptions(only, s, listener, resetAllowed, maxConcurrentTables);
  }

  /** A copy that reports progress to the listener. */
  public RunOptions listener(RunListener newListener) {
    return new RunOptions(only, fullRefresh, newListener, resetAllowed, maxConcurrentTables);
  }

  /** True if the table is part of this run. */
  public boolean includes(TableRef ref) {
    return only.isEmpty() || only.contains(ref);
  }

  /** How many of {@code tables} ready tables run at once under these options. */
  int concurrency(int tables) {
    return maxConcurrentTables == 0 ? tables : Math.min(maxConcurrentTables, tables);
  }
}
