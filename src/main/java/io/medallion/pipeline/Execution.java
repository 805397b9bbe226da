package io.medallion.pipeline;

/**
 * How a table is computed. {@code STREAMING}: incrementally, as a Structured Streaming query with a
 * checkpoint (each input row is processed once). {@code BATCH}: recomputed from its full input on
 * every run.
 */
public enum Execution {
  STREAMING,
  BATCH
}
