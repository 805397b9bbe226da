package io.medallion.quality;

/**
 * What an expectation whose expression evaluates to SQL {@code NULL} means for the row.
 *
 * <p>The default is {@link #PASS}, as in Delta Live Tables, where a row violates an expectation
 * only when the expression returns {@code false}: {@code amount > 0} lets a row with a NULL
 * {@code amount} through. Write {@code amount IS NOT NULL AND amount > 0}, or choose
 * {@link #VIOLATION} for the rule, to reject it.
 */
public enum NullResult {
  /** A NULL result is not a violation (DLT's behaviour, the default). */
  PASS,
  /** A NULL result is a violation, as {@code false} is. */
  VIOLATION
}
