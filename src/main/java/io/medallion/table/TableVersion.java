package io.medallion.table;

import io.medallion.table.RefreshState;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * A Delta table at one point in time, read from its log (no Spark job on a warm log).
 *
 * @param tableId Delta's table id (a dropped and recreated table gets a new one)
 * @param version the table's version
 */
public record TableVersion(String tableId, long version) {
  /** The table's current id and version, or empty when it does not exist or its log cannot be read here. */
  public static Optional<TableVersion> current(SparkSession spark, TableName name) {
    return RefreshState.current(spark, name).map(v -> new TableVersion(v.tableId(), v.version()));
  }

  /** {@code <tableId>@<version>}. */
  @Override
  public String toString() {
    return tableId + "@" + version;
  }
}
