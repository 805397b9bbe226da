package io.medallion.catalog;

import org.apache.spark.sql.SparkSession;

/** STUB: replaced by the real implementation on branch catalog. */
public class WarehouseCatalog {
  public static void register(SparkSession spark, String catalogName, String warehouseUri) {
    spark.conf().set("spark.sql.catalog." + catalogName, WarehouseCatalog.class.getName());
    spark.conf().set("spark.sql.catalog." + catalogName + ".warehouse", warehouseUri);
  }
}
