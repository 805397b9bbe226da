package io.medallion.pipeline;

/**
 * How a silver table applies new rows. {@code UPSERT}: MERGE by the table's keys (the latest row per
 * key by {@code sequence-by} wins; an older row never overwrites a newer one). {@code APPEND}: insert
 * every row.
 */
public enum WriteMode {
  UPSERT,
  APPEND
}
