package io.medallion.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bundled retail demo, bronze to gold, checked against numbers computed from the files. */
@ExtendWith(MedallionExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetailDemoTest {
  static final Path PIPELINE = Path.of("conf/pipelines/retail.conf");
  static final Path ENV = Path.of("conf/env/local.conf");
  static final RetailSampleData EXPECTED = new RetailSampleData(Path.of("src/demo/retail/landing"));

  static Lakehouse.Loaded demo;
  static RunResult firstRun;

  @BeforeAll
  static void runDemo(Lakehouse lake) {
    demo = lake.load(PIPELINE, ENV);
    firstRun = lake.run(demo);
  }

  @Test
  @Order(1)
  void sampleDataHasTheAdvertisedDefects() {
    assertThat(EXPECTED.malformedLines).isGreaterThan(0);
    assertThat(EXPECTED.orderLines - EXPECTED.malformedLines).isGreaterThan(EXPECTED.latestOrders.size());
    assertThat(EXPECTED.orderLines).isBetween(2000L, 10000L);
  }

  @Test
  @Order(2)
  void bronzeKeepsEveryLineIncludingMalformedOnes(Lakehouse lake) {
    assertThat(lake.table(demo, "bronze.orders").count()).isEqualTo(EXPECTED.orderLines);
    assertThat(lake.table(demo, "bronze.orders").where("_rescued_data IS NOT NULL").count())
        .isEqualTo(EXPECTED.malformedLines);
    assertThat(lake.table(demo, "bronze.orders").where("_source_file IS NULL OR _ingest_time IS NULL").count())
        .isZero();
    assertThat(lake.table(demo, "bronze.customers").count()).isEqualTo(EXPECTED.countries.size());
    assertThat(firstRun.table(TableRef.parse("bronze.orders")).orElseThrow().rowsWritten())
        .isEqualTo(EXPECTED.orderLines);
  }

  @Test
  @Order(3)
  void silverHasOneRowPerOrderAtItsLatestVersion(Lakehouse lake) {
    var silver = lake.table(demo, "silver.orders");
    assertThat(silver.count()).isEqualTo(EXPECTED.silverOrders.size());
    assertThat(silver.select("order_id").distinct().count()).isEqualTo(EXPECTED.silverOrders.size());
    long cancelled = EXPECTED.silverOrders.values().stream()
        .filter(o -> o.get("status").asText().equals("cancelled")).count();
    assertThat(silver.where("status = 'cancelled'").count()).isEqualTo(cancelled);
  }

  @Test
  @Order(3)
  void silverQuarantinesNegativeAmountsWithTheReasonAndDropsOrdersWithoutCustomer(Lakehouse lake) {
    assertThat(EXPECTED.quarantinedOrders).hasSize(14);
    assertThat(EXPECTED.droppedOrders).hasSize(14);
    var quarantine = lake.table(demo, "silver.orders_quarantine");
    assertThat(quarantine.select("order_id").collectAsList()).extracting(r -> r.getLong(0))
        .containsExactlyInAnyOrderElementsOf(EXPECTED.quarantinedOrders);
    assertThat(quarantine.selectExpr("explode(_errors) AS e").selectExpr("e.rule", "e.action").distinct().collectAsList())
        .extracting(Row::toString).containsExactly("[valid_amount,quarantine]");
    assertThat(lake.table(demo, "silver.orders").where("customer_id IS NULL OR amount < 0").count()).isZero();

    var silver = firstRun.table(TableRef.parse("silver.orders")).orElseThrow().quality();
    assertThat(silver.quarantined()).isEqualTo(14);
    assertThat(silver.dropped()).isEqualTo(14);
    assertThat(silver.warned()).isEqualTo(21); // status on_hold: kept and counted
    assertThat(silver.checks()).extracting(c -> c.name() + ":" + c.passed())
        .contains("few_rejects:true", "one_row_per_order:false");
    var bronze = firstRun.table(TableRef.parse("bronze.orders")).orElseThrow().quality();
    assertThat(bronze.warned()).isEqualTo(EXPECTED.malformedLines);
  }

  @Test
  @Order(3)
  void theEventLogHasEachFlowWithItsExpectations(Lakehouse lake) {
    String log = demo.environment().eventLogTable(demo.pipeline()).orElseThrow().quoted();
    var failed = lake.spark().sql(
        "SELECT e.name, SUM(e.failed_records) AS failed FROM " + log
            + " LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
            + " WHERE origin.dataset_name = 'silver.orders' GROUP BY e.name ORDER BY e.name").collectAsList();
    assertThat(failed).extracting(Row::toString).containsExactly(
        "[has_customer,14]", "[has_order_id,0]", "[known_status,21]", "[valid_amount,14]");
    assertThat(lake.spark().sql("SELECT DISTINCT origin.dataset_name FROM " + log
            + " WHERE event_type = 'flow_progress'").collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("bronze.orders", "bronze.customers", "silver.orders", "silver.customers", "gold.daily_revenue");
  }

  @Test
  @Order(4)
  void goldMatchesNumbersComputedFromTheFiles(Lakehouse lake) {
    assertThat(gold(lake)).isEqualTo(expectedGold());
  }

  @Test
  @Order(5)
  void rerunningIsIdempotent(Lakehouse lake) {
    RunResult second = lake.run(demo);
    assertThat(second.table(TableRef.parse("bronze.orders")).orElseThrow().rowsRead()).isZero();
    assertThat(lake.table(demo, "bronze.orders").count()).isEqualTo(EXPECTED.orderLines);
    assertThat(lake.table(demo, "silver.orders").count()).isEqualTo(EXPECTED.silverOrders.size());
    assertThat(lake.table(demo, "silver.orders_quarantine").count()).isEqualTo(14);
    assertThat(gold(lake)).isEqualTo(expectedGold());
  }

  static Map<String, String> expectedGold() {
    return RetailDemoTestSupport.expectedGold(EXPECTED);
  }

  static Map<String, String> gold(Lakehouse lake) {
    return RetailDemoTestSupport.gold(lake, demo.pipeline(), demo.environment());
  }
}
