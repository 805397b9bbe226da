package io.medallion.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The platform seam: detection, and what each platform does with the environment's catalogs. */
class PlatformTest {
  static Environment env(String prefix, Path root, Environment.PlatformChoice choice) {
    return new Environment("p", choice,
        Map.of(Layer.BRONZE, prefix + "_bronze", Layer.SILVER, prefix + "_silver", Layer.GOLD, prefix + "_gold"),
        root.resolve("warehouse").toString(), root.resolve("checkpoints").toString(),
        root.resolve("landing").toString(), Optional.empty(), Map.of());
  }

  @Test
  void autoDetectsTheDatabricksRuntimeFromItsEnvironment() {
    assertThat(Platform.choose(Environment.PlatformChoice.AUTO, Map.of("DATABRICKS_RUNTIME_VERSION", "15.4")).name())
        .isEqualTo("databricks");
    assertThat(Platform.choose(Environment.PlatformChoice.AUTO, Map.of()).name()).isEqualTo("oss");
    assertThat(Platform.choose(Environment.PlatformChoice.OSS, Map.of("DATABRICKS_RUNTIME_VERSION", "15.4")).name())
        .isEqualTo("oss");
    assertThat(Platform.choose(Environment.PlatformChoice.DATABRICKS, Map.of()).isDatabricks()).isTrue();
  }

  @Test
  void databricksUsesUnityCatalogNamesAsTheyAreAndRegistersNoPlugin(@TempDir Path root) {
    SparkSession spark = LocalSpark.session();
    Platform.choose(Environment.PlatformChoice.AUTO, Map.of("DATABRICKS_RUNTIME_VERSION", "16.4"))
        .prepareCatalogs(spark, env("uc", root, Environment.PlatformChoice.AUTO));
    assertThat(spark.conf().getOption("spark.sql.catalog.uc_bronze").isDefined()).isFalse();
  }

  @Test
  void ossRegistersEachCatalogOverItsWarehouseAndRefusesToMoveIt(@TempDir Path root) {
    SparkSession spark = LocalSpark.session();
    Environment env = env("pt", root, Environment.PlatformChoice.OSS);
    Platform oss = Platform.choose(env.platform(), Map.of());
    oss.prepareCatalogs(spark, env);
    assertThat(spark.conf().get("spark.sql.catalog.pt_silver")).isEqualTo("io.medallion.catalog.WarehouseCatalog");
    assertThat(spark.conf().get("spark.sql.catalog.pt_silver.warehouse")).endsWith("warehouse/pt_silver");
    oss.prepareCatalogs(spark, env); // idempotent

    Environment moved = env("pt", root.resolve("elsewhere"), Environment.PlatformChoice.OSS);
    assertThatThrownBy(() -> oss.prepareCatalogs(spark, moved))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("Catalog 'pt_bronze' is already registered")
        .hasMessageContaining("use distinct catalog names");
  }
}
