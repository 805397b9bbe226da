package io.medallion.platform;

import io.medallion.pipeline.Environment;
import io.medallion.platform.internal.DatabricksPlatform;
import io.medallion.platform.internal.OssPlatform;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Everything that differs between the Databricks Runtime and open-source Spark (spark-submit, EMR,
 * local tests), chosen once at start-up.
 *
 * <p>On open-source Spark, each catalog of the environment is registered as a medallion {@link
 * io.medallion.catalog.WarehouseCatalog} over {@code <warehouse-root>/<catalog>}. On Databricks,
 * Unity Catalog serves three-level names natively and nothing is registered.
 */
public interface Platform {
  /** {@code databricks} or {@code oss}. */
  String name();

  /** Makes the environment's catalogs usable by three-level names in this session. */
  void prepareCatalogs(SparkSession spark, Environment env);

  /** True on the Databricks Runtime: never stop the session or exit the JVM there. */
  boolean isDatabricks();

  /**
   * The value of secret {@code key} in Databricks secret scope {@code scope}.
   *
   * @throws io.medallion.MedallionException when secret scopes do not exist on this platform or the
   *     secret cannot be read; the message names scope and key, never a value
   */
  String secretScopeValue(String scope, String key);

  /**
   * The name under which a Kafka client class (a SASL login module or callback handler named in
   * {@code sasl.jaas.config}) is loadable by the Kafka source of this platform. The Databricks
   * Runtime shades Kafka's classes ({@code kafkashaded.org.apache.kafka...}) and the MSK IAM library
   * ({@code shadedmskiam.software.amazon.msk...}); open-source Spark uses the plain names.
   */
  String kafkaClientClass(String className);

  /**
   * The format name that reads Kinesis here: the runtime's own {@code kinesis} source on Databricks,
   * medallion's source (by class name, so it never clashes) on open-source Spark.
   */
  String kinesisFormat();

  /**
   * The format name of Auto Loader here: the runtime's own {@code cloudFiles} on Databricks,
   * medallion's source (by class name, so it never clashes) on open-source Spark.
   */
  String cloudFilesFormat();

  /**
   * Options that only medallion's {@code cloudFiles} source understands (removed with a warning
   * when the runtime's Auto Loader reads the files): {@code cloudFiles.openCostInBytes},
   * {@code cloudFiles.sqsEndpoint}. Empty on open-source Spark.
   */
  java.util.Set<String> cloudFilesUnsupportedOptions();

  /**
   * Spark settings for a new session on a {@code local} master (one JVM: a laptop, a test, a
   * {@code local[n]} job), applied by the CLI unless the environment or {@code --conf} sets them.
   * On open-source Spark: Hadoop's local file system without a {@code chmod} or {@code readlink}
   * process per file written or renamed. Empty on Databricks.
   */
  Map<String, String> localSessionConf();

  /**
   * The platform for an environment: its explicit choice, or, for {@code auto}, Databricks when the
   * process runs on the Databricks Runtime ({@code DATABRICKS_RUNTIME_VERSION} is set).
   *
   * @param processEnv the process environment, normally {@code System.getenv()}
   */
  static Platform choose(Environment.PlatformChoice choice, Map<String, String> processEnv) {
    return switch (choice) {
      case OSS -> new OssPlatform();
      case DATABRICKS -> new DatabricksPlatform();
      case AUTO -> runsOnDatabricks(processEnv) ? new DatabricksPlatform() : new OssPlatform();
    };
  }

  /** True when the process environment says it is the Databricks Runtime. */
  static boolean runsOnDatabricks(Map<String, String> processEnv) {
    String version = processEnv.get("DATABRICKS_RUNTIME_VERSION");
    return version != null && !version.isBlank();
  }
}
