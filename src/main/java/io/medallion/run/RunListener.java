package io.medallion.run;

import io.medallion.eventlog.FlowProgress;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;

/** Hears about a run's progress (the CLI prints a line for each). Every method defaults to nothing. */
public interface RunListener {
  /**
   * A micro-batch of a streaming table (or the one batch of a batch table) finished, as recorded in
   * the event log. Called on the stream's thread: implementations must be thread-safe and quick.
   */
  default void batchFinished(FlowProgress batch) {}

  /** A table finished; its result says rows read, written and duration. */
  default void tableFinished(TableResult result) {}

  /**
   * A table was fully refreshed before running: its data and checkpoint are gone.
   *
   * @param cascaded true when it was not asked for but reads a refreshed table incrementally
   */
  default void fullRefreshed(TableRef ref, TableName name, String checkpoint, boolean cascaded) {}
}
