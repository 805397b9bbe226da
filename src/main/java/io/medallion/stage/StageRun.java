package io.medallion.stage;


/** A stage that has started: batch stages are already done, streaming ones may still run. */
public interface StageRun {
  /** Waits until the stage has finished and returns what it did; rethrows its failure. */
  StageResult await();

  /** True if the stage runs until stopped (processing-time trigger). */
  boolean continuous();

  /**
   * Stops a stage that is still running (its streaming query; {@link #await} then returns what it
   * did); nothing for a stage that is done.
   */
  default void stop() {}
}
