package io.medallion.config;

import io.medallion.config.PipelineBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.pipeline.ConfigurationException;
import io.medallion.source.FileSource;
import io.medallion.pipeline.PipelineDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes that used to pass silently and are refused when the pipeline is loaded (issue 15, items
 * 11 to 13): table SQL that is not a query, a table defined twice, names that collide.
 */
class LoadTimeRefusalsTest {
  private static final String ENV =
      "env {\n  name = t\n  warehouse-root = /w\n  checkpoint-root = /c\n  landing-root = /l\n"
          + "  catalogs { bronze = %s, silver = %s, gold = t_gold }\n}\n";
  private static final String BRONZE = "  bronze.orders.source { type = files, path = /x, format = json }\n";

  @TempDir Path conf;

  @BeforeEach
  void environment() throws IOException {
    Files.createDirectories(conf.resolve("pipelines"));
    Files.createDirectories(conf.resolve("env"));
    env("t_bronze", "t_silver");
  }

  private void env(String bronze, String silver) throws IOException {
    Files.writeString(conf.resolve("env/t.conf"), String.format(ENV, bronze, silver));
  }

  private ConfigurationException error(String tables) throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"), "pipeline {\n  name = p\n  schema = s\n" + tables + "}\n");
    ConfigurationException e =
        catchThrowableOfType(() -> ConfigLoader.load(conf, "p", "t", conf), ConfigurationException.class);
    assertThat(e).as("refused at load").isNotNull();
    return e;
  }

  @Test
  void tableSqlMustBeASingleQuery() throws IOException {
    ConfigurationException drop = error(BRONZE + "  gold.g.sql = \"DROP TABLE t_silver.s.orders\"\n");
    assertThat(drop.getMessage())
        .contains("pipeline.gold.g.sql", "table gold.g", "a DROP statement, not a query", "SELECT");
    ConfigurationException two = error(BRONZE
        + "  silver.o { from = bronze.orders, mode = append, sql = \"SELECT * FROM {bronze.orders}; DELETE FROM x\" }\n");
    assertThat(two.getMessage()).contains("pipeline.silver.o.sql", "not a single query");
    ConfigurationException insert = error(BRONZE
        + "  gold.g.sql = \"INSERT INTO x SELECT * FROM {bronze.orders}\"\n");
    assertThat(insert.getMessage()).contains("an INSERT statement, not a query");
    // queries still load, WITH and comments included
    Files.writeString(conf.resolve("pipelines/p.conf"), "pipeline {\n  name = p\n  schema = s\n" + BRONZE
        + "  gold.g.sql = \"\"\"-- daily\nWITH o AS (SELECT * FROM {bronze.orders}) SELECT COUNT(*) AS n FROM o\"\"\"\n}\n");
    assertThat(ConfigLoader.load(conf, "p", "t", conf).pipeline().tables()).hasSize(2);
  }

  @Test
  void tableSqlIsCheckedForPipelinesBuiltInCodeToo() {
    ConfigurationException e = catchThrowableOfType(() -> PipelineBuilder.pipeline("p").schema("s")
        .bronze("orders", FileSource.of("/x", "json"))
        .gold("g", "CREATE TABLE x AS SELECT * FROM {bronze.orders}")
        .build(), ConfigurationException.class);
    assertThat(e).hasMessageContaining("a CREATE statement, not a query");
  }

  @Test
  void aTableDefinedTwiceIsRefusedNamingBothLines() throws IOException {
    ConfigurationException e = error(BRONZE
        + "  silver {\n    orders { from = bronze.orders, keys = [id] }\n  }\n"
        + "  gold.g.sql = \"SELECT * FROM {silver.orders}\"\n"
        + "  silver { orders { keys = [customer_id] } }\n");
    assertThat(e.getMessage()).contains("silver.orders is defined twice", "line 6", "line 9");
    assertThat(e.line()).hasValue(9);

    ConfigurationException dotted = error(BRONZE + "  silver.orders { from = bronze.orders, keys = [id] }\n"
        + "  # silver.orders.mode = append   (a comment is not a definition)\n"
        + "  silver.orders.mode = append\n");
    assertThat(dotted.getMessage()).contains("silver.orders is defined twice", "line 5", "line 7");
  }

  @Test
  void layersSharingACatalogCannotHoldTablesOfTheSameName() throws IOException {
    env("shared", "shared");
    ConfigurationException e = error(BRONZE + "  silver.orders { from = bronze.orders, keys = [id] }\n");
    assertThat(e.getMessage()).contains("table silver.orders and table bronze.orders would both be shared.s.orders",
        "share catalog 'shared'", "env.catalogs");
  }

  @Test
  void generatedTableNamesAreReserved() throws IOException {
    ConfigurationException log = error(BRONZE + "  bronze.event_log.source { type = files, path = /y, format = json }\n");
    assertThat(log.getMessage()).contains("table bronze.event_log and the pipeline's event log", "t_bronze.s.event_log");
    ConfigurationException quarantine =
        error(BRONZE + "  bronze.orders_quarantine.source { type = files, path = /y, format = json }\n");
    assertThat(quarantine.getMessage()).contains("the quarantine table of bronze.orders", "t_bronze.s.orders_quarantine",
        "rename the table");
  }

  @Test
  void twoPipelineFilesWithOneNameAreRefused() throws IOException {
    Files.writeString(conf.resolve("pipelines/other.conf"), "pipeline {\n  name = p\n  schema = z\n" + BRONZE + "}\n");
    ConfigurationException e = error(BRONZE);
    assertThat(e.getMessage()).contains("pipeline name 'p' is also the name of", "other.conf", "share checkpoints");
  }
}
