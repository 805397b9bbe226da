package io.medallion.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Path;
import java.util.Map;
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
    assertThat(lake.table(demo, "bronze.orders").where("_corrupt_record IS NOT NULL").count())
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
    assertThat(silver.count()).isEqualTo(EXPECTED.latestOrders.size());
    assertThat(silver.select("order_id").distinct().count()).isEqualTo(EXPECTED.latestOrders.size());
    long cancelled = EXPECTED.latestOrders.values().stream()
        .filter(o -> o.get("status").asText().equals("cancelled")).count();
    assertThat(silver.where("status = 'cancelled'").count()).isEqualTo(cancelled);
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
    assertThat(lake.table(demo, "silver.orders").count()).isEqualTo(EXPECTED.latestOrders.size());
    assertThat(gold(lake)).isEqualTo(expectedGold());
  }

  static Map<String, String> expectedGold() {
    return RetailDemoTestSupport.expectedGold(EXPECTED);
  }

  static Map<String, String> gold(Lakehouse lake) {
    return RetailDemoTestSupport.gold(lake, demo.pipeline(), demo.environment());
  }
}
