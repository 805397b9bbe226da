package io.medallion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Environment.PlatformChoice;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.WriteMode;
import io.medallion.table.TableName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path CONF = resource("/config/conf");
  private static final Path BASE = Path.of("/work/project");

  static Path resource(String name) {
    try {
      return Path.of(ConfigLoaderTest.class.getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static TableDefinition table(PipelineDefinition p, String ref) {
    return p.table(TableRef.parse(ref)).orElseThrow();
  }

  @Test
  void loadsEnvironmentWithAbsolutePaths() {
    Environment env = ConfigLoader.loadEnvironment(CONF.resolve("env/local.conf"), BASE);

    assertThat(env.name()).isEqualTo("local");
    assertThat(env.platform()).isEqualTo(PlatformChoice.OSS);
    assertThat(env.catalogs())
        .containsOnly(
            entry(Layer.BRONZE, "local_bronze"), entry(Layer.SILVER, "local_silver"), entry(Layer.GOLD, "local_gold"));
    assertThat(env.warehouseRoot()).isEqualTo("/work/project/target/medallion/warehouse");
    assertThat(env.checkpointRoot()).isEqualTo("/work/project/target/medallion/checkpoints");
    assertThat(env.landingRoot()).isEqualTo("/work/project/src/demo/retail/landing");
    assertThat(env.master()).contains("local[*]");
    assertThat(env.sparkConf()).containsOnly(entry("spark.sql.shuffle.partitions", "4"));
    assertThat(env.warehouseOf("local_silver")).isEqualTo("/work/project/target/medallion/warehouse/local_silver");
  }

  @Test
  void keepsUrisAndAppliesEnvironmentDefaults() {
    Environment env = ConfigLoader.loadEnvironment(CONF.resolve("env/prod.conf"), BASE);

    assertThat(env.platform()).isEqualTo(PlatformChoice.AUTO); // reference.conf
    assertThat(env.warehouseRoot()).isEqualTo("s3a://lake-prod/warehouse");
    assertThat(env.checkpointRoot()).isEqualTo("dbfs:/checkpoints");
    assertThat(env.landingRoot()).isEqualTo("abfss://landing@acct.dfs.core.windows.net/raw");
    assertThat(env.master()).isEmpty();
    assertThat(env.sparkConf()).isEmpty();
  }

  @Test
  void optionalSubstitutionsAreOverriddenBySystemProperties() {
    System.setProperty("MEDALLION_TEST_STORAGE_ROOT", "s3a://override/root");
    System.setProperty("MEDALLION_TEST_LANDING_ROOT", "landing");
    try {
      LoadedPipeline loaded = ConfigLoader.load(CONF, "retail", "local", BASE);
      Environment env = loaded.environment();
      assertThat(env.warehouseRoot()).isEqualTo("s3a://override/root/warehouse");
      assertThat(env.checkpointRoot()).isEqualTo("s3a://override/root/checkpoints");
      assertThat(env.landingRoot()).isEqualTo("/work/project/landing");
      BronzeTable orders = (BronzeTable) table(loaded.pipeline(), "bronze.orders");
      assertThat(((FileSource) orders.source()).path()).isEqualTo("/work/project/landing/orders");
    } finally {
      System.clearProperty("MEDALLION_TEST_STORAGE_ROOT");
      System.clearProperty("MEDALLION_TEST_LANDING_ROOT");
    }
  }

  @Test
  void loadsPipelineWithEnvironmentSubstitutionsAndDefaults() {
    LoadedPipeline loaded = ConfigLoader.load(CONF, "retail", "local", BASE);
    PipelineDefinition p = loaded.pipeline();

    assertThat(p.name()).isEqualTo("retail");
    assertThat(p.schema()).isEqualTo("sales");
    assertThat(p.origin()).endsWith("pipelines/retail.conf");
    assertThat(p.tables())
        .extracting(t -> t.ref().toString())
        .containsExactly(
            "bronze.orders", "bronze.customers", "silver.orders", "silver.customers", "silver.order_events",
            "gold.daily_revenue");

    BronzeTable orders = (BronzeTable) table(p, "bronze.orders");
    FileSource source = (FileSource) orders.source();
    assertThat(source.path()).isEqualTo("/work/project/src/demo/retail/landing/orders");
    assertThat(source.format()).isEqualTo("json");
    assertThat(source.schema()).hasValueSatisfying(s -> assertThat(s).startsWith("order_id STRING"));
    assertThat(source.options()).containsOnly(
        entry("multiLine", "false"), entry("maxFilesPerTrigger", "10"), entry("recursiveFileLookup", "true"));
    assertThat(orders.execution()).isEqualTo(Execution.STREAMING);
    assertThat(orders.trigger()).isEqualTo(Trigger.availableNow());
    assertThat(orders.spec().comment()).contains("Raw orders");
    assertThat(orders.spec().properties())
        .containsOnly(entry("delta.appendOnly", "true"), entry("delta.columnMapping.mode", "name"));
    assertThat(orders.spec().partitionBy()).isEmpty();

    BronzeTable customers = (BronzeTable) table(p, "bronze.customers");
    assertThat(customers.execution()).isEqualTo(Execution.BATCH);
    assertThat(((FileSource) customers.source()).options()).containsOnly(entry("header", "true"), entry("recursiveFileLookup", "true"));

    SilverTable silverOrders = (SilverTable) table(p, "silver.orders");
    assertThat(silverOrders.from()).isEqualTo(TableRef.parse("bronze.orders"));
    assertThat(silverOrders.keys()).containsExactly("order_id");
    assertThat(silverOrders.sequenceBy()).contains("updated_at");
    assertThat(silverOrders.mode()).isEqualTo(WriteMode.UPSERT);
    assertThat(silverOrders.trigger()).isEqualTo(Trigger.processingTime(Duration.ofSeconds(30)));
    assertThat(silverOrders.effectiveSql()).contains("FROM {bronze.orders} WHERE order_id IS NOT NULL");

    SilverTable silverCustomers = (SilverTable) table(p, "silver.customers");
    assertThat(silverCustomers.sql()).isEmpty();
    assertThat(silverCustomers.effectiveSql()).isEqualTo("SELECT * FROM {bronze.customers}");
    assertThat(silverCustomers.spec().partitionBy()).containsExactly("country");
    assertThat(silverCustomers.mode()).isEqualTo(WriteMode.UPSERT);
    assertThat(silverCustomers.execution()).isEqualTo(Execution.BATCH);

    SilverTable events = (SilverTable) table(p, "silver.order_events");
    assertThat(events.mode()).isEqualTo(WriteMode.APPEND);
    assertThat(events.keys()).isEmpty();
    assertThat(events.trigger()).isEqualTo(Trigger.once());

    GoldTable revenue = (GoldTable) table(p, "gold.daily_revenue");
    assertThat(revenue.inputs())
        .containsExactly(TableRef.parse("silver.orders"), TableRef.parse("silver.customers"));
    assertThat(revenue.spec().comment()).contains("Revenue per country and day");

    assertThat(p.topologicalOrder().get(p.topologicalOrder().size() - 1)).isSameAs(revenue);
    Environment env = loaded.environment();
    assertThat(env.tableName(p, revenue.ref())).isEqualTo(TableName.of("local_gold", "sales", "daily_revenue"));
    assertThat(env.checkpointOf(p, silverOrders.ref()))
        .isEqualTo("/work/project/target/medallion/checkpoints/retail/silver/orders");
  }

  @Test
  void systemPropertiesAreNoSourceOfKeys() {
    System.setProperty("env.master", "yarn");
    System.setProperty("env", "prod");
    try {
      assertThat(ConfigLoader.loadEnvironment(CONF.resolve("env/prod.conf"), BASE).master()).isEmpty();
    } finally {
      System.clearProperty("env.master");
      System.clearProperty("env");
    }
  }

  @Test
  void defaultBaseDirectoryIsTheWorkingDirectory() {
    Environment env = ConfigLoader.loadEnvironment(CONF.resolve("env/local.conf"));
    assertThat(Path.of(env.landingRoot()))
        .isEqualTo(Path.of("").toAbsolutePath().resolve("src/demo/retail/landing"));
  }

  @Test
  void listsAvailableNames() {
    assertThat(ConfigLoader.availablePipelines(CONF)).containsExactly("retail");
    assertThat(ConfigLoader.availableEnvironments(CONF)).containsExactly("local", "prod");
  }

  @Test
  void sessionConfEnablesDelta() {
    assertThat(ConfigLoader.sessionConf())
        .containsOnly(
            entry("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"),
            entry("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"),
            entry("spark.redaction.regex",
                "(?i)secret|password|token|access[.]key|sasl[.]jaas|keystore[.]key|credential|awsAccessKey|awsSecretKey"));
  }

  @Test
  void defaultsComeFromReferenceConf() {
    Defaults d = Defaults.reference();
    assertThat(d.execution(Layer.BRONZE)).isEqualTo(Execution.STREAMING);
    assertThat(d.execution(Layer.SILVER)).isEqualTo(Execution.STREAMING);
    assertThat(d.execution(Layer.GOLD)).isEqualTo(Execution.BATCH);
    assertThat(d.trigger(Layer.BRONZE)).isEqualTo(Trigger.availableNow());
    assertThat(d.mode()).isEqualTo(WriteMode.UPSERT);
    assertThat(d.spec(Layer.GOLD).comment()).isEmpty();
    assertThat(d.spec(Layer.SILVER).partitionBy()).isEmpty();
    assertThat(d.spec(Layer.BRONZE).properties()).containsOnly(entry("delta.columnMapping.mode", "name"));
    assertThat(d.sourceOptions("files")).containsOnly(entry("recursiveFileLookup", "true"));
    assertThat(d.sourceOptions("kafka")).containsOnly(entry("startingOffsets", "earliest"));
    assertThat(d.platform()).isEqualTo(PlatformChoice.AUTO);
  }

  @Test
  void acceptsNestedSparkConfKeysAndIncludes(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("common.conf"), "env.catalogs { bronze = b, silver = s, gold = g }\n");
    Path env = dir.resolve("e.conf");
    Files.writeString(
        env,
        "include \"common.conf\"\n"
            + "env {\n  name = e\n  warehouse-root = /w\n  checkpoint-root = /c\n  landing-root = \"file:/l\"\n"
            + "  spark-conf { spark.sql.shuffle.partitions = 8, \"spark.ui.enabled\" = false }\n}\n");
    Environment e = ConfigLoader.loadEnvironment(env, dir);
    assertThat(e.catalogs()).containsEntry(Layer.GOLD, "g");
    assertThat(e.landingRoot()).isEqualTo("file:/l");
    assertThat(e.sparkConf())
        .isEqualTo(Map.of("spark.sql.shuffle.partitions", "8", "spark.ui.enabled", "false"));
    assertThat(e.master()).isEqualTo(Optional.empty());
    assertThat(List.copyOf(e.catalogs().values())).containsExactly("b", "s", "g");
  }
}
