package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Environment.PlatformChoice;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.WriteMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PipelineBuilderTest {
  private static final Path CONF = ConfigLoaderTest.resource("/config/conf");
  private static final Path BASE = Path.of("/work/project");
  private static final String LANDING = "/work/project/src/demo/retail/landing";

  @Test
  void builderBuildsTheSameDefinitionAsTheFile() {
    PipelineDefinition fromFile = ConfigLoader.load(CONF, "retail", "local", BASE).pipeline();

    PipelineDefinition inCode =
        PipelineBuilder.pipeline("retail")
            .schema("sales")
            .bronze(
                "orders",
                FileSource.of(LANDING + "/orders", "json")
                    .withSchema(
                        "order_id STRING, customer_id STRING, amount DOUBLE, status STRING, updated_at TIMESTAMP")
                    .withOption("multiLine", "false")
                    .withOption("maxFilesPerTrigger", "10"),
                b -> b.comment("Raw orders").property("delta.appendOnly", "true"))
            .bronze(
                "customers",
                FileSource.of(LANDING + "/customers", "csv").withOption("header", "true"),
                b -> b.execution(Execution.BATCH))
            .silver(
                "orders",
                s ->
                    s.from("bronze.orders")
                        .sql(
                            "SELECT order_id, customer_id, amount, status, updated_at\n"
                                + "               FROM {bronze.orders} WHERE order_id IS NOT NULL")
                        .keys("order_id")
                        .sequenceBy("updated_at")
                        .mode(WriteMode.UPSERT)
                        .trigger(Trigger.processingTime(Duration.ofSeconds(30))))
            .silver("customers", s -> s.from("bronze.customers").keys("customer_id").partitionBy("country")
                .execution(Execution.BATCH))
            .silver("order_events", s -> s.from("bronze.orders").mode(WriteMode.APPEND).trigger(Trigger.once()))
            .gold(
                "daily_revenue",
                "SELECT c.country, to_date(o.updated_at) AS day, sum(o.amount) AS revenue\n"
                    + "               FROM {silver.orders} o JOIN {silver.customers} c ON o.customer_id = c.customer_id\n"
                    + "               GROUP BY c.country, to_date(o.updated_at)",
                g -> g.comment("Revenue per country and day"))
            .build();

    assertThat(inCode.name()).isEqualTo(fromFile.name());
    assertThat(inCode.schema()).isEqualTo(fromFile.schema());
    assertThat(inCode.tables()).isEqualTo(fromFile.tables());
    assertThat(inCode.origin()).isEqualTo("pipeline 'retail' built in code");
  }

  @Test
  void builderMistakesNameThePath() {
    assertThatThrownBy(
            () ->
                PipelineBuilder.pipeline("p")
                    .schema("s")
                    .bronze("orders", FileSource.of("/x", "json"))
                    .silver("orders", s -> s.from("bronze.orders"))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline 'p' built in code: pipeline.silver.orders.keys")
        .hasMessageContaining("mode = append");
    assertThatThrownBy(() -> PipelineBuilder.pipeline("p").silver("orders", s -> s.from("silvr.x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline.silver.orders")
        .hasMessageContaining("Did you mean 'silver'?");
    assertThatThrownBy(() -> PipelineBuilder.pipeline("p").silver("orders", s -> s.keys("id")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline.silver.orders.from");
    assertThatThrownBy(() -> PipelineBuilder.pipeline("p")
            .bronze("orders", FileSource.of("/x", "json"), b -> b.execution(Execution.BATCH).trigger(Trigger.once())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline 'p' built in code: pipeline.bronze.orders")
        .hasMessageContaining("has execution BATCH: remove the trigger");
    assertThatThrownBy(() -> PipelineBuilder.pipeline("p").gold("g", "SELECT 1").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline.schema: the schema is missing");
  }

  @Test
  void severalFromTablesInCodeAsInConfig() {
    PipelineDefinition p = PipelineBuilder.pipeline("crm").schema("crm")
        .bronze("customers_cdc", FileSource.of("/cdc", "csv"))
        .bronze("customers_full", FileSource.of("/full", "csv"))
        .silver("customers", s -> s.from("bronze.customers_cdc", "bronze.customers_full").keys("customer_id")
            .sql("SELECT * FROM {bronze.customers_cdc} UNION ALL SELECT * FROM {bronze.customers_full}"))
        .build();
    SilverTable t = (SilverTable) p.table(TableRef.parse("silver.customers")).orElseThrow();
    assertThat(t.from()).isEqualTo(TableRef.parse("bronze.customers_cdc"));
    assertThat(t.alsoFrom()).containsExactly(TableRef.parse("bronze.customers_full"));
    assertThat(t.fromTables()).containsExactly(TableRef.parse("bronze.customers_cdc"), TableRef.parse("bronze.customers_full"));
    assertThat(t.execution()).isEqualTo(Execution.STREAMING);
    // one table again: from(table) forgets the others
    assertThat(PipelineBuilder.pipeline("crm").schema("crm").bronze("customers_cdc", FileSource.of("/cdc", "csv"))
        .silver("customers", s -> s.from("bronze.customers_cdc", "bronze.customers_full").from("bronze.customers_cdc")
            .keys("customer_id")).build().table(TableRef.parse("silver.customers")).orElseThrow())
        .extracting(x -> ((SilverTable) x).fromTables()).asList().containsExactly(TableRef.parse("bronze.customers_cdc"));
    assertThatThrownBy(() -> PipelineBuilder.pipeline("crm").schema("crm")
        .bronze("customers_cdc", FileSource.of("/cdc", "csv")).bronze("customers_full", FileSource.of("/full", "csv"))
        .silver("customers", s -> s.from("bronze.customers_cdc", "bronze.customers_full").keys("customer_id")).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline 'crm' built in code: pipeline.silver.customers.sql: from lists 2 tables");
  }

  @Test
  void localEnvironment() {
    Environment env = Defaults.reference().localEnvironment(Path.of("/tmp/m/../medallion"));
    assertThat(env.name()).isEqualTo("local");
    assertThat(env.platform()).isEqualTo(PlatformChoice.AUTO);
    assertThat(env.catalogs().get(Layer.BRONZE)).isEqualTo("local_bronze");
    assertThat(env.catalogs().get(Layer.GOLD)).isEqualTo("local_gold");
    assertThat(env.warehouseRoot()).isEqualTo("/tmp/medallion/warehouse");
    assertThat(env.checkpointRoot()).isEqualTo("/tmp/medallion/checkpoints");
    assertThat(env.landingRoot()).isEqualTo("/tmp/medallion/landing");
    assertThat(env.master()).contains("local[*]");
    assertThat(env.withLandingRoot("s3a://b/l").landingRoot()).isEqualTo("s3a://b/l");
    assertThat(env.withSparkConf("spark.sql.shuffle.partitions", "2").sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "2");
  }
}
