package io.medallion.table.cdc;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableSpec;
import io.medallion.table.TableName;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Helpers shared by the CDC tests: DLT's example users feed, table dumps as sorted strings. */
final class CdcTestSupport {
  static final StructType USERS = StructType.fromDDL(
      "userId INT, name STRING, city STRING, operation STRING, sequenceNum BIGINT");

  private CdcTestSupport() {}

  static SparkSession spark(Path warehouse, String catalog) {
    SparkSession spark = LocalSpark.session();
    WarehouseCatalog.register(spark, catalog, warehouse.toString());
    return spark;
  }

  /** DLT's documented AUTO CDC example feed (cdc_data.users), in its documented (unordered) order. */
  static List<Row> dltUsers() {
    return List.of(
        RowFactory.create(124, "Raul", "Oaxaca", "INSERT", 1L),
        RowFactory.create(123, "Isabel", "Monterrey", "INSERT", 1L),
        RowFactory.create(125, "Mercedes", "Tijuana", "INSERT", 2L),
        RowFactory.create(126, "Lily", "Cancun", "INSERT", 2L),
        RowFactory.create(123, null, null, "DELETE", 6L),
        RowFactory.create(125, "Mercedes", "Guadalajara", "UPDATE", 6L),
        RowFactory.create(125, "Mercedes", "Mexicali", "UPDATE", 5L),
        RowFactory.create(123, "Isabel", "Chihuahua", "UPDATE", 5L));
  }

  static CdcSpec.Builder dltSpec() {
    return CdcSpec.builder(List.of("userId"), List.of("sequenceNum"))
        .applyAsDeletes("operation = 'DELETE'")
        .exceptColumnList(List.of("operation", "sequenceNum"));
  }

  static Dataset<Row> frame(SparkSession spark, List<Row> rows, StructType schema) {
    return spark.createDataFrame(rows, schema);
  }

  static CdcEngine engine(SparkSession spark, TableName target, CdcSpec spec, StructType input) {
    return CdcEngine.prepare(spark, target, spec, input, "test." + target.table() + ".cdc", TableSpec.defaults());
  }

  /** The table as sorted lines "a|b|c" (null as "null"). */
  static List<String> dump(SparkSession spark, TableName table) {
    return dump(spark.read().table(table.quoted()));
  }

  static List<String> dump(Dataset<Row> rows) {
    return CdcDumps.dump(rows);
  }
}
