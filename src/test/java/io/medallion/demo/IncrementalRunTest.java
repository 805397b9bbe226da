package io.medallion.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunListener;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.run.TableResult;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Streaming runs pick up only new files; full refresh recomputes and cascades to incremental readers. */
@ExtendWith(MedallionExtension.class)
class IncrementalRunTest {
  static final TableRef BRONZE = TableRef.parse("bronze.orders");
  static final TableRef SILVER = TableRef.parse("silver.orders");
  static final TableRef GOLD = TableRef.parse("gold.daily_revenue");
  static final String SKIPPED = PipelineRunner.UNCHANGED_NOTE;

  @Test
  void newFilesAreIngestedOnceAndUpsertedBySequence(Lakehouse lake) throws IOException {
    Path landing = copyLanding(lake.root().resolve("landing"));
    Lakehouse.Loaded demo = lake.load(RetailDemoTest.PIPELINE, RetailDemoTest.ENV, landing.toString());
    Environment env = demo.environment();
    assertThat(env.landingRoot()).isEqualTo(landing.toString());
    lake.run(demo.pipeline(), env);
    RetailSampleData before = new RetailSampleData(landing);
    long bronzeBefore = lake.table(demo.pipeline(), env, "bronze.orders").count();
    assertThat(bronzeBefore).isEqualTo(before.orderLines);

    // Nothing new: silver and gold are skipped (their inputs' Delta versions are as recorded), and say so.
    // Gold says it in its own words: its refresh compares the input versions it recorded.
    RunResult idle = lake.run(demo.pipeline(), env);
    String goldSkipped = "skipped: its inputs did not change since the last refresh (silver.orders at version 1,"
        + " silver.customers at version 1)";
    assertThat(idle.tables()).extracting(r -> r.ref().toString() + ": " + r.note()).containsExactly(
        "bronze.orders: ", "bronze.customers: ", "silver.orders: " + SKIPPED, "silver.customers: " + SKIPPED,
        "gold.daily_revenue: " + goldSkipped);
    assertThat(idle.table(GOLD).orElseThrow().summary()).contains("(" + goldSkipped + ")");
    TableName log = env.eventLogTable(demo.pipeline()).orElseThrow();
    assertThat(lake.spark().sql("SELECT origin.dataset_name, message FROM " + log.quoted()
            + " WHERE details.flow_progress.status = 'UNCHANGED'").collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("silver.orders", "silver.customers", "gold.daily_revenue");
    assertThat(RetailDemoTestSupport.gold(lake, demo.pipeline(), env))
        .isEqualTo(RetailDemoTestSupport.expectedGold(before));

    Row existing = lake.table(demo.pipeline(), env, "silver.orders")
        .where("status = 'placed'").orderBy("order_id").first();
    long id = existing.getAs("order_id");
    Path day = Files.createDirectories(landing.resolve("orders/2026/11/08"));
    Files.writeString(day.resolve("orders-00.json"), String.join("\n",
        // a later version of an existing order, a stale version that must not win, a new order
        "{\"order_id\": " + id + ", \"customer_id\": 7, \"order_ts\": \"2026-11-01T10:00:00\","
            + " \"status\": \"cancelled\", \"amount\": 10.00, \"updated_at\": \"2026-12-01T00:00:00\"}",
        "{\"order_id\": " + id + ", \"customer_id\": 7, \"order_ts\": \"2026-11-01T10:00:00\","
            + " \"status\": \"shipped\", \"amount\": 10.00, \"updated_at\": \"2026-01-01T00:00:00\"}",
        "{\"order_id\": 999999, \"customer_id\": 7, \"order_ts\": \"2026-11-08T10:00:00\","
            + " \"status\": \"placed\", \"amount\": 12.34, \"updated_at\": \"2026-11-08T10:00:00\"}",
        ""));

    RunResult second = lake.run(demo.pipeline(), env);

    assertThat(second.table(BRONZE).orElseThrow().rowsRead()).isEqualTo(3);
    assertThat(second.table(SILVER).orElseThrow().rowsRead()).isEqualTo(3);
    assertThat(second.table(SILVER).orElseThrow().note()).isEmpty();
    assertThat(second.table(GOLD).orElseThrow().note()) // silver.orders changed: refreshed, not skipped
        .matches("(incremental|full recompute): .+");
    assertThat(second.table(TableRef.parse("silver.customers")).orElseThrow().note()).isEqualTo(SKIPPED);
    assertThat(lake.table(demo.pipeline(), env, "bronze.orders").count()).isEqualTo(bronzeBefore + 3);
    assertThat(lake.table(demo.pipeline(), env, "silver.orders").count())
        .isEqualTo(before.silverOrders.size() + 1);
    assertThat(lake.table(demo.pipeline(), env, "silver.orders").where("order_id = " + id)
        .first().<String>getAs("status")).isEqualTo("cancelled");
    RetailSampleData after = new RetailSampleData(landing);
    assertThat(RetailDemoTestSupport.gold(lake, demo.pipeline(), env)).isEqualTo(RetailDemoTestSupport.expectedGold(after));

    List<String> refreshed = new ArrayList<>();
    RunResult refresh = lake.run(demo.pipeline(), env, RunOptions.all().fullRefresh(BRONZE)
        .listener(new RunListener() {
          @Override
          public void fullRefreshed(TableRef ref, TableName name, String checkpoint, boolean cascaded) {
            refreshed.add(ref + (cascaded ? " cascaded" : ""));
          }
        }));
    assertThat(refreshed).containsExactly("bronze.orders", "silver.orders cascaded");
    assertThat(refresh.table(BRONZE).orElseThrow().rowsRead()).isEqualTo(after.orderLines);
    assertThat(lake.table(demo.pipeline(), env, "bronze.orders").count()).isEqualTo(after.orderLines);
    assertThat(lake.table(demo.pipeline(), env, "silver.orders").count()).isEqualTo(after.silverOrders.size());
    // The cascaded refresh dropped silver's quarantine table too: its rows are there once, not twice.
    assertThat(lake.table(demo.pipeline(), env, "silver.orders_quarantine").count())
        .isEqualTo(after.quarantinedOrders.size());
    assertThat(RetailDemoTestSupport.gold(lake, demo.pipeline(), env)).isEqualTo(RetailDemoTestSupport.expectedGold(after));
    assertThat(refresh.table(GOLD).orElseThrow().note()).startsWith("full recompute: ");

    // Changed SQL recomputes although no input changed.
    List<TableDefinition> tables = demo.pipeline().tables().stream()
        .map(t -> t instanceof GoldTable g ? new GoldTable(g.ref(), g.sql().replace("COUNT(*)", "COUNT(1)"), g.spec(), g.quality()) : t)
        .toList();
    PipelineDefinition changed = new PipelineDefinition(
        demo.pipeline().name(), demo.pipeline().schema(), tables, demo.pipeline().origin());
    TableResult gold = lake.run(changed, env, RunOptions.all().only(GOLD)).table(GOLD).orElseThrow();
    assertThat(gold.note()).isEqualTo("full recompute: its query or rules changed since the last refresh");
    assertThat(gold.rowsWritten()).isEqualTo(RetailDemoTestSupport.expectedGold(after).size());
  }

  @Test
  void onlyRunsTheNamedTablesAndRejectsUnknownOnes(Lakehouse lake) {
    Lakehouse.Loaded demo = lake.load(RetailDemoTest.PIPELINE, RetailDemoTest.ENV);
    Environment env = lake.environment(demo.environment().landingRoot());
    RunResult result = lake.run(demo.pipeline(), env, RunOptions.all().only(TableRef.parse("bronze.customers")));
    assertThat(result.tables()).extracting(r -> r.ref().toString()).containsExactly("bronze.customers");
    assertThat(lake.spark().catalog().tableExists(env.tableName(demo.pipeline(), SILVER).toString())).isFalse();

    assertThatThrownBy(() -> lake.run(demo.pipeline(), env, RunOptions.all().only(TableRef.parse("silver.orderz"))))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("--only silver.orderz")
        .hasMessageContaining("has no such table")
        .hasMessageContaining("silver.orders");
  }

  static Path copyLanding(Path target) throws IOException {
    Path source = Path.of("src/demo/retail/landing");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : files.toList()) {
        Path dest = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }
}
