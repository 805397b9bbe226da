package io.medallion.cli;

import io.medallion.MedallionException;
import io.medallion.config.ConfigLoader;
import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Gets the Spark session for a CLI run: the existing one, or a new one set up for Delta. */
final class Sessions {
  private Sessions() {}

  /**
   * On Databricks, the cluster's session. Elsewhere {@code getOrCreate()} with Delta enabled and the
   * environment's Spark settings; the environment's master only when none was given (spark-submit
   * sets one). Never stopped by medallion.
   *
   * <p>On a local master (one JVM), Delta's state reconstruction uses at most as many tasks as the
   * session has cores ({@value #SNAPSHOT_PARTITIONS}) unless the environment or {@code --conf} sets
   * it: Delta's default of 50 is sized for clusters, and on a laptop or a {@code local[2]} job those
   * 50 tasks per snapshot were most of a small run's fixed cost (docs/performance.md).
   */
  static SparkSession obtain(Environment env, Platform platform, String appName) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    boolean exists = SparkSession.getDefaultSession().isDefined();
    if (!platform.isDatabricks() && !exists) {
      for (Map.Entry<String, String> e : ConfigLoader.sessionConf().entrySet()) {
        builder.config(e.getKey(), e.getValue());
      }
      for (Map.Entry<String, String> e : env.sparkConf().entrySet()) {
        builder.config(e.getKey(), e.getValue());
      }
      if (System.getProperty("spark.master") == null) {
        builder.master(env.master().orElse("local[*]"));
      }
    }
    SparkSession spark = builder.getOrCreate();
    if (!platform.isDatabricks() && !exists) {
      capSnapshotPartitionsWhenLocal(spark);
    }
    if (!platform.isDatabricks()) {
      String deltaExtension = ConfigLoader.sessionConf().get("spark.sql.extensions");
      String extensions = spark.conf().get("spark.sql.extensions", "");
      if (!extensions.contains(deltaExtension)) {
        throw CliErrors.sessionWithoutDelta(extensions, deltaExtension);
      }
    }
    return spark;
  }

  static final String SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";

  /** Delta's snapshot partitions capped at the local session's cores, unless set explicitly. */
  static void capSnapshotPartitionsWhenLocal(SparkSession spark) {
    if (spark.sparkContext().isLocal() && !spark.conf().contains(SNAPSHOT_PARTITIONS)) {
      int cores = Math.max(1, spark.sparkContext().defaultParallelism());
      spark.conf().set(SNAPSHOT_PARTITIONS, String.valueOf(Math.min(50, cores)));
    }
  }
}
