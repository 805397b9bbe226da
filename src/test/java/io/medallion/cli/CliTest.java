package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.testkit.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.quality.QualityMetrics;
import io.medallion.table.TableName;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line in-process: validate, run, and the messages of its mistakes. */
class CliTest {
  @TempDir static Path dir;
  static Path conf;
  static SparkSession spark;

  @BeforeAll
  static void writeConf() throws IOException {
    spark = LocalSpark.session();
    conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("pipelines"));
    Files.createDirectories(conf.resolve("env"));
    String retail = Files.readString(Path.of("conf/pipelines/retail.conf"));
    Files.writeString(conf.resolve("pipelines/retail.conf"), retail);
    Files.writeString(conf.resolve("pipelines/broken_sql.conf"),
        retail.replace("name = retail", "name = broken_sql").replace("CAST(amount AS DECIMAL(12, 2))", "CAST(amount_typo AS DECIMAL(12, 2))"));
    Files.writeString(conf.resolve("pipelines/broken_gold.conf"),
        retail.replace("name = retail", "name = broken_gold").replace("SUM(o.amount)", "SUM(amout)"));
    Files.writeString(conf.resolve("pipelines/broken_star.conf"), retail.replace("name = retail", "name = broken_star").replace(
        "SELECT CAST(customer_id AS BIGINT) AS customer_id, name, country,",
        "SELECT *, CAST(customer_id AS BIGINT) AS id,").replace("keys = [customer_id]",
        "keys = [customer_id]\n      expectations { known_country = \"countryy IS NOT NULL\" }"));
    Files.writeString(conf.resolve("pipelines/broken_keys.conf"),
        retail.replace("name = retail", "name = broken_keys").replace("keys = [order_id]", "keys = [order_idd]"));
    Files.writeString(conf.resolve("pipelines/broken_rule.conf"),
        retail.replace("name = retail", "name = broken_rule").replace("expr = \"amount >= 0\"", "expr = \"amout >= 0\""));
    Files.writeString(conf.resolve("env/cli.conf"), String.join("\n",
        "env {",
        "  name = cli",
        "  platform = oss",
        "  warehouse-root = \"" + dir.resolve("warehouse") + "\"",
        "  checkpoint-root = \"" + dir.resolve("checkpoints") + "\"",
        "  landing-root = \"" + Path.of("src/demo/retail/landing").toAbsolutePath() + "\"",
        "  catalogs { bronze = cli_bronze, silver = cli_silver, gold = cli_gold }",
        "}", ""));
  }

  static String cli(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Cli(new PrintStream(bytes, true, StandardCharsets.UTF_8)).execute(args);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  static String[] args(String command, String pipeline, String... more) {
    String[] base = {command, "--conf-dir", conf.toString(), "--pipeline", pipeline, "--env", "cli"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  /**
   * validate's note for a snapshot CDC table whose rules drop or quarantine rows: those rows are
   * missing from the snapshot, so their keys are deleted. No note for warn or fail rules, or for a
   * change-feed CDC table.
   */
  @Test
  void validateNotesThatASnapshotTablesDropAndQuarantineRulesDeleteKeys() {
    io.medallion.table.CdcSpec folder = io.medallion.table.CdcSpec.builder(List.of("sku"), List.of())
        .fromSnapshot(io.medallion.table.CdcSpec.FromSnapshot.folder("/snaps", "csv", java.util.Optional.empty(),
            java.util.Map.of())).build();
    io.medallion.pipeline.PipelineDefinition p = io.medallion.config.PipelineBuilder.pipeline("shop").schema("s")
        .bronze("feed", io.medallion.source.FileSource.of("/feed", "json"))
        .silver("products", t -> t.cdc(folder).expectOrDrop("positive_price", "price > 0")
            .expectOrQuarantine("named", "name IS NOT NULL").expect("cheap", "price < 100"))
        .silver("checked", t -> t.cdc(folder).expect("cheap", "price < 100").expectOrFail("has_sku", "sku IS NOT NULL"))
        .silver("feed_current", t -> t.from("bronze.feed").cdc(io.medallion.table.CdcSpec.builder(List.of("sku"),
            List.of("ts")).build()).expectOrDrop("positive_price", "price > 0"))
        .build();
    assertThat(Cli.snapshotRuleNote(p.table(TableRef.parse("silver.products")).orElseThrow())).hasValue(
        "a row that positive_price (drop), named (quarantine) sets aside is missing from the snapshot, so its key is"
            + " deleted from silver.products (closed in SCD type 2); use on-violation = fail to stop a bad snapshot instead");
    assertThat(Cli.snapshotRuleNote(p.table(TableRef.parse("silver.checked")).orElseThrow())).isEmpty();
    assertThat(Cli.snapshotRuleNote(p.table(TableRef.parse("silver.feed_current")).orElseThrow())).isEmpty();
  }

  @Test
  void aLocalSessionCapsDeltaSnapshotPartitionsAndListingTasksAtItsCoresUnlessTheyAreSet() {
    SparkSession unset = spark.newSession();
    unset.conf().unset(Sessions.SNAPSHOT_PARTITIONS);
    unset.conf().unset(Sessions.LISTING_PARALLELISM);
    Sessions.capParallelismWhenLocal(unset);
    assertThat(unset.conf().get(Sessions.SNAPSHOT_PARTITIONS)).isEqualTo("2"); // local[2]
    assertThat(unset.conf().get(Sessions.LISTING_PARALLELISM)).isEqualTo("2");

    SparkSession set = spark.newSession();
    set.conf().set(Sessions.SNAPSHOT_PARTITIONS, "7");
    set.conf().set(Sessions.LISTING_PARALLELISM, "9");
    Sessions.capParallelismWhenLocal(set);
    assertThat(set.conf().get(Sessions.SNAPSHOT_PARTITIONS)).isEqualTo("7");
    assertThat(set.conf().get(Sessions.LISTING_PARALLELISM)).isEqualTo("9");
  }

  @Test
  void aLocalMasterGetsThePlatformsLocalSettingsUnlessTheEnvironmentSetsThem() {
    io.medallion.platform.Platform oss = io.medallion.platform.Platform.choose(
        io.medallion.pipeline.Environment.PlatformChoice.OSS, java.util.Map.of());
    java.util.Map<String, String> expected = oss.localSessionConf();
    assertThat(expected).containsKey("spark.hadoop.fs.file.impl");
    for (String master : List.of("local", "local[2]", "local[*]", "local[4,2]")) {
      assertThat(Sessions.localConf(master, java.util.Map.of(), oss)).as(master).isEqualTo(expected);
    }
    for (String master : List.of("spark://127.0.0.1:7077", "yarn", "k8s://https://api:6443", "localhost")) {
      assertThat(Sessions.localConf(master, java.util.Map.of(), oss)).as(master).isEmpty();
    }
    assertThat(Sessions.localConf("local[2]", java.util.Map.of("spark.hadoop.fs.file.impl", "my.Fs"), oss))
        .doesNotContainKey("spark.hadoop.fs.file.impl").hasSize(expected.size() - 1);
    io.medallion.platform.Platform databricks = io.medallion.platform.Platform.choose(
        io.medallion.pipeline.Environment.PlatformChoice.DATABRICKS, java.util.Map.of());
    assertThat(Sessions.localConf("local[2]", java.util.Map.of(), databricks)).isEmpty();
  }

  @Test
  void aNewSessionKeepsAThousandCompiledClassesNamedAlikeUnlessTheEnvironmentOrConfSetsIt() {
    assertThat(Sessions.anyMasterConf(java.util.Map.of())).isEqualTo(java.util.Map.of(
        "spark.sql.codegen.cache.maxEntries", "1000", "spark.sql.codegen.useIdInClassName", "false"));
    assertThat(Sessions.anyMasterConf(java.util.Map.of("spark.sql.codegen.cache.maxEntries", "300")))
        .isEqualTo(java.util.Map.of("spark.sql.codegen.useIdInClassName", "false"));
    System.setProperty("spark.sql.codegen.cache.maxEntries", "200"); // what spark-submit --conf sets
    System.setProperty("spark.sql.codegen.useIdInClassName", "true");
    try {
      assertThat(Sessions.anyMasterConf(java.util.Map.of())).isEmpty();
    } finally {
      System.clearProperty("spark.sql.codegen.cache.maxEntries");
      System.clearProperty("spark.sql.codegen.useIdInClassName");
    }
  }

  @Test
  void validateResolvesEverythingWithoutMovingData() {
    String out = cli(args("validate", "retail"));
    assertThat(out)
        .contains("ok  bronze.orders -> cli_bronze.sales.orders (11 columns)")
        .contains("ok  silver.orders -> cli_silver.sales.orders (6 columns)")
        .contains("ok  gold.daily_revenue -> cli_gold.sales.daily_revenue (4 columns)")
        .contains("Pipeline 'retail' is valid in environment 'cli': 5 tables");
    assertThat(spark.catalog().tableExists("cli_silver.sales.orders")).isFalse();
    assertThat(dir.resolve("checkpoints")).doesNotExist();
  }

  @Test
  void runOnlyALayerPrintsALinePerTable() {
    String out = cli(args("run", "retail", "--only", "bronze", "--max-concurrent-tables", "1"));
    assertThat(out)
        .contains("bronze.orders -> cli_bronze.sales.orders: read 3526 rows, wrote 3526 rows in ")
        .contains(", 54 rows with warnings")
        .contains("bronze.customers -> cli_bronze.sales.customers: read 400 rows, wrote 400 rows in ")
        .contains("Event log: cli_bronze.sales.event_log")
        .doesNotContain("silver.");
    assertThat(out.lines().findFirst().orElseThrow())
        .startsWith("Roots: warehouse " + dir.resolve("warehouse") + ", checkpoints " + dir.resolve("checkpoints")
            + ", landing " + Path.of("src/demo/retail/landing").toAbsolutePath())
        .endsWith("(working directory " + Path.of("").toAbsolutePath() + ")");

    // medallion sql: the README's event-log query, the pipeline's {layer.table} names, read-only.
    String counts = cli("sql", "SELECT origin.dataset_name AS dataset, e.name AS expectation, e.action,"
        + " SUM(e.passed_records) AS passed, SUM(e.failed_records) AS failed FROM cli_bronze.sales.event_log"
        + " LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
        + " WHERE event_type = 'flow_progress' GROUP BY 1, 2, 3 ORDER BY 1, 2",
        "--conf-dir", conf.toString(), "--env", "cli");
    assertThat(counts).contains("|dataset      |expectation|action|passed|failed|")
        .contains("|bronze.orders|parsable   |warn  |3472  |54    |");
    String rows = cli("sql", "SELECT count(*) AS n FROM {bronze.orders}", "--conf-dir", conf.toString(),
        "--pipeline", "retail", "--env", "cli");
    assertThat(rows).contains("|3526|");
    assertThatThrownBy(() -> cli("sql", "DELETE FROM cli_bronze.sales.orders", "--conf-dir", conf.toString(),
        "--env", "cli"))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("read-only queries only")
        .hasMessageContaining("(DELETE ...)");
    assertThat(spark.table("cli_bronze.sales.orders").count()).isEqualTo(3526);
  }

  @Test
  void sqlRefusesEverythingThatIsNotAQuery() {
    for (String statement : new String[] {
        "DROP TABLE cli_bronze.sales.orders",
        "INSERT INTO cli_bronze.sales.orders SELECT * FROM cli_bronze.sales.orders",
        "WITH x AS (SELECT 1 AS a) INSERT INTO cli_gold.sales.t SELECT * FROM x",
        "FROM cli_bronze.sales.orders INSERT INTO cli_gold.sales.t SELECT *",
        "/* a comment */ CREATE TABLE cli_gold.sales.t AS SELECT 1 AS a",
        "SET spark.sql.shuffle.partitions = 1",
        "VACUUM cli_bronze.sales.orders"}) {
      assertThatThrownBy(() -> cli("sql", statement, "--conf-dir", conf.toString(), "--env", "cli"))
          .as(statement)
          .isInstanceOf(MedallionException.class)
          .hasMessageContaining("medallion sql runs read-only queries only");
    }
    assertThatThrownBy(() -> cli("sql", "SELECT 1; DROP TABLE cli_gold.sales.t", "--conf-dir", conf.toString(),
        "--env", "cli"))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("does not parse");
    assertThat(cli("sql", "VALUES (1, 'a') AS t(n, s)", "--conf-dir", conf.toString(), "--env", "cli"))
        .contains("|1  |a  |");
    assertThatThrownBy(() -> cli("sql", "--env", "cli")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Missing the query of sql");
  }

  @Test
  void sqlSaysWhatItCannotResolveInOneParagraph() {
    // Spark's AnalysisException is checked: it used to escape the CLI as a stack trace on the console
    assertThatThrownBy(() -> cli("sql", "SELECT * FROM cli_silver.sales.nope", "--conf-dir", conf.toString(), "--env", "cli"))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("The query does not resolve: [TABLE_OR_VIEW_NOT_FOUND]")
        .hasMessageContaining("`cli_silver`.`sales`.`nope`")
        .hasMessageContaining("cannot be found. Verify the spelling and correctness of the schema and catalog.; line 1 pos 14.")
        .hasMessageContaining("the catalogs of environment 'cli'")
        .hasMessageNotContaining("UnresolvedRelation").hasMessageNotContaining("DROP VIEW");
    assertThatThrownBy(() -> cli("sql", "SELECT count(*) FROM {bronze.orders}", "--conf-dir", conf.toString(), "--env", "cli"))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("does not parse")
        .hasMessageContaining("add --pipeline <name> to resolve them");
  }

  @Test
  void helpDescribesTheCommands() {
    assertThat(cli("--help")).contains("Usage: medallion <command>").contains("  sql ")
        .contains("'medallion help <command>'").doesNotContain("Unknown command");
    assertThat(cli("help")).contains("Usage: medallion <command>");
    assertThat(cli("help", "sql")).startsWith("medallion sql \"<query>\" --env <name|file.conf>")
        .contains("Anything but a query is refused");
    assertThat(cli("run", "--help")).startsWith("medallion run --pipeline <name|file.conf>")
        .contains("--full-refresh T").contains("--max-concurrent-tables N");
    assertThat(cli("help", "validate")).contains("Moves no data");
    assertThatThrownBy(() -> cli("help", "launch")).isInstanceOf(UsageException.class)
        .hasMessageContaining("No command 'launch': expected one of run, validate, maintain, bundle, report, sql");
  }

  @Test
  void pipelineAndEnvironmentTakeANameOrAPath() {
    Path envFile = conf.resolve("env/cli.conf").toAbsolutePath();
    String out = cli("validate", "--pipeline", "conf/pipelines/retail.conf", "--env", envFile.toString());
    assertThat(out).contains("Pipeline 'retail' is valid in environment 'cli'");
    assertThat(cli("validate", "--conf-dir", conf.toString(), "--pipeline", "retail", "--env", envFile.toString()))
        .contains("Pipeline 'retail' is valid in environment 'cli'");
    assertThatThrownBy(() -> cli("validate", "--pipeline", "retail", "--env", "/nowhere/s3env.conf"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("/nowhere/s3env.conf")
        .hasMessageContaining("the environment file does not exist")
        .hasMessageContaining("relative to the working directory")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3env.conf.conf"));
  }

  @Test
  void theTableLineLabelsRowsReadWhenTheEventLogCountsOthers() {
    QualityMetrics m = new QualityMetrics(56, 0, 0, 0, List.of(), List.of());
    assertThat(new TableResult(TableRef.parse("gold.daily_revenue"), TableName.parse("a.b.c"), 3472, 56,
        Duration.ofMillis(1200), m).summary())
        .isEqualTo("gold.daily_revenue -> a.b.c: read 3472 rows (its input tables), 56 rows after its SQL"
            + " (event log num_input_rows), wrote 56 rows in 1.2 s");
    assertThat(new TableResult(TableRef.parse("bronze.orders"), TableName.parse("a.b.c"), 10, 10,
        Duration.ofMillis(1200), new QualityMetrics(10, 0, 0, 0, List.of(), List.of())).summary())
        .isEqualTo("bronze.orders -> a.b.c: read 10 rows, wrote 10 rows in 1.2 s");
  }

  @Test
  void validateNamesTheRuleTheTableThePathAndTheColumnsOfABadExpectation() {
    assertThatThrownBy(() -> cli(args("validate", "broken_rule")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("broken_rule.conf: pipeline.silver.orders.expectations.valid_amount")
        .hasMessageContaining("expectation valid_amount of table silver.orders does not resolve")
        .hasMessageContaining("`amout` cannot be resolved")
        .hasMessageContaining("`amount`");
  }

  @Test
  void validateNamesTheTableThePathAndTheColumnOfABadQuery() {
    assertThatThrownBy(() -> cli(args("validate", "broken_sql")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("silver.orders")
        .hasMessageContaining("pipeline.silver.orders.sql")
        .hasMessageContaining("amount_typo");
    assertThatThrownBy(() -> cli(args("validate", "broken_gold")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("Did you mean one of the following? [`o`.`amount`, `c`.`name`");
  }

  @Test
  void didYouMeanListsOnlyTheUsersColumns() {
    assertThatThrownBy(() -> cli(args("validate", "broken_star")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("expectation known_country of table silver.customers does not resolve")
        .hasMessageContaining("`countryy` cannot be resolved. Did you mean one of the following?"
            + " [`id`, `signup_date`, `name`, `country`, `customer_id`]")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("__medallion"))
        .satisfies(e -> assertThat(e.getCause().getMessage()).contains("`__medallion_in_silver_customers_broken_star_bronze_customers`.`name`"));
    assertThat(io.medallion.internal.Suggestions.userColumnsOnly(
        "Did you mean one of the following? [`__medallion_rank`, `a`, `__medallion_value`, `__medallion_x`.`b`, `c`]."))
        .isEqualTo("Did you mean one of the following? [`a`, `b`, `c`].");
    assertThatThrownBy(() -> cli(args("validate", "broken_keys")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("pipeline.silver.orders.keys")
        .hasMessageContaining("column 'order_idd'")
        .hasMessageContaining("order_id");
  }

  @Test
  void commandLineMistakesSayWhatIsExpected() {
    assertThatThrownBy(() -> cli("launch")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Unknown command 'launch': expected one of run, validate, maintain, bundle, report, sql")
        .hasMessageContaining("Usage: medallion");
    assertThatThrownBy(() -> cli("run", "--pipeline", "retail")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Missing --env");
    assertThatThrownBy(() -> cli("run", "--pipeline")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Option --pipeline needs a value");
    assertThatThrownBy(() -> cli(args("run", "retail", "--only", "silver.nope")))
        .isInstanceOf(UsageException.class) // exit 2, no stack trace file
        .hasMessageContaining("--only silver.nope: pipeline 'retail' has no such table. Its tables: [bronze.orders");
    assertThatThrownBy(() -> cli(args("run", "retail", "--full-refresh", "gold.nope")))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--full-refresh gold.nope: pipeline 'retail' has no such table");
    assertThatThrownBy(() -> cli(args("run", "retail", "--full-refresh", "platinum.x")))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("unknown layer 'platinum'");
    for (String bad : new String[] {"0", "two"}) {
      assertThatThrownBy(() -> cli(args("run", "retail", "--max-concurrent-tables", bad)))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("--max-concurrent-tables " + bad + ": expected a whole number of 1 or more");
    }
  }

  @Test
  void aMissingEnvironmentListsTheAvailableOnes() {
    assertThatThrownBy(() -> cli("run", "--conf-dir", conf.toString(), "--pipeline", "retail", "--env", "prod"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("prod")
        .hasMessageContaining("cli");
  }

  @Test
  void describeGivesOneParagraphFromTheMedallionCause() {
    Exception e = new RuntimeException("wrapper",
        new MedallionException("Table silver.orders failed: boom. Fix it."));
    assertThat(Cli.describe(e)).isEqualTo("Table silver.orders failed: boom. Fix it.");
    assertThat(Cli.describe(new IllegalStateException("odd"))).isEqualTo("IllegalStateException: odd");
  }
}
