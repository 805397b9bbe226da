package io.medallion.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.table.TableName;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link WarehouseCatalog}s side by side on local warehouses, driven only through three-part
 * names. Catalog names are unique to this class: a session keeps a loaded catalog for its lifetime.
 */
class WarehouseCatalogTest {
  private static final String BRONZE = "wc_bronze";
  private static final String SILVER = "wc_silver";

  @TempDir static Path tmp;
  private static SparkSession spark;
  private static Path bronzeWarehouse;
  private static Path silverWarehouse;

  @BeforeAll
  static void registerCatalogs() {
    spark = LocalSpark.session(); // already running: catalogs are registered at runtime
    bronzeWarehouse = tmp.resolve("bronze-warehouse");
    silverWarehouse = tmp.resolve("silver-warehouse");
    WarehouseCatalog.register(spark, BRONZE, bronzeWarehouse.toString());
    WarehouseCatalog.register(spark, SILVER, silverWarehouse.toUri().toString());
  }

  @Test
  void createsSchemasAndPartitionedTablesAndWritesThroughThreePartNames() throws Exception {
    sql("CREATE SCHEMA wc_bronze.sales COMMENT 'Raw sales' WITH DBPROPERTIES ('team' = 'retail')");
    assertThat(bronzeWarehouse.resolve("sales/_schema.properties")).isRegularFile();
    Map<String, String> schema = keyValues(sql("DESCRIBE SCHEMA EXTENDED wc_bronze.sales"));
    assertThat(schema.get("Comment")).isEqualTo("Raw sales");
    assertThat(schema.get("Location")).endsWith("bronze-warehouse/sales");
    assertThat(schema.get("Properties")).contains("team,retail");
    assertThat(column(sql("SHOW SCHEMAS IN wc_bronze"), 0)).contains("sales");

    sql("CREATE TABLE wc_bronze.sales.orders (id BIGINT COMMENT 'order id', region STRING,"
        + " amount DOUBLE) USING delta PARTITIONED BY (region) COMMENT 'Raw orders'"
        + " TBLPROPERTIES ('quality' = 'bronze')");
    sql("INSERT INTO wc_bronze.sales.orders VALUES (1, 'eu', 10.0), (2, 'us', 20.0)");
    spark.sql("SELECT 3L AS id, 'eu' AS region, 30.0D AS amount")
        .writeTo("wc_bronze.sales.orders").append();

    assertThat(strings(sql("SELECT id, region, amount FROM wc_bronze.sales.orders ORDER BY id")))
        .containsExactly("1,eu,10.0", "2,us,20.0", "3,eu,30.0");
    assertThat(sql("SELECT * FROM wc_bronze.SALES.Orders").count()).isEqualTo(3); // case-insensitive
    Path tableDir = bronzeWarehouse.resolve("sales/orders");
    assertThat(tableDir.resolve("_delta_log")).isDirectory();
    assertThat(tableDir.resolve("region=eu")).isDirectory();
    assertThat(WarehouseCatalog.tableLocation(bronzeWarehouse.toString(),
        TableName.of(BRONZE, "Sales", "Orders"))).isEqualTo(tableDir.toString());

    Row detail = sql("DESCRIBE DETAIL wc_bronze.sales.orders").first();
    assertThat(detail.<String>getAs("format")).isEqualTo("delta");
    assertThat(detail.<String>getAs("location")).isEqualTo("file:" + tableDir);
    assertThat(detail.getList(detail.fieldIndex("partitionColumns"))).containsExactly("region");
    assertThat(detail.getJavaMap(detail.fieldIndex("properties"))).containsEntry("quality", "bronze");
    assertThat(detail.<String>getAs("description")).isEqualTo("Raw orders");

    List<String> describe = strings(sql("DESCRIBE TABLE EXTENDED wc_bronze.sales.orders"));
    assertThat(describe).contains("id,bigint,order id", "Comment,Raw orders,", "Type,EXTERNAL,",
        "Name,wc_bronze.sales.orders,", "Provider,delta,");
    assertThat(describe).containsSubsequence("# Partition Information,,", "region,string,null");
    assertThat(describe).anyMatch(line -> line.startsWith("Table Properties")
        && line.contains("quality=bronze"));

    assertThat(column(sql("SHOW TABLES IN wc_bronze.sales"), 1)).containsExactly("orders");
  }

  @Test
  void mergesAcrossCatalogsUpdatesDeletesAndTimeTravels() {
    sql("CREATE SCHEMA wc_bronze.crm");
    sql("CREATE SCHEMA wc_silver.crm");
    sql("CREATE TABLE wc_bronze.crm.customers_raw (id INT, name STRING)");
    sql("INSERT INTO wc_bronze.crm.customers_raw VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')");
    sql("CREATE TABLE wc_silver.crm.customers (id INT, name STRING)"); // version 0
    sql("INSERT INTO wc_silver.crm.customers VALUES (1, 'old ann'), (4, 'dan')"); // 1

    sql("MERGE INTO wc_silver.crm.customers t USING wc_bronze.crm.customers_raw s"
        + " ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name"
        + " WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)"); // 2
    assertThat(strings(sql("SELECT * FROM wc_silver.crm.customers ORDER BY id")))
        .containsExactly("1,ann", "2,bob", "3,cy", "4,dan");
    sql("UPDATE wc_silver.crm.customers SET name = upper(name) WHERE id = 2"); // 3
    sql("DELETE FROM wc_silver.crm.customers WHERE id = 4"); // 4

    assertThat(strings(sql("SELECT * FROM wc_silver.crm.customers ORDER BY id")))
        .containsExactly("1,ann", "2,BOB", "3,cy");
    assertThat(strings(sql("SELECT * FROM wc_silver.crm.customers VERSION AS OF 1 ORDER BY id")))
        .containsExactly("1,old ann", "4,dan");

    Dataset<Row> history = sql("DESCRIBE HISTORY wc_silver.crm.customers");
    assertThat(strings(history.select("version", "operation")))
        .containsExactly("4,DELETE", "3,UPDATE", "2,MERGE", "1,WRITE", "0,CREATE TABLE");
    String mergedAt = history.where("version = 2").select("timestamp").first().get(0).toString();
    assertThat(strings(sql("SELECT * FROM wc_silver.crm.customers TIMESTAMP AS OF '" + mergedAt
        + "' ORDER BY id"))).containsExactly("1,ann", "2,bob", "3,cy", "4,dan");
  }

  @Test
  void createsAsSelectReplacesAltersRenamesAndDrops() {
    sql("CREATE SCHEMA wc_silver.gold");
    sql("CREATE TABLE wc_silver.gold.totals AS SELECT 'eu' AS region, 10L AS total"); // no USING
    assertThat(strings(sql("SELECT * FROM wc_silver.gold.totals"))).containsExactly("eu,10");
    assertThatThrownBy(() -> sql("CREATE TABLE wc_silver.gold.totals AS SELECT 1 AS x"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("TABLE_OR_VIEW_ALREADY_EXISTS");

    sql("CREATE OR REPLACE TABLE wc_silver.gold.totals AS SELECT 'us' AS region, 20L AS total");
    assertThat(strings(sql("SELECT * FROM wc_silver.gold.totals"))).containsExactly("us,20");
    assertThat(strings(sql("DESCRIBE HISTORY wc_silver.gold.totals").select("operation")))
        .containsExactly("CREATE OR REPLACE TABLE AS SELECT", "CREATE TABLE AS SELECT");
    sql("CREATE OR REPLACE TABLE wc_silver.gold.fresh AS SELECT 1 AS x");
    assertThat(strings(sql("SELECT * FROM wc_silver.gold.fresh"))).containsExactly("1");

    sql("ALTER TABLE wc_silver.gold.totals ADD COLUMNS (note STRING COMMENT 'free text')");
    sql("ALTER TABLE wc_silver.gold.totals SET TBLPROPERTIES ('team' = 'finance')");
    sql("INSERT INTO wc_silver.gold.totals VALUES ('eu', 5, 'late')");
    sql("CREATE TABLE wc_silver.gold.defaults (id INT, status STRING DEFAULT 'new')"
        + " TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported')");
    sql("INSERT INTO wc_silver.gold.defaults (id) VALUES (1)");
    assertThat(strings(sql("SELECT * FROM wc_silver.gold.defaults"))).containsExactly("1,new");
    sql("DROP TABLE wc_silver.gold.defaults");
    assertThat(strings(sql("SELECT * FROM wc_silver.gold.totals ORDER BY region")))
        .containsExactly("eu,5,late", "us,20,null");
    Row detail = sql("DESCRIBE DETAIL wc_silver.gold.totals").first();
    assertThat(detail.getJavaMap(detail.fieldIndex("properties"))).containsEntry("team", "finance");

    sql("ALTER TABLE wc_silver.gold.fresh RENAME TO gold.renamed");
    assertThat(column(sql("SHOW TABLES IN wc_silver.gold"), 1))
        .containsExactly("renamed", "totals");
    assertThat(strings(sql("SELECT * FROM wc_silver.gold.renamed"))).containsExactly("1");

    Path totalsDir = silverWarehouse.resolve("gold/totals");
    assertThat(totalsDir).isDirectory();
    sql("DROP TABLE wc_silver.gold.totals");
    assertThat(totalsDir).doesNotExist();
    assertThat(column(sql("SHOW TABLES IN wc_silver.gold"), 1)).containsExactly("renamed");
    sql("DROP TABLE wc_silver.gold.renamed PURGE");
    assertThat(silverWarehouse.resolve("gold/renamed")).doesNotExist();
    sql("DROP TABLE IF EXISTS wc_silver.gold.totals");
    assertThatThrownBy(() -> sql("DROP TABLE wc_silver.gold.totals"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("TABLE_OR_VIEW_NOT_FOUND");
  }

  @Test
  void dropsOnlyEmptySchemasUnlessCascade() {
    sql("CREATE SCHEMA wc_bronze.scratch");
    assertThatThrownBy(() -> sql("CREATE SCHEMA wc_bronze.scratch"))
        .hasMessageContaining("SCHEMA_ALREADY_EXISTS");
    sql("CREATE SCHEMA IF NOT EXISTS wc_bronze.scratch");
    sql("CREATE TABLE wc_bronze.scratch.t (x INT)");
    sql("INSERT INTO wc_bronze.scratch.t VALUES (1)");

    assertThatThrownBy(() -> sql("DROP SCHEMA wc_bronze.scratch"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("SCHEMA_NOT_EMPTY");
    assertThat(bronzeWarehouse.resolve("scratch/t/_delta_log")).isDirectory();

    sql("DROP SCHEMA wc_bronze.scratch CASCADE");
    assertThat(bronzeWarehouse.resolve("scratch")).doesNotExist();
    assertThat(column(sql("SHOW SCHEMAS IN wc_bronze"), 0)).doesNotContain("scratch");

    // Same names again: nothing stale is left (Delta caches logs per path).
    sql("CREATE SCHEMA wc_bronze.scratch");
    sql("CREATE TABLE wc_bronze.scratch.t (y STRING)");
    assertThat(sql("SELECT * FROM wc_bronze.scratch.t").columns()).containsExactly("y");
    assertThat(sql("SELECT * FROM wc_bronze.scratch.t").count()).isZero();
    sql("DROP TABLE wc_bronze.scratch.t");
    sql("DROP SCHEMA wc_bronze.scratch");
    assertThat(bronzeWarehouse.resolve("scratch")).doesNotExist();
  }

  @Test
  void streamsFromOneCatalogIntoAnother() throws Exception {
    sql("CREATE SCHEMA wc_bronze.web");
    sql("CREATE SCHEMA wc_silver.web");
    sql("CREATE TABLE wc_bronze.web.clicks (id INT, page STRING)");
    sql("INSERT INTO wc_bronze.web.clicks VALUES (1, 'home'), (2, 'cart')");
    String checkpoint = tmp.resolve("checkpoints/clicks").toString();

    runAvailableNow(checkpoint); // creates wc_silver.web.clicks
    assertThat(strings(sql("SELECT * FROM wc_silver.web.clicks ORDER BY id")))
        .containsExactly("1,home", "2,cart");

    sql("INSERT INTO wc_bronze.web.clicks VALUES (3, 'pay')");
    runAvailableNow(checkpoint); // resumes from the checkpoint: only the new row
    assertThat(strings(sql("SELECT * FROM wc_silver.web.clicks ORDER BY id")))
        .containsExactly("1,home", "2,cart", "3,pay");
  }

  private static void runAvailableNow(String checkpoint) throws Exception {
    StreamingQuery query = spark.readStream().table("wc_bronze.web.clicks")
        .writeStream()
        .format("delta")
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .toTable("wc_silver.web.clicks");
    assertThat(query.awaitTermination(120_000)).isTrue();
    assertThat(query.exception().isEmpty()).isTrue();
  }

  @Test
  void reportsMissingTablesWrongNamesAndForbiddenOptionsClearly() {
    sql("CREATE SCHEMA IF NOT EXISTS wc_bronze.errors");

    assertThatThrownBy(() -> sql("SELECT * FROM wc_bronze.errors.missing"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("TABLE_OR_VIEW_NOT_FOUND");
    assertThatThrownBy(() -> spark.readStream().table("wc_bronze.errors.missing"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("TABLE_OR_VIEW_NOT_FOUND");
    assertThatThrownBy(() -> sql("CREATE TABLE wc_bronze.nowhere.t (x INT)"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("SCHEMA_NOT_FOUND");

    assertThatThrownBy(() -> sql("SELECT * FROM wc_bronze.orders"))
        .hasMessageContaining("'wc_bronze.orders' has 2 parts: expected catalog.schema.table");
    assertThatThrownBy(() -> sql("CREATE TABLE wc_bronze.a.b.t (x INT)"))
        .hasMessageContaining("'wc_bronze.a.b.t' has 4 parts: expected catalog.schema.table");
    assertThatThrownBy(() -> sql("CREATE SCHEMA wc_bronze.a.b"))
        .hasMessageContaining("expected catalog.schema.table");

    assertThatThrownBy(() -> sql("CREATE TABLE wc_bronze.errors.`../escape` (x INT)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("may only contain letters, digits");
    assertThatThrownBy(() -> sql("CREATE SCHEMA wc_bronze.`..`"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("may only contain letters, digits");
    assertThat(tmp.resolve("escape")).doesNotExist();
    assertThat(bronzeWarehouse.resolve("escape")).doesNotExist();

    assertThatThrownBy(() -> sql("CREATE TABLE wc_bronze.errors.p (x INT) USING parquet"))
        .hasMessageContaining("stores only Delta tables");
    assertThatThrownBy(() -> sql("CREATE TABLE wc_bronze.errors.l (x INT) LOCATION '"
        + tmp.resolve("elsewhere") + "'"))
        .hasMessageContaining("Cannot set a LOCATION");
    assertThat(column(sql("SHOW TABLES IN wc_bronze.errors"), 1)).isEmpty();
  }

  @Test
  void requiresAWarehouseAndRefusesToSwapOne() {
    String key = "spark.sql.catalog.wc_no_warehouse";
    spark.conf().set(key, WarehouseCatalog.class.getName());
    try {
      assertThatThrownBy(() -> sql("SHOW SCHEMAS IN wc_no_warehouse"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("set spark.sql.catalog.wc_no_warehouse.warehouse")
          .hasMessageContaining("e.g. --conf spark.sql.catalog.wc_no_warehouse.warehouse=s3a://");
    } finally {
      spark.conf().unset(key);
    }

    WarehouseCatalog.register(spark, BRONZE, bronzeWarehouse.toString()); // same: no-op
    assertThatThrownBy(() -> WarehouseCatalog.register(spark, BRONZE, tmp.resolve("other")
        .toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already loaded in this SparkSession with warehouse");
    assertThat(Files.exists(tmp.resolve("other"))).isFalse();
  }

  /**
   * A thread without an active session (a user's thread pool, a thread started before the session)
   * registers a catalog all the same: Spark loads catalogs from the active session's configuration,
   * and without one it answered "Catalog '...' plugin class not found: spark.sql.catalog... is not
   * defined" for the catalog just set.
   */
  @Test
  void registersFromAThreadWithoutAnActiveSession() throws Exception {
    Path warehouse = tmp.resolve("wc_thread");
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean hadNoSession = new java.util.concurrent.atomic.AtomicBoolean();
    Thread t = new Thread(() -> {
      SparkSession.clearActiveSession();
      hadNoSession.set(SparkSession.getActiveSession().isEmpty());
      try {
        WarehouseCatalog.register(spark, "wc_thread", warehouse.toString());
        hadNoSession.set(hadNoSession.get() && SparkSession.getActiveSession().isEmpty());
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    t.start();
    t.join();
    assertThat(failure.get()).isNull();
    assertThat(hadNoSession.get()).as("the thread had no active session, before and after").isTrue();
    sql("CREATE SCHEMA wc_thread.s");
    sql("CREATE TABLE wc_thread.s.t (id INT) USING delta");
    sql("INSERT INTO wc_thread.s.t VALUES (7)");
    assertThat(strings(sql("SELECT id FROM wc_thread.s.t"))).containsExactly("7");
    assertThat(warehouse.resolve("s/t/_delta_log")).isDirectory();
  }

  // ---- helpers ----

  private static Dataset<Row> sql(String statement) {
    return spark.sql(statement);
  }

  private static List<String> strings(Dataset<Row> rows) {
    return Rows.strings(rows);
  }

  private static List<String> column(Dataset<Row> rows, int index) {
    return rows.collectAsList().stream().map(r -> r.getString(index)).collect(Collectors.toList());
  }

  private static Map<String, String> keyValues(Dataset<Row> rows) {
    Map<String, String> map = new HashMap<>();
    rows.collectAsList().forEach(r -> map.put(r.getString(0), r.getString(1)));
    return map;
  }
}
