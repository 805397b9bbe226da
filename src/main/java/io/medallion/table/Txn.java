package io.medallion.table;

/**
 * The Delta transaction identifier of one write: the writer ({@code appId}) and its batch number
 * ({@code version}). Delta records the pair in the commit; a write whose pair is already recorded
 * is skipped, so a batch replayed after a crash commits once. {@link #NONE} writes without one
 * (batch runs, which replace what they write).
 */
public record Txn(String appId, long version) {
  /** No transaction identifier. */
  public static final Txn NONE = new Txn("", -1);

  /** True when this write carries an identifier. */
  public boolean present() {
    return version >= 0 && !appId.isEmpty();
  }
}
