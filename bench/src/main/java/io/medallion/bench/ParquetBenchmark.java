package io.medallion.bench;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Issue 17's Parquet benchmark, one process per step (driven by {@code bench/run-parquet.sh}):
 * <ul>
 *   <li>{@code generate <dir> <rows>}: Spark writes {@code rows} flight-like records as Parquet;</li>
 *   <li>{@code spark <input> <target>}: the hand-written job,
 *       {@code spark.read.parquet(input)} plus bronze's ingest columns, appended to Delta.</li>
 * </ul>
 * The medallion side is the CLI ({@code io.medallion.cli.Main run}) with a one-table pipeline.
 */
public final class ParquetBenchmark {
  private ParquetBenchmark() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("parquet-bench-" + args[0])
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    switch (args[0]) {
      case "generate" -> spark.range(0, Long.parseLong(args[2]), 1, 6).selectExpr(
              "id AS flight_id",
              "CAST(DATE'2024-01-01' + CAST(id % 366 AS INT) AS DATE) AS flight_date",
              "CAST(id * 7 % 86400 AS INT) AS dep_time_s",
              "CAST(id % 1440 AS SMALLINT) AS dep_delay_min",
              "CAST(id * 13 % 1440 AS SMALLINT) AS arr_delay_min",
              "CAST(id % 5000 + 100 AS INT) AS distance",
              "CAST((id % 100000) / 100.0 AS DECIMAL(10,2)) AS fare",
              "concat('C', CAST(id % 17 AS STRING)) AS carrier",
              "concat('A', CAST(id % 311 AS STRING)) AS origin",
              "concat('A', CAST(id * 3 % 311 AS STRING)) AS dest",
              "id % 97 = 0 AS cancelled",
              "TIMESTAMP'2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id % 31536000) AS updated_at")
          .write().mode("overwrite").parquet(args[1]);
      case "spark" -> spark.read().parquet(args[1])
          .select(functions.col("*"),
              functions.col("_metadata.file_path").as("_source_file"),
              functions.col("_metadata.file_size").as("_source_file_size"),
              functions.col("_metadata.file_modification_time").as("_source_file_modification_time"),
              functions.current_timestamp().as("_ingest_time"))
          .write().format("delta").mode("append").save(args[2]);
      default -> throw new IllegalArgumentException("generate <dir> <rows> | spark <input> <target>");
    }
    System.out.println("rows: " + spark.read().format(args[0].equals("spark") ? "delta" : "parquet")
        .load(args[0].equals("spark") ? args[2] : args[1]).count());
  }
}
