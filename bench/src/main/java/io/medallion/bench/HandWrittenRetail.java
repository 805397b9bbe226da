package io.medallion.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.storage.StorageLevel;

/**
 * The retail demo written by hand, as a competent engineer writes it with plain Spark and Delta: the
 * same five tables, the same rules, path-based Delta tables, Spark's own file source, one
 * {@code foreachBatch} MERGE per silver micro-batch, gold recomputed and replaced on every run.
 * The baseline of {@code bench/run-retail.sh} (issue 14, goal 2).
 *
 * <p>Usage (through spark-submit): {@code HandWrittenRetail <landing-root> <storage-root>}
 */
public final class HandWrittenRetail {
  private HandWrittenRetail() {}

  public static void main(String[] args) throws Exception {
    String landing = args[0];
    String root = args[1];
    SparkSession spark = SparkSession.builder().appName("hand-written retail")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    long t0 = System.nanoTime();
    bronze(spark, landing + "/orders", "json",
        "order_id STRING, customer_id STRING, order_ts STRING, status STRING, amount STRING, updated_at STRING",
        root, "bronze_orders");
    bronze(spark, landing + "/customers", "csv",
        "customer_id STRING, name STRING, country STRING, signup_date STRING", root, "bronze_customers");
    silverOrders(spark, root);
    silverCustomers(spark, root);
    gold(spark, root);
    System.out.printf("hand-written retail: %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** Files to Delta, with file metadata; malformed lines kept in _rescued_data and counted (warn). */
  static void bronze(SparkSession spark, String path, String format, String schema, String root, String table)
      throws TimeoutException, StreamingQueryException {
    Dataset<Row> rows = spark.readStream().format(format)
        .schema(schema + ", _rescued_data STRING")
        .option("columnNameOfCorruptRecord", "_rescued_data")
        .option("header", "true")
        .option("recursiveFileLookup", "true")
        .load(path)
        .select(col("*"), col("_metadata.file_path").as("_source_file"), current_timestamp().as("_ingest_time"));
    rows.writeStream()
        .option("checkpointLocation", root + "/checkpoints/" + table)
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          Dataset<Row> b = batch.persist(StorageLevel.MEMORY_AND_DISK());
          Row r = b.agg(count(lit(1)), sum(when(col("_rescued_data").isNotNull(), 1).otherwise(0))).first();
          if (r.getLong(0) == 0 || (!r.isNullAt(1) && r.getLong(1) > 0)) {
            System.out.println(table + " batch " + id + ": " + r.getLong(0) + " rows, " + r.get(1) + " unparsable");
          }
          b.write().format("delta").mode("append").option("txnAppId", table).option("txnVersion", id)
              .save(root + "/" + table);
          b.unpersist();
        })
        .start().awaitTermination();
  }

  /** Casts, the four expectations and two checks, quarantine, latest row per key MERGEd. */
  static void silverOrders(SparkSession spark, String root) throws Exception {
    Dataset<Row> rows = spark.readStream().format("delta").load(root + "/bronze_orders")
        .where("_rescued_data IS NULL AND order_id IS NOT NULL")
        .selectExpr("CAST(order_id AS BIGINT) AS order_id", "CAST(customer_id AS BIGINT) AS customer_id",
            "CAST(order_ts AS TIMESTAMP) AS order_ts", "status", "CAST(amount AS DECIMAL(12, 2)) AS amount",
            "CAST(updated_at AS TIMESTAMP) AS updated_at");
    ensure(spark, root + "/silver_orders",
        "order_id BIGINT, customer_id BIGINT, order_ts TIMESTAMP, status STRING, amount DECIMAL(12,2), updated_at TIMESTAMP");
    rows.writeStream()
        .option("checkpointLocation", root + "/checkpoints/silver_orders")
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
          Dataset<Row> flagged = batch
              .withColumn("_bad_amount", expr("coalesce(NOT (amount >= 0), true)"))
              .withColumn("_no_customer", expr("customer_id IS NULL"))
              .persist(StorageLevel.MEMORY_AND_DISK());
          Row c = flagged.agg(count(lit(1)),
              sum(when(col("order_id").isNull(), 1).otherwise(0)),
              sum(when(col("_bad_amount"), 1).otherwise(0)),
              sum(when(col("_no_customer").and(col("_bad_amount").unary_$bang()), 1).otherwise(0)),
              sum(when(expr("NOT coalesce(status IN ('placed', 'shipped', 'cancelled'), false)"), 1).otherwise(0)))
              .first();
          long n = c.getLong(0);
          long failed = n == 0 ? 0 : c.getLong(1);
          long rejected = n == 0 ? 0 : c.getLong(2) + c.getLong(3);
          if (failed > 0) {
            throw new IllegalStateException("silver_orders: " + failed + " rows without order_id");
          }
          if (n > 0 && (double) rejected / n > 0.05) {
            throw new IllegalStateException("silver_orders: " + rejected + " of " + n + " rows rejected");
          }
          long dupes = flagged.groupBy("order_id", "updated_at").count().where("count > 1").count();
          if (dupes > 0) {
            System.out.println("silver_orders batch " + id + ": " + dupes + " duplicate (order_id, updated_at)");
          }
          flagged.where("_bad_amount")
              .withColumn("_errors", expr("array('valid_amount')"))
              .drop("_bad_amount", "_no_customer")
              .write().format("delta").mode("append").option("mergeSchema", "true")
              .option("txnAppId", "silver_orders_quarantine").option("txnVersion", id)
              .save(root + "/silver_orders_quarantine");
          Dataset<Row> keep = flagged.where("NOT _bad_amount AND NOT _no_customer").drop("_bad_amount", "_no_customer");
          Dataset<Row> latest = keep.withColumn("_rank", expr(
              "row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC NULLS LAST)"))
              .where("_rank = 1").drop("_rank");
          DeltaTable.forPath(spark, root + "/silver_orders").as("t")
              .merge(latest.as("s"), "t.order_id <=> s.order_id")
              .whenMatched("s.updated_at >= t.updated_at OR t.updated_at IS NULL").updateAll()
              .whenNotMatched().insertAll()
              .execute();
          flagged.unpersist();
        })
        .start().awaitTermination();
  }

  static void silverCustomers(SparkSession spark, String root) throws Exception {
    Dataset<Row> rows = spark.readStream().format("delta").load(root + "/bronze_customers")
        .where("customer_id IS NOT NULL")
        .selectExpr("CAST(customer_id AS BIGINT) AS customer_id", "name", "country",
            "CAST(signup_date AS DATE) AS signup_date");
    ensure(spark, root + "/silver_customers", "customer_id BIGINT, name STRING, country STRING, signup_date DATE");
    rows.writeStream()
        .option("checkpointLocation", root + "/checkpoints/silver_customers")
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) ->
            DeltaTable.forPath(spark, root + "/silver_customers").as("t")
                .merge(batch.dropDuplicates("customer_id").as("s"), "t.customer_id <=> s.customer_id")
                .whenMatched().updateAll()
                .whenNotMatched().insertAll()
                .execute())
        .start().awaitTermination();
  }

  /** Daily revenue per country, checked (country never NULL, at least one row), then replaced. */
  static void gold(SparkSession spark, String root) {
    spark.read().format("delta").load(root + "/silver_orders").createOrReplaceTempView("orders");
    spark.read().format("delta").load(root + "/silver_customers").createOrReplaceTempView("customers");
    Dataset<Row> gold = spark.sql(
        "SELECT CAST(o.order_ts AS DATE) AS order_date, c.country, COUNT(*) AS orders, SUM(o.amount) AS revenue"
            + " FROM orders o JOIN customers c ON o.customer_id = c.customer_id"
            + " WHERE o.status <> 'cancelled' GROUP BY CAST(o.order_ts AS DATE), c.country")
        .persist(StorageLevel.MEMORY_AND_DISK());
    Row c = gold.agg(count(lit(1)), sum(when(col("country").isNull(), 1).otherwise(0))).first();
    if (c.getLong(0) == 0 || (!c.isNullAt(1) && c.getLong(1) > 0)) {
      throw new IllegalStateException("gold: " + c.getLong(0) + " rows, " + c.get(1) + " without country");
    }
    gold.write().format("delta").mode("overwrite").option("overwriteSchema", "true").save(root + "/gold_daily_revenue");
    gold.unpersist();
  }

  private static void ensure(SparkSession spark, String path, String ddl) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      spark.createDataFrame(java.util.List.of(), org.apache.spark.sql.types.StructType.fromDDL(ddl))
          .write().format("delta").save(path);
    }
  }
}
