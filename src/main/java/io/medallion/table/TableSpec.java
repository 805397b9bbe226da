package io.medallion.table;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a table is laid out in Delta, whatever fills it.
 *
 * @param comment the table comment
 * @param partitionBy partition columns (applied when the table is created)
 * @param properties Delta table properties ({@code delta.*} and user properties)
 */
public record TableSpec(Optional<String> comment, List<String> partitionBy, Map<String, String> properties) {
  public TableSpec {
    partitionBy = List.copyOf(partitionBy);
    properties = Map.copyOf(properties);
  }

  /** No comment, no partitions, no properties. */
  public static TableSpec defaults() {
    return new TableSpec(Optional.empty(), List.of(), Map.of());
  }
}
