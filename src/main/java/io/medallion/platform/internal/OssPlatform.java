package io.medallion.platform.internal;

import io.medallion.MedallionException;
import io.medallion.catalog.WarehouseCatalog;
import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import java.util.LinkedHashSet;
import org.apache.spark.sql.SparkSession;

/** Open-source Spark: medallion's warehouse catalogs provide three-level names. */
public final class OssPlatform implements Platform {
  @Override
  public String name() {
    return "oss";
  }

  @Override
  public void prepareCatalogs(SparkSession spark, Environment env) {
    for (String catalog : new LinkedHashSet<>(env.catalogs().values())) {
      String key = "spark.sql.catalog." + catalog;
      String configured = spark.conf().getOption(key).getOrElse(() -> null);
      String wanted = env.warehouseOf(catalog);
      if (configured == null) {
        WarehouseCatalog.register(spark, catalog, wanted);
      } else if (WarehouseCatalog.class.getName().equals(configured)) {
        String actual = spark.conf().getOption(key + ".warehouse").getOrElse(() -> null);
        if (actual != null && !actual.equals(wanted)) {
          throw PlatformErrors.catalogElsewhere(catalog, actual, env.name(), wanted);
        }
      }
      // A catalog the user configured with another implementation (--conf) is left as it is.
    }
  }

  @Override
  public boolean isDatabricks() {
    return false;
  }

  @Override
  public String secretScopeValue(String scope, String key) {
    throw PlatformErrors.noSecretScopes(scope, key);
  }

  @Override
  public String kafkaClientClass(String className) {
    return className;
  }

  @Override
  public String kinesisFormat() {
    return "io.medallion.connector.kinesis.KinesisSourceProvider";
  }

  @Override
  public String cloudFilesFormat() {
    return "io.medallion.connector.files.CloudFilesSourceProvider";
  }

  @Override
  public java.util.Set<String> cloudFilesUnsupportedOptions() {
    return java.util.Set.of();
  }

  @Override
  public java.util.Map<String, String> localSessionConf() {
    return NoForkLocalFileSystem.SESSION_CONF;
  }
}
