package io.medallion.testkit;

import org.apache.spark.sql.SparkSession;

/**
 * One local SparkSession per JVM for tests, with Delta Lake enabled and settings that keep small
 * tests fast ({@code local[2]}, UI off, two shuffle partitions, driver bound to 127.0.0.1).
 *
 * <p>The session is created on first use and never stopped by the kit: every test class in the JVM
 * shares it (run Surefire with {@code reuseForks=true}). Catalogs are registered per test with
 * {@link io.medallion.catalog.WarehouseCatalog#register}.
 */
public final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  /** The shared session, created on first call. */
  public static synchronized SparkSession session() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("medallion-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .config("spark.sql.streaming.stopTimeout", "30s")
              .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }
}
