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
    String out = cli(args("run", "retail", "--only", "bronze"));
    assertThat(out)
        .contains("bronze.orders -> cli_bronze.sales.orders: read 3526 rows, wrote 3526 rows in ")
        .contains(", 54 rows with warnings")
        .contains("bronze.customers -> cli_bronze.sales.customers: read 400 rows, wrote 400 rows in ")
        .contains("Event log: cli_bronze.sales.event_log")
        .doesNotContain("silver.");
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
    assertThatThrownBy(() -> cli(args("validate", "broken_keys")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("pipeline.silver.orders.keys")
        .hasMessageContaining("column 'order_idd'")
        .hasMessageContaining("order_id");
  }

  @Test
  void commandLineMistakesSayWhatIsExpected() {
    assertThatThrownBy(() -> cli("launch")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Unknown command 'launch': expected run or validate")
        .hasMessageContaining("Usage: medallion");
    assertThatThrownBy(() -> cli("run", "--pipeline", "retail")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Missing --env");
    assertThatThrownBy(() -> cli("run", "--pipeline")).isInstanceOf(UsageException.class)
        .hasMessageContaining("Option --pipeline needs a value");
    assertThatThrownBy(() -> cli(args("run", "retail", "--only", "silver.nope")))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("--only silver.nope: pipeline 'retail' has no such table");
    assertThatThrownBy(() -> cli(args("run", "retail", "--full-refresh", "platinum.x")))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("unknown layer 'platinum'");
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
