package io.medallion.table;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a table is laid out in Delta, whatever fills it.
 *
 * @param comment the table comment
 * @param partitionBy partition columns (applied when the table is created; changing them needs a
 *     full refresh)
 * @param properties Delta table properties ({@code delta.*} and user properties)
 * @param clusterBy liquid clustering columns (Delta {@code CLUSTER BY}); exclusive with partitionBy
 * @param constraints Delta CHECK constraints by name, e.g. {@code positive_amount -> "amount > 0"}
 * @param changeDataFeed true to record the table's change data feed ({@code delta.enableChangeDataFeed})
 * @param columnComments column comments by column name
 * @param zOrderBy columns {@code medallion maintain} Z-orders an unclustered table by
 */
public record TableSpec(
    Optional<String> comment,
    List<String> partitionBy,
    Map<String, String> properties,
    List<String> clusterBy,
    Map<String, String> constraints,
    boolean changeDataFeed,
    Map<String, String> columnComments,
    List<String> zOrderBy) {
  public TableSpec {
    partitionBy = List.copyOf(partitionBy);
    properties = Map.copyOf(properties);
    clusterBy = List.copyOf(clusterBy);
    constraints = Map.copyOf(constraints);
    columnComments = Map.copyOf(columnComments);
    zOrderBy = List.copyOf(zOrderBy);
    if (!partitionBy.isEmpty() && !clusterBy.isEmpty()) {
      throw new IllegalArgumentException(
          "a table is either partitioned (partition-by) or clustered (cluster-by), not both: remove one of them");
    }
  }

  /** A layout with a comment, partitions and properties only. */
  public TableSpec(Optional<String> comment, List<String> partitionBy, Map<String, String> properties) {
    this(comment, partitionBy, properties, List.of(), Map.of(), false, Map.of(), List.of());
  }

  /** No comment, no partitions, no properties. */
  public static TableSpec defaults() {
    return new TableSpec(Optional.empty(), List.of(), Map.of());
  }

  /**
   * The Delta table properties to set: {@link #properties()}, plus
   * {@code delta.enableChangeDataFeed = true} when {@link #changeDataFeed()} is on.
   */
  public Map<String, String> deltaProperties() {
    if (!changeDataFeed) {
      return properties;
    }
    Map<String, String> all = new java.util.TreeMap<>(properties);
    all.put("delta.enableChangeDataFeed", "true");
    return Map.copyOf(all);
  }
}
