package io.medallion.table;

import io.medallion.table.internal.DeltaTables;


import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * A table's Delta features from its config ({@link TableSpec}): liquid clustering, partitioning,
 * CHECK constraints, change data feed, column comments and properties. Between runs:
 * <ul>
 *   <li>{@link #apply} makes additive changes in place and reports them: new columns, properties,
 *       constraints, a new clustering key, column comments;</li>
 *   <li>{@link #breaking} finds the changes that cannot be applied in place (a column's type, a
 *       dropped key column, the partitioning, a constraint the existing data violates), so the run
 *       fails before it writes anything and {@code validate} reports the same.</li>
 * </ul>
 */
public final class TableFeatures {
  private static final Logger LOG = LoggerFactory.getLogger(TableFeatures.class);
  private static final String CONSTRAINT = "delta.constraints.";

  private TableFeatures() {}

  /** The clauses of CREATE TABLE for the spec: clustering or partitioning, comment, properties. */
  public static String createClauses(TableSpec spec) {
    return createClauses(spec, spec.deltaProperties());
  }

  /**
   * The clauses of CREATE OR REPLACE TABLE ... AS SELECT for the spec: those of {@link
   * #createClauses(TableSpec)} with the spec's CHECK constraints among the properties ({@link
   * #replaceProperties}), so Delta checks the new rows in the replacing commit itself.
   */
  public static String replaceClauses(TableSpec spec) {
    return createClauses(spec, replaceProperties(spec));
  }

  /**
   * The table properties of a write that replaces the table: the spec's properties and its CHECK
   * constraints as Delta stores them ({@code delta.constraints.<name>}). Delta enforces the
   * constraints of the replacing transaction's metadata on the rows it writes, so rows that break a
   * constraint fail the write before its commit and nothing is written; added after the replace (as
   * {@code ALTER TABLE ADD CONSTRAINT}), they would only fail once the rows were committed.
   */
  public static Map<String, String> replaceProperties(TableSpec spec) {
    Map<String, String> all = new TreeMap<>(spec.deltaProperties());
    spec.constraints().forEach((name, expr) -> all.put(CONSTRAINT + name.toLowerCase(java.util.Locale.ROOT), expr));
    return all;
  }

  private static String createClauses(TableSpec spec, Map<String, String> props) {
    StringBuilder sql = new StringBuilder();
    if (!spec.clusterBy().isEmpty()) {
      sql.append(" CLUSTER BY (").append(columns(spec.clusterBy())).append(")");
    } else if (!spec.partitionBy().isEmpty()) {
      sql.append(" PARTITIONED BY (").append(columns(spec.partitionBy())).append(")");
    }
    spec.comment().ifPresent(c -> sql.append(" COMMENT ").append(DeltaTables.literal(c)));
    if (!props.isEmpty()) {
      sql.append(" TBLPROPERTIES (").append(props.entrySet().stream()
          .map(e -> DeltaTables.literal(e.getKey()) + " = " + DeltaTables.literal(e.getValue()))
          .collect(Collectors.joining(", "))).append(")");
    }
    return sql.toString();
  }

  /** The column list of CREATE TABLE, with the spec's column comments. */
  public static String columnsDdl(StructType schema, TableSpec spec) {
    StructType commented = schema;
    for (Map.Entry<String, String> c : spec.columnComments().entrySet()) {
      commented = new StructType(Arrays.stream(commented.fields())
          .map(f -> f.name().equalsIgnoreCase(c.getKey()) ? f.withComment(c.getValue()) : f)
          .toArray(StructField[]::new));
    }
    return commented.toDDL();
  }

  /**
   * Applies the additive changes of {@code spec} (and of {@code schema}, the columns about to be
   * written, when present) to an existing table, and returns what changed, one phrase each.
   */
  public static List<String> apply(SparkSession spark, TableName name, TableSpec spec, Optional<StructType> schema) {
    List<String> changes = new ArrayList<>();
    DeltaLog log = DeltaTables.deltaLog(spark, name);
    if (log == null) {
      return changes;
    }
    Snapshot s = log.update(false, Option.empty(), Option.empty());
    Map<String, String> current = JavaConverters.mapAsJavaMap(s.metadata().configuration());
    String table = name.quoted();
    if (schema.isPresent()) {
      List<String> added = new ArrayList<>();
      for (StructField f : schema.get().fields()) {
        if (!hasColumn(s.schema(), f.name()) && !(f.dataType() instanceof org.apache.spark.sql.types.NullType)) {
          added.add(TableName.quote(f.name()) + " " + f.dataType().sql());
          changes.add("column " + f.name() + " added");
        }
      }
      if (!added.isEmpty()) {
        spark.sql("ALTER TABLE " + table + " ADD COLUMNS (" + String.join(", ", added) + ")");
      }
    }
    Map<String, String> props = new TreeMap<>();
    spec.deltaProperties().forEach((k, v) -> {
      if (!v.equals(current.get(k))) {
        props.put(k, v);
        changes.add("property " + k + " = " + v);
      }
    });
    if (!props.isEmpty()) {
      spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES (" + props.entrySet().stream()
          .map(e -> DeltaTables.literal(e.getKey()) + " = " + DeltaTables.literal(e.getValue()))
          .collect(Collectors.joining(", ")) + ")");
    }
    for (Map.Entry<String, String> c : new TreeMap<>(spec.constraints()).entrySet()) {
      String existing = current.get(CONSTRAINT + c.getKey().toLowerCase(java.util.Locale.ROOT));
      if (existing == null || !existing.equals(c.getValue())) {
        if (existing != null) {
          spark.sql("ALTER TABLE " + table + " DROP CONSTRAINT " + TableName.quote(c.getKey()));
        }
        spark.sql("ALTER TABLE " + table + " ADD CONSTRAINT " + TableName.quote(c.getKey())
            + " CHECK (" + c.getValue() + ")");
        changes.add("constraint " + c.getKey() + " " + (existing == null ? "added" : "changed"));
      }
    }
    if (!spec.clusterBy().isEmpty() && !lower(clustering(spark, name)).equals(lower(spec.clusterBy()))) {
      spark.sql("ALTER TABLE " + table + " CLUSTER BY (" + columns(spec.clusterBy()) + ")");
      changes.add("clustered by " + spec.clusterBy());
    }
    for (Map.Entry<String, String> c : new TreeMap<>(spec.columnComments()).entrySet()) {
      Optional<StructField> f = field(s.schema(), c.getKey());
      if (f.isPresent() && !c.getValue().equals(f.get().getComment().getOrElse(() -> null))) {
        spark.sql("ALTER TABLE " + table + " ALTER COLUMN " + TableName.quote(f.get().name()) + " COMMENT "
            + DeltaTables.literal(c.getValue()));
        changes.add("comment of column " + f.get().name());
      }
    }
    if (!changes.isEmpty()) {
      LOG.info("Table {}: applied in place: {}", name, String.join(", ", changes));
    }
    return changes;
  }

  /**
   * The changes from the existing table to {@code spec} (and to {@code schema}, the columns the
   * run would write, when known) that cannot be applied in place, one phrase each; empty when the
   * table does not exist.
   *
   * @param keys the table's key columns (silver upserts), which must not disappear
   */
  public static List<String> breaking(
      SparkSession spark, TableName name, TableSpec spec, Optional<StructType> schema, List<String> keys) {
    return breaking(spark, name, spec, schema, keys, false);
  }

  /**
   * {@link #breaking(SparkSession, TableName, TableSpec, Optional, List)} for a run that may
   * replace every row of the table.
   *
   * @param rowsReplaced true when the run replaces every row (a gold table whose query changed): a
   *     new constraint is then checked against the rows the run writes, in their own commit (see
   *     {@link #replaceProperties}), not against the rows the table has now
   */
  public static List<String> breaking(SparkSession spark, TableName name, TableSpec spec,
      Optional<StructType> schema, List<String> keys, boolean rowsReplaced) {
    List<String> problems = new ArrayList<>();
    DeltaLog log = DeltaTables.deltaLog(spark, name);
    if (log == null) {
      return problems;
    }
    Snapshot s = log.update(false, Option.empty(), Option.empty());
    if (s.version() < 0) {
      return problems;
    }
    List<String> partitions = JavaConverters.seqAsJavaList(s.metadata().partitionColumns());
    if (!lower(partitions).equals(lower(spec.partitionBy()))) {
      problems.add("its partitioning changes from " + partitions + " to " + spec.partitionBy());
    }
    if (schema.isPresent()) {
      for (StructField f : s.schema().fields()) {
        Optional<StructField> now = field(schema.get(), f.name());
        if (now.isPresent() && !now.get().dataType().sameType(f.dataType())) {
          problems.add("column " + f.name() + " changes type from " + f.dataType().sql() + " to "
              + now.get().dataType().sql());
        } else if (now.isEmpty() && keys.stream().anyMatch(k -> k.equalsIgnoreCase(f.name()))) {
          problems.add("key column " + f.name() + " is dropped");
        }
      }
    }
    Map<String, String> current = JavaConverters.mapAsJavaMap(s.metadata().configuration());
    for (Map.Entry<String, String> c : new TreeMap<>(spec.constraints()).entrySet()) {
      String existing = current.get(CONSTRAINT + c.getKey().toLowerCase(java.util.Locale.ROOT));
      if (c.getValue().equals(existing) || rowsReplaced) {
        continue;
      }
      long violating;
      try {
        // Delta counts a row whose check is NULL as violating, as for a false one
        violating = spark.sql("SELECT COUNT(*) FROM " + name.quoted() + " WHERE NOT coalesce((" + c.getValue()
                + "), false)")
            .first().getLong(0);
      } catch (Exception e) { // AnalysisException is a checked exception in Java's eyes
        continue; // names a column the run is about to add: checked when it is added
      }
      if (violating > 0) {
        problems.add("constraint " + c.getKey() + " (" + c.getValue() + ") is violated by " + violating
            + " existing row(s)");
      }
    }
    return problems;
  }

  /** The error for breaking changes: the table, what changed, and the fix. */
  public static io.medallion.MedallionException breakingError(String ref, TableName name, List<String> problems) {
    return TableErrors.breakingChange(ref, name, problems);
  }

  /** The table's liquid clustering columns (empty when not clustered). */
  public static List<String> clustering(SparkSession spark, TableName name) {
    try {
      org.apache.spark.sql.Row r = spark.sql("DESCRIBE DETAIL " + name.quoted()).select("clusteringColumns").first();
      return r.isNullAt(0) ? List.of() : r.getList(0);
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private static boolean hasColumn(StructType schema, String name) {
    return field(schema, name).isPresent();
  }

  private static Optional<StructField> field(StructType schema, String name) {
    return Arrays.stream(schema.fields()).filter(f -> f.name().equalsIgnoreCase(name)).findFirst();
  }

  private static List<String> lower(List<String> names) {
    return names.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  private static String columns(List<String> names) {
    return names.stream().map(TableName::quote).collect(Collectors.joining(", "));
  }
}
