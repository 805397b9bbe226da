package io.medallion.table.internal;

import io.medallion.pipeline.TableSpec;
import io.medallion.table.TableName;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Delta table operations by three-level name, through SQL so they work on every catalog. */
public final class DeltaTables {
  private DeltaTables() {}

  /** Creates the table's schema if it does not exist. */
  public static void ensureSchema(SparkSession spark, TableName name) {
    spark.sql(
        "CREATE SCHEMA IF NOT EXISTS " + TableName.quote(name.catalog()) + "." + TableName.quote(name.schema()));
  }

  /** True if the table exists. */
  public static boolean exists(SparkSession spark, TableName name) {
    return spark.catalog().tableExists(name.toString());
  }

  /**
   * Creates the Delta table with the given columns and layout unless it exists. An existing table
   * keeps its layout: partitioning cannot change without a full refresh.
   */
  public static void ensureTable(SparkSession spark, TableName name, StructType schema, TableSpec spec) {
    ensureSchema(spark, name);
    StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ")
        .append(name.quoted()).append(" (").append(schema.toDDL()).append(") USING delta");
    if (!spec.partitionBy().isEmpty()) {
      sql.append(" PARTITIONED BY (")
          .append(spec.partitionBy().stream().map(TableName::quote).collect(Collectors.joining(", ")))
          .append(")");
    }
    spec.comment().ifPresent(c -> sql.append(" COMMENT ").append(literal(c)));
    if (!spec.properties().isEmpty()) {
      sql.append(" TBLPROPERTIES (")
          .append(spec.properties().entrySet().stream()
              .map(e -> literal(e.getKey()) + " = " + literal(e.getValue()))
              .collect(Collectors.joining(", ")))
          .append(")");
    }
    spark.sql(sql.toString());
  }

  /**
   * Atomically replaces the table's contents and layout with {@code rows} (creating it if needed)
   * and returns the number of rows written.
   */
  public static long replace(Dataset<Row> rows, TableName name, TableSpec spec) {
    SparkSession spark = rows.sparkSession();
    ensureSchema(spark, name);
    OptionalLong before = version(spark, name);
    org.apache.spark.sql.CreateTableWriter<Row> writer = rows.writeTo(name.quoted()).using("delta");
    if (!spec.partitionBy().isEmpty()) {
      List<org.apache.spark.sql.Column> rest = spec.partitionBy().stream().skip(1)
          .map(org.apache.spark.sql.functions::col).collect(Collectors.toList());
      writer = writer.partitionedBy(
          org.apache.spark.sql.functions.col(spec.partitionBy().get(0)),
          scala.collection.JavaConverters.asScalaBuffer(rest).toSeq());
    }
    for (Map.Entry<String, String> p : spec.properties().entrySet()) {
      writer = writer.tableProperty(p.getKey(), p.getValue());
    }
    if (spec.comment().isPresent()) {
      writer = writer.tableProperty("comment", spec.comment().get());
    }
    writer.createOrReplace();
    return rowsWrittenSince(spark, name, before);
  }

  /** Drops the table and, on medallion's warehouse catalog, its data. */
  public static void drop(SparkSession spark, TableName name) {
    spark.sql("DROP TABLE IF EXISTS " + name.quoted());
  }

  /** The table's row count; Delta answers it from its log without scanning data files. */
  public static long rowCount(SparkSession spark, TableName name) {
    return spark.read().table(name.quoted()).count();
  }

  /** The table's current version, or empty if it does not exist. */
  public static OptionalLong version(SparkSession spark, TableName name) {
    if (!exists(spark, name)) {
      return OptionalLong.empty();
    }
    Row row = spark.sql("DESCRIBE HISTORY " + name.quoted() + " LIMIT 1").select("version").first();
    return OptionalLong.of(row.getLong(0));
  }

  /**
   * Rows written by the commits after {@code sinceVersion} (all commits when empty): inserted plus
   * updated rows for MERGE, output rows for writes, appends and replaces.
   */
  public static long rowsWrittenSince(SparkSession spark, TableName name, OptionalLong sinceVersion) {
    Dataset<Row> history = spark.sql("DESCRIBE HISTORY " + name.quoted());
    if (sinceVersion.isPresent()) {
      history = history.where(history.col("version").gt(sinceVersion.getAsLong()));
    }
    long total = 0;
    List<Row> rows = history.select("operationMetrics").collectAsList();
    for (Row r : rows) {
      Map<String, String> m = r.isNullAt(0) ? Map.of() : r.getJavaMap(0);
      if (m.containsKey("numTargetRowsInserted")) {
        total += asLong(m.get("numTargetRowsInserted")) + asLong(m.get("numTargetRowsUpdated"));
      } else {
        total += asLong(m.get("numOutputRows"));
      }
    }
    return total;
  }

  private static long asLong(String value) {
    return value == null ? 0 : Long.parseLong(value);
  }

  /** A Spark SQL string literal. */
  public static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
