package io.medallion.table;

import io.medallion.table.internal.TaskFileAppend;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;

/**
 * An append to a second table whose rows the tasks of a write set aside as they meet them (a
 * quarantine table's rows, on the target's write), committed once that write has committed: no
 * second Spark job, and no row through the driver. From {@link DeltaSink#sideAppend}.
 *
 * <p>Use: apply {@link #sink()} (as a UDF) to the rows to set aside in the write's plan; after the
 * write, compare {@link #rows()} with the count expected, then {@link #commit} with the write's
 * {@link Txn}, or {@link #discard} and write the rows another way.
 */
public final class SideAppend {
  private final TaskFileAppend files;

  SideAppend(TaskFileAppend files) {
    this.files = files;
  }

  /** Stores its argument, a row of the table's columns, from the task that runs it; answers false. */
  public UDF1<Row, Boolean> sink() {
    return files.sink();
  }

  /** Rows set aside by the tasks that succeeded. */
  public long rows() {
    return files.rows();
  }

  /**
   * Adds the set-aside rows to the table in one commit carrying {@code txn}, unless {@code txn} is
   * committed there already.
   *
   * @return true when this call committed
   */
  public boolean commit(Txn txn) {
    return files.commit(txn);
  }

  /**
   * Removes the set-aside rows' files, which will not be committed. Never after {@link #commit} was
   * called, even when it threw: its commit may have been made.
   */
  public void discard() {
    files.discard();
  }
}
