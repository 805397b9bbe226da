package io.medallion.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.LocalSpark;
import io.medallion.testkit.S3Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WarehouseCatalog} on {@code s3a://} against a real S3-compatible server (s3proxy). */
class WarehouseCatalogS3Test {
  private static final String CATALOG = "wc_s3";

  @TempDir static Path tmp;
  private static S3Server s3;
  private static SparkSession spark;
  private static String warehouse;

  @BeforeAll
  static void startS3AndRegister() {
    s3 = S3Server.start();
    spark = LocalSpark.session();
    s3.configure(spark);
    warehouse = s3.uri("warehouse");
    WarehouseCatalog.register(spark, CATALOG, warehouse);
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void createsWritesMergesAndTimeTravelsOnS3() throws Exception {
    sql("CREATE SCHEMA wc_s3.sales COMMENT 'On S3'");
    assertThat(exists(warehouse + "/sales/_schema.properties")).isTrue();
    assertThat(strings(sql("SHOW SCHEMAS IN wc_s3"))).contains("sales");

    sql("CREATE TABLE wc_s3.sales.orders (id BIGINT, region STRING, amount DOUBLE)"
        + " PARTITIONED BY (region)"); // version 0
    sql("INSERT INTO wc_s3.sales.orders VALUES (1, 'eu', 10.0), (2, 'us', 20.0)"); // 1
    spark.sql("SELECT 3L AS id, 'eu' AS region, 30.0D AS amount")
        .writeTo("wc_s3.sales.orders").append(); // 2
    sql("CREATE TABLE wc_s3.sales.corrections AS"
        + " SELECT * FROM VALUES (2L, 'us', 25.0D), (4L, 'us', 40.0D) AS v(id, region, amount)");

    sql("MERGE INTO wc_s3.sales.orders t USING wc_s3.sales.corrections s ON t.id = s.id"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"); // 3
    assertThat(strings(sql("SELECT id, region, amount FROM wc_s3.sales.orders ORDER BY id")))
        .containsExactly("1,eu,10.0", "2,us,25.0", "3,eu,30.0", "4,us,40.0");
    assertThat(strings(sql("SELECT id, amount FROM wc_s3.sales.orders VERSION AS OF 1"
        + " ORDER BY id"))).containsExactly("1,10.0", "2,20.0");
    assertThat(strings(sql("DESCRIBE HISTORY wc_s3.sales.orders").select("operation")))
        .containsExactly("MERGE", "WRITE", "WRITE", "CREATE TABLE");

    Row detail = sql("DESCRIBE DETAIL wc_s3.sales.orders").first();
    assertThat(detail.<String>getAs("location")).isEqualTo(warehouse + "/sales/orders");
    assertThat(detail.getList(detail.fieldIndex("partitionColumns"))).containsExactly("region");
    assertThat(exists(warehouse + "/sales/orders/_delta_log/00000000000000000003.json")).isTrue();

    sql("DROP TABLE wc_s3.sales.corrections");
    assertThat(exists(warehouse + "/sales/corrections")).isFalse();
    assertThat(strings(sql("SHOW TABLES IN wc_s3.sales").select("tableName")))
        .containsExactly("orders");
  }

  @Test
  void streamsBetweenTablesOnS3AndDropsTheSchema() throws Exception {
    sql("CREATE SCHEMA wc_s3.web");
    sql("CREATE TABLE wc_s3.web.clicks (id INT, page STRING)");
    sql("INSERT INTO wc_s3.web.clicks VALUES (1, 'home'), (2, 'cart')");
    String checkpoint = tmp.resolve("checkpoints/clicks").toString();

    runAvailableNow(checkpoint);
    sql("INSERT INTO wc_s3.web.clicks VALUES (3, 'pay')");
    runAvailableNow(checkpoint);
    assertThat(strings(sql("SELECT * FROM wc_s3.web.clicks_copy ORDER BY id")))
        .containsExactly("1,home", "2,cart", "3,pay");

    sql("DROP SCHEMA wc_s3.web CASCADE");
    assertThat(exists(warehouse + "/web/_schema.properties")).isFalse();
    assertThat(exists(warehouse + "/web/clicks_copy/_delta_log")).isFalse();
    assertThat(strings(sql("SHOW SCHEMAS IN wc_s3"))).doesNotContain("web");
  }

  private static void runAvailableNow(String checkpoint) throws Exception {
    StreamingQuery query = spark.readStream().table("wc_s3.web.clicks")
        .writeStream()
        .format("delta")
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .toTable("wc_s3.web.clicks_copy");
    assertThat(query.awaitTermination(120_000)).isTrue();
    assertThat(query.exception().isEmpty()).isTrue();
  }

  private static boolean exists(String uri) throws Exception {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    FileSystem fs = path.getFileSystem(spark.sessionState().newHadoopConf());
    return fs.exists(path);
  }

  private static Dataset<Row> sql(String statement) {
    return spark.sql(statement);
  }

  private static List<String> strings(Dataset<Row> rows) {
    return Rows.strings(rows);
  }
}
