package io.medallion.pipeline;

import io.medallion.table.TableName;
import java.time.Duration;

/**
 * What one run did to one table.
 *
 * @param rowsRead streaming tables: new rows read from the source or {@code from} table in this run;
 *     batch tables: the rows of their input (the whole source for bronze, the {@code from} table for
 *     silver, every input table for gold); -1 if Spark did not report it
 * @param rowsWritten rows inserted or updated in the Delta table by this run (from its commits)
 */
public record TableResult(TableRef ref, TableName name, long rowsRead, long rowsWritten, Duration duration) {
  /** One line for logs and the CLI: {@code silver.orders -> a.b.c: read 10, wrote 8 in 1.2 s}. */
  public String summary() {
    return String.format(
        java.util.Locale.ROOT,
        "%s -> %s: read %d rows, wrote %d rows in %.1f s",
        ref, name, rowsRead, rowsWritten, duration.toMillis() / 1000.0);
  }
}
