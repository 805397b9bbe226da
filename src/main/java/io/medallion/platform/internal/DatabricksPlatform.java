package io.medallion.platform.internal;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import java.util.function.BinaryOperator;
import org.apache.spark.sql.SparkSession;

/**
 * The Databricks Runtime: Unity Catalog resolves three-level names; secret scopes are read through
 * {@code dbutils.secrets}; Kafka's client classes are shaded; Kinesis is the runtime's own source.
 */
public final class DatabricksPlatform implements Platform {
  private final BinaryOperator<String> secrets;

  /** The platform reading secrets through the runtime's {@code dbutils}. */
  public DatabricksPlatform() {
    this(DatabricksPlatform::dbutilsSecret);
  }

  /**
   * A platform reading secrets with {@code secrets.apply(scope, key)}: for tests, where no
   * Databricks workspace exists.
   */
  public DatabricksPlatform(BinaryOperator<String> secrets) {
    this.secrets = secrets;
  }

  @Override
  public String name() {
    return "databricks";
  }

  @Override
  public void prepareCatalogs(SparkSession spark, Environment env) {
    // Unity Catalog catalogs exist (or not) in the metastore; medallion never creates catalogs.
  }

  @Override
  public boolean isDatabricks() {
    return true;
  }

  @Override
  public String secretScopeValue(String scope, String key) {
    try {
      String value = secrets.apply(scope, key);
      if (value == null) {
        throw PlatformErrors.noSecretValue();
      }
      return value;
    } catch (MedallionException e) {
      throw e;
    } catch (Exception e) {
      throw PlatformErrors.cannotReadSecret(scope, key, e);
    }
  }

  @Override
  public String kafkaClientClass(String className) {
    if (className.startsWith("org.apache.kafka.")) {
      return "kafkashaded." + className;
    }
    if (className.startsWith("software.amazon.msk.")) {
      return "shadedmskiam." + className;
    }
    return className;
  }

  @Override
  public String kinesisFormat() {
    return "kinesis";
  }

  @Override
  public String cloudFilesFormat() {
    return "cloudFiles";
  }

  @Override
  public java.util.Set<String> cloudFilesUnsupportedOptions() {
    return java.util.Set.of("cloudFiles.openCostInBytes", "cloudFiles.sqsEndpoint");
  }

  @Override
  public java.util.Map<String, String> localSessionConf() {
    return java.util.Map.of();
  }

  /** {@code dbutils.secrets.get(scope, key)} through the runtime's DBUtilsHolder, by reflection. */
  private static String dbutilsSecret(String scope, String key) {
    try {
      Class<?> holder = Class.forName("com.databricks.dbutils_v1.DBUtilsHolder");
      Object dbutils = holder.getMethod("dbutils").invoke(null);
      Object secretUtils = dbutils.getClass().getMethod("secrets").invoke(dbutils);
      return (String) secretUtils.getClass().getMethod("get", String.class, String.class)
          .invoke(secretUtils, scope, key);
    } catch (ReflectiveOperationException e) {
      throw PlatformErrors.noDbutils(e);
    }
  }
}
