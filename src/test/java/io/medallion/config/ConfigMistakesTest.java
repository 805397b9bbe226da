package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per kind of mistake: each asserts the message names the file, the config path and what
 * is expected (or how to fix it).
 */
class ConfigMistakesTest {
  private static final String ENV =
      "env {\n"
          + "  name = t\n"
          + "  storage-root = /data\n"
          + "  warehouse-root = ${env.storage-root}/warehouse\n"
          + "  checkpoint-root = ${env.storage-root}/checkpoints\n"
          + "  landing-root = /landing\n"
          + "  catalogs { bronze = t_bronze, silver = t_silver, gold = t_gold }\n"
          + "}\n";
  private static final String BRONZE_ORDERS =
      "bronze.orders.source { type = files, path = ${env.landing-root}/orders, format = json }\n";

  @TempDir Path conf;

  @BeforeEach
  void environment() throws IOException {
    ConfFolders.withEnvironment(conf, ENV);
  }

  /** bronze.orders with more keys. */
  private static String bronzeOrders(String keys) {
    return "bronze.orders {\n  source { type = files, path = /x, format = json }\n  " + keys + "\n}\n";
  }

  private ConfigurationException pipelineError(String tables) {
    return rawPipelineError("pipeline {\n  name = p\n  schema = s\n" + tables + "}\n");
  }

  private ConfigurationException rawPipelineError(String text) {
    write("pipelines/p.conf", text);
    ConfigurationException e =
        catchThrowableOfType(() -> ConfigLoader.load(conf, "p", "t", conf), ConfigurationException.class);
    assertThat(e).as("a ConfigurationException").isNotNull();
    assertThat(e.origin()).endsWith("p.conf");
    assertThat(e.getMessage()).contains("p.conf");
    return e;
  }

  private ConfigurationException envError(String text) {
    write("env/t.conf", text);
    ConfigurationException e =
        catchThrowableOfType(
            () -> ConfigLoader.loadEnvironment(conf.resolve("env/t.conf"), conf), ConfigurationException.class);
    assertThat(e).as("a ConfigurationException").isNotNull();
    assertThat(e.origin()).endsWith("t.conf");
    assertThat(e.getMessage()).contains("t.conf");
    return e;
  }

  private void write(String name, String text) {
    try {
      Files.writeString(conf.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void unknownTableKeySuggestsTheClosest() {
    ConfigurationException e =
        pipelineError(BRONZE_ORDERS + "silver.orders { from = bronze.orders, keys = [id], sequnce-by = ts }\n");
    assertThat(e.path()).isEqualTo("pipeline.silver.orders.sequnce-by");
    assertThat(e.line()).hasValue(5);
    assertThat(e.getMessage())
        .contains("p.conf:5: pipeline.silver.orders.sequnce-by")
        .contains("unknown key 'sequnce-by'")
        .contains("Did you mean 'sequence-by'?")
        .contains("Allowed keys: cdc, change-data-feed, checks, cluster-by, column-comments, comment, constraints, execution, expectation-groups, expectations, from, keys, mode, partition-by, properties, sequence-by, sql, trigger, trigger-interval, z-order-by.");
  }

  @Test
  void unknownEnvironmentKey() {
    ConfigurationException e = envError(ENV.replace("catalogs {", "catalog {"));
    assertThat(e.getMessage())
        .contains("env.catalog")
        .contains("unknown key 'catalog' in an environment")
        .contains("Did you mean 'catalogs'?");
  }

  @Test
  void unknownTopLevelKeyOfPipelineFile() {
    ConfigurationException e = rawPipelineError("pipline { name = p }\n");
    assertThat(e.getMessage()).contains("pipline").contains("Did you mean 'pipeline'?");
  }

  @Test
  void stringWhereAListIsExpected() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "silver.orders { from = bronze.orders, keys = order_id }\n");
    assertThat(e.getMessage())
        .contains("pipeline.silver.orders.keys")
        .contains("expected a list of the columns identifying a row")
        .contains("found the string 'order_id'")
        .contains("keys = [order_id]");
  }

  @Test
  void objectWhereAStringIsExpected() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "gold.g { sql { text = x } }\n");
    assertThat(e.getMessage()).contains("pipeline.gold.g.sql").contains("expected a SELECT").contains("found an object");
  }

  @Test
  void bronzeWithoutSource() {
    ConfigurationException e = pipelineError("bronze.orders { comment = raw }\n");
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.source")
        .contains("missing required key 'source'")
        .contains("source { type = files, path = ..., format = json }");
  }

  @Test
  void goldWithoutSql() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "gold.g { comment = x }\n");
    assertThat(e.getMessage())
        .contains("pipeline.gold.g.sql")
        .contains("missing required key 'sql'")
        .contains("SELECT ... FROM {silver.orders}");
  }

  @Test
  void badEnumValueListsTheAllowedValues() {
    ConfigurationException e = pipelineError(bronzeOrders("trigger = sometimes"));
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.trigger")
        .contains("'sometimes' is not a valid trigger")
        .contains("available-now | once | processing-time");
  }

  @Test
  void badDuration() {
    ConfigurationException e =
        pipelineError(bronzeOrders("trigger = processing-time, trigger-interval = soon"));
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.trigger-interval")
        .contains("'soon' is not a duration")
        .contains("\"1 minute\"");
  }

  @Test
  void intervalWithoutProcessingTimeTrigger() {
    ConfigurationException e = pipelineError(bronzeOrders("trigger-interval = 10 seconds"));
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.trigger-interval")
        .contains("remove it or set trigger = processing-time");
  }

  @Test
  void goldTablesTakeNoExecution() {
    ConfigurationException e =
        pipelineError(BRONZE_ORDERS + "gold.g { sql = \"SELECT * FROM {bronze.orders}\", execution = streaming }\n");
    assertThat(e.getMessage())
        .contains("pipeline.gold.g.execution")
        .contains("gold tables are recomputed in batch")
        .contains("remove it");
  }

  @Test
  void aPropertySparkReservesIsRefusedAtLoad() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS
        + "silver.orders {\n  from = bronze.orders\n  keys = [id]\n  properties { owner = \"sales\" }\n}\n");
    assertThat(e.path()).isEqualTo("pipeline.silver.orders.properties");
    assertThat(e.getMessage()).contains("p.conf:8").contains("'owner' is a table property that Spark reserves")
        .contains("remove it from properties");
  }

  @Test
  void upsertWithoutKeys() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "silver.orders { from = bronze.orders }\n");
    assertThat(e.path()).isEqualTo("pipeline.silver.orders.keys");
    assertThat(e.line()).hasValue(5);
    assertThat(e.getMessage()).contains("p.conf:5").contains("add keys = [").contains("mode = append");
  }

  @Test
  void referenceToAMissingTable() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "silver.orders { from = bronze.order, keys = [id] }\n");
    assertThat(e.path()).isEqualTo("pipeline.silver.orders.from");
    assertThat(e.getMessage())
        .contains("p.conf:5")
        .contains("reads bronze.order, which is not a table of pipeline 'p'")
        .contains("Did you mean 'bronze.orders'?")
        .contains("Known tables: [bronze.orders, silver.orders]");
  }

  @Test
  void referenceWithABadLayer() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "silver.orders { from = bronz.orders, keys = [id] }\n");
    assertThat(e.getMessage())
        .contains("pipeline.silver.orders.from")
        .contains("unknown layer 'bronz', expected bronze, silver or gold")
        .contains("Did you mean 'bronze'?");
  }

  @Test
  void cycle() {
    ConfigurationException e =
        pipelineError(
            BRONZE_ORDERS
                + "silver.a { from = silver.b, keys = [id] }\n"
                + "silver.b { from = silver.a, keys = [id] }\n");
    assertThat(e.getMessage())
        .contains("pipeline.silver.a")
        .contains("cycle: silver.a -> silver.b -> silver.a")
        .contains("remove one of these references");
  }

  @Test
  void streamingFromATableThatRewritesRows() {
    ConfigurationException e =
        pipelineError(
            BRONZE_ORDERS
                + "silver.orders { from = bronze.orders, keys = [id] }\n"
                + "silver.latest { from = silver.orders, keys = [id] }\n");
    assertThat(e.getMessage())
        .contains("pipeline.silver.latest.from")
        .contains("silver.latest reads silver.orders incrementally")
        .contains("Set execution = batch on silver.latest");
    // a CDC target MERGEs its changes: no append-only hint, since no mode makes it one
    ConfigurationException cdc =
        pipelineError(
            BRONZE_ORDERS
                + "silver.orders { from = bronze.orders, keys = [id], sequence-by = id, cdc { } }\n"
                + "silver.latest { from = silver.orders, keys = [id] }\n");
    assertThat(cdc.getMessage())
        .contains("silver.latest reads silver.orders incrementally")
        .contains("(a CDC target: its changes are applied by MERGE)")
        .contains("Set execution = batch on silver.latest.")
        .doesNotContain("mode = append");
  }

  @Test
  void badTableName() {
    ConfigurationException e =
        pipelineError("bronze { \"Orders!\" { source { type = files, path = /x, format = json } } }\n");
    assertThat(e.path()).isEqualTo("pipeline.bronze.\"Orders!\"");
    assertThat(e.getMessage()).contains("'Orders!'").contains("lower-case letters, digits, '_' and '-'");
  }

  @Test
  void badCatalogName() {
    ConfigurationException e = envError(ENV.replace("bronze = t_bronze", "bronze = \"t bronze\""));
    assertThat(e.getMessage())
        .contains("env.catalogs.bronze")
        .contains("catalog 't bronze' is not a valid catalog name")
        .contains("letters, digits, '_' and '-'");
  }

  @Test
  void missingCatalog() {
    ConfigurationException e = envError(ENV.replace(", gold = t_gold", ""));
    assertThat(e.getMessage()).contains("env.catalogs.gold").contains("missing required key 'gold'");
  }

  @Test
  void unresolvedSubstitutionNamesTheVariable() {
    ConfigurationException e =
        pipelineError("bronze.orders.source { type = files, path = ${env.landing}/orders, format = json }\n");
    assertThat(e.line()).hasValue(4);
    assertThat(e.path()).isEqualTo("pipeline.bronze.orders.source.path");
    assertThat(e.getMessage())
        .contains("p.conf:4")
        .contains("cannot resolve ${env.landing}")
        .contains("Did you mean ${env.landing-root}?");
  }

  @Test
  void syntaxErrorNamesTheLine() {
    ConfigurationException e = rawPipelineError("pipeline {\n  name = p\n  schema = s,,\n}\n");
    assertThat(e.line()).isPresent();
    assertThat(e.getMessage()).contains("p.conf:" + e.line().getAsInt() + ": HOCON syntax error");
  }

  @Test
  void aNameInAConfDirWithoutFilesSaysWhereItLooked(@TempDir Path empty) {
    ConfigurationException e =
        catchThrowableOfType(() -> ConfigLoader.load(empty, "retail", "dev"), ConfigurationException.class);
    assertThat(e.getMessage())
        .contains(empty.resolve("pipelines/retail.conf").toAbsolutePath().toString())
        .contains("no pipeline 'retail'")
        .contains("There are no pipeline files (*.conf) in " + empty.resolve("pipelines").toAbsolutePath())
        .contains("relative to the working directory " + Path.of("").toAbsolutePath());
  }

  @Test
  void missingFilesListWhatExists() throws IOException {
    write("pipelines/retail.conf", "pipeline { name = retail, schema = s }");
    ConfigurationException e =
        catchThrowableOfType(() -> ConfigLoader.load(conf, "retial", "t"), ConfigurationException.class);
    assertThat(e.getMessage())
        .contains("retial.conf")
        .contains("no pipeline 'retial'")
        .contains("Available pipelines: retail.")
        .contains("Did you mean 'retail'?");

    e = catchThrowableOfType(() -> ConfigLoader.load(conf, "retail", "prod"), ConfigurationException.class);
    assertThat(e.getMessage()).contains("prod.conf").contains("Available environments: t.");

    e =
        catchThrowableOfType(
            () -> ConfigLoader.loadEnvironment(conf.resolve("env/dev.conf")), ConfigurationException.class);
    assertThat(e.getMessage()).contains("dev.conf").contains("does not exist").contains("t.conf");
  }

  @Test
  void unknownSourceTypeListsTheTypes() {
    ConfigurationException e = pipelineError("bronze.orders.source { type = rabbitmq, queue = orders }\n");
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.source.type")
        .contains("unknown source type 'rabbitmq'")
        .contains("the source types are files, kafka");
  }

  @Test
  void unknownSourceOption() {
    ConfigurationException e =
        pipelineError("bronze.orders.source { type = files, path = /x, format = json, option { a = 1 } }\n");
    assertThat(e.getMessage()).contains("pipeline.bronze.orders.source.option").contains("Did you mean 'options'?");
  }

  @Test
  void listAsAnOptionValue() {
    ConfigurationException e =
        pipelineError("bronze.orders.source { type = files, path = /x, format = json, options { a = [1] } }\n");
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.source.options.a")
        .contains("expected a string, number or boolean value");
  }

  @Test
  void badSqlPlaceholder() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "gold.g { sql = \"SELECT * FROM {silvr.orders}\" }\n");
    assertThat(e.path()).isEqualTo("pipeline.gold.g.sql");
    assertThat(e.getMessage())
        .contains("p.conf:5")
        .contains("{silvr.orders}")
        .contains("unknown layer 'silvr'")
        .contains("{layer.table}");
  }

  @Test
  void malformedSqlPlaceholder() {
    ConfigurationException e = pipelineError(BRONZE_ORDERS + "gold.g { sql = \"SELECT * FROM {orders}\" }\n");
    assertThat(e.getMessage())
        .contains("pipeline.gold.g.sql")
        .contains("'{orders}' is not a table placeholder")
        .contains("{silver.orders}");
  }

  @Test
  void silverSqlMustReadItsFromTable() {
    ConfigurationException e =
        pipelineError(
            BRONZE_ORDERS
                + "bronze.other.source { type = files, path = /o, format = json }\n"
                + "silver.orders { from = bronze.orders, keys = [id], sql = \"SELECT * FROM {bronze.other}\" }\n");
    assertThat(e.getMessage()).contains("pipeline.silver.orders.sql").contains("{bronze.orders}");
  }

  @Test
  void severalFromTablesAreEachReadOnceUnionedBySqlAndStreamable() {
    String other = BRONZE_ORDERS + "bronze.other.source { type = files, path = /o, format = json }\n";
    String union = "sql = \"SELECT * FROM {bronze.orders} UNION ALL SELECT * FROM {bronze.other}\"";
    assertThat(pipelineError(other + "silver.orders { from = [bronze.orders, bronze.other], keys = [id] }\n")
        .getMessage()).contains("pipeline.silver.orders.sql", "from lists 2 tables [bronze.orders, bronze.other]",
            "add sql, e.g. sql = \"SELECT ... FROM {bronze.orders} UNION ALL SELECT ... FROM {bronze.other}\"");
    assertThat(pipelineError(other + "silver.orders { from = [bronze.orders, bronze.other], keys = [id],"
        + " sql = \"SELECT * FROM {bronze.orders}\" }\n").getMessage())
        .contains("pipeline.silver.orders.sql", "placeholder {bronze.other}");
    assertThat(pipelineError(other + "silver.orders { from = [bronze.orders, bronze.orders], keys = [id] }\n")
        .getMessage()).contains("pipeline.silver.orders.from", "bronze.orders is listed twice");
    assertThat(pipelineError(other + "silver.orders { from = [], keys = [id] }\n").getMessage())
        .contains("pipeline.silver.orders.from", "'from' is an empty list", "from = [bronze.orders, bronze.orders_backfill]");
    assertThat(pipelineError(other + "silver.orders { from = [bronze.orders, other], keys = [id] }\n").getMessage())
        .contains("pipeline.silver.orders.from", "'other'");
    assertThat(pipelineError(other + "silver.orders { from = [bronze.orders, bronze.nope], keys = [id], " + union
        .replace("other", "nope") + " }\n").getMessage()).contains("pipeline.silver.orders.from", "bronze.nope");
    // each table of from is streamed, so each must be append-only
    assertThat(pipelineError(other + "silver.up { from = bronze.other, keys = [id] }\n"
        + "silver.orders { from = [bronze.orders, silver.up], keys = [id],"
        + " sql = \"SELECT * FROM {bronze.orders} UNION ALL SELECT * FROM {silver.up}\" }\n").getMessage())
        .contains("pipeline.silver.orders.from", "silver.orders reads silver.up incrementally");
    assertThat(pipelineError(other + "silver.orders { from = [bronze.orders, bronze.other], keys = [id], " + union
        + ", cdc { from-snapshot {} } }\n").getMessage())
        .contains("pipeline.silver.orders.from", "a from-snapshot table re-reads one table whole");
  }

  @Test
  void batchTablesTakeNoTrigger() {
    ConfigurationException e = pipelineError(bronzeOrders("execution = batch, trigger = once"));
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.trigger")
        .contains("applies only to streaming tables")
        .contains("execution = streaming");
  }

  @Test
  void pipelineWithoutTables() {
    ConfigurationException e = pipelineError("");
    assertThat(e.getMessage()).contains("pipeline: the pipeline has no tables");
  }

  @Test
  void badPipelineName() {
    ConfigurationException e = rawPipelineError("pipeline { name = \"Retail!\", schema = s, " + BRONZE_ORDERS + "}");
    assertThat(e.getMessage()).contains("pipeline.name").contains("lower-case letters");
  }

  @Test
  void badPlatform() {
    ConfigurationException e = envError(ENV.replace("name = t", "name = t, platform = databrick"));
    assertThat(e.getMessage())
        .contains("env.platform")
        .contains("auto | oss | databricks")
        .contains("Did you mean 'databricks'?");
  }
}
