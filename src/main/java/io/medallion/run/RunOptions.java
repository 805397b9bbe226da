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
 */
public record RunOptions(Set<TableRef> only, Set<TableRef> fullRefresh, RunListener listener) {
  public RunOptions {
    only = Set.copyOf(only);
    fullRefresh = Set.copyOf(fullRefresh);
  }

  /** Every table, no full refresh. */
  public static RunOptions all() {
    return new RunOptions(Set.of(), Set.of(), new RunListener() {});
  }

  /** A copy that runs only these tables. */
  public RunOptions only(TableRef... refs) {
    Set<TableRef> s = new LinkedHashSet<>(only);
    s.addAll(Set.of(refs));
    return new RunOptions(s, fullRefresh, listener);
  }

  /** A copy that fully refreshes these tables. */
  public RunOptions fullRefresh(TableRef... refs) {
    Set<TableRef> s = new LinkedHashSet<>(fullRefresh);
    s.addAll(Set.of(refs));
    return new RunOptions(only, s, listener);
  }

  /** A copy that reports progress to the listener. */
  public RunOptions listener(RunListener newListener) {
    return new RunOptions(only, fullRefresh, newListener);
  }

  /** True if the table is part of this run. */
  public boolean includes(TableRef ref) {
    return only.isEmpty() || only.contains(ref);
  }
}
