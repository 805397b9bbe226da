package io.medallion.quality;

import io.medallion.MedallionException;

/**
 * A table's update stopped by its data-quality rules: a row violated a {@code fail} expectation,
 * or the batch failed a dataset check whose action is {@code fail}. Nothing of the batch was
 * committed, to the table or its quarantine table; once the data or the rule is fixed, the next
 * run processes the same batch again.
 */
public final class QualityException extends MedallionException {
  private static final long serialVersionUID = 1L;

  private final String table;

  public QualityException(String table, String message) {
    super(message);
    this.table = table;
  }

  /** The table whose update was stopped, as {@code layer.table}. */
  public String table() {
    return table;
  }
}
