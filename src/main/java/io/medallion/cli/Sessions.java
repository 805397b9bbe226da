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
   * 50 tasks per snapshot were most of a small run's fixed cost (docs/performance.md). So does the
   * parallel file listing of VACUUM (and of Spark's file index for many paths, {@value
   * #LISTING_PARALLELISM}; Spark's default of 10,000 tasks made {@code maintain} of four small tables
   * take minutes on 2 cores, docs/gold.md). A new session
   * on a local master also gets the platform's {@link Platform#localSessionConf()} (settings the
   * environment or {@code --conf} sets are kept).
   *
   * <p>A new session on any master keeps up to {@value #CODEGEN_CACHE_ENTRIES} compiled classes of
   * generated code ({@value #CODEGEN_CACHE}, Spark's default 100) unless the environment or {@code
   * --conf} sets it: one CDC batch alone generates ~150 classes, so with 100 every micro-batch
   * compiled them all again (docs/performance.md, "Spark's generated code, compiled once"). It
   * also names every whole-stage class alike ({@value #CODEGEN_ID_IN_CLASS_NAME} = false, Spark's
   * default true puts the stage's number in the class name), so that the same pipeline in two
   * places of a plan (a CDC batch's folds before and after its changes, Delta's MERGE over similar
   * inputs) is compiled once instead of once per stage number: a CDC table's first batch compiled
   * 57 classes instead of 76 in {@code bench/run-cdc.sh}; the stage's number stays in the generated
   * code's comment ({@code codegenStageId}; docs/performance.md, "The same pipeline compiled once").
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
      String master = System.getProperty("spark.master");
      if (master == null) {
        master = env.master().orElse("local[*]");
        builder.master(master);
      }
      localConf(master, env.sparkConf(), platform).forEach(builder::config);
      anyMasterConf(env.sparkConf()).forEach(builder::config);
    }
    SparkSession spark = builder.getOrCreate();
    if (!platform.isDatabricks() && !exists) {
      capParallelismWhenLocal(spark);
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

  /**
   * The platform's settings for a local master ({@code local}, {@code local[n]}, {@code local[*]}),
   * without those the environment ({@code envConf}) or {@code --conf} (a system property) sets;
   * none for any other master.
   */
  static Map<String, String> localConf(String master, Map<String, String> envConf, Platform platform) {
    if (master.equals("local") || master.startsWith("local[")) {
      return unlessSet(platform.localSessionConf(), envConf);
    }
    return Map.of();
  }

  /** medallion's settings for a new session on any master, without those the environment or {@code --conf} sets. */
  static Map<String, String> anyMasterConf(Map<String, String> envConf) {
    return unlessSet(Map.of(CODEGEN_CACHE, CODEGEN_CACHE_ENTRIES, CODEGEN_ID_IN_CLASS_NAME, "false"), envConf);
  }

  /** {@code settings} without those the environment ({@code envConf}) or {@code --conf} (a system property) sets. */
  static Map<String, String> unlessSet(Map<String, String> settings, Map<String, String> envConf) {
    Map<String, String> conf = new java.util.TreeMap<>();
    settings.forEach((k, v) -> {
      if (!envConf.containsKey(k) && System.getProperty(k) == null) {
        conf.put(k, v);
      }
    });
    return conf;
  }

  static final String CODEGEN_CACHE = "spark.sql.codegen.cache.maxEntries";
  static final String CODEGEN_CACHE_ENTRIES = "1000";
  static final String CODEGEN_ID_IN_CLASS_NAME = "spark.sql.codegen.useIdInClassName";

  static final String SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";
  static final String LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  /**
   * Delta's snapshot partitions (default 50) and the parallel file listing's tasks (default 10,000)
   * capped at the local session's cores, each unless set explicitly.
   */
  static void capParallelismWhenLocal(SparkSession spark) {
    if (!spark.sparkContext().isLocal()) {
      return;
    }
    int cores = Math.max(1, spark.sparkContext().defaultParallelism());
    if (!spark.conf().contains(SNAPSHOT_PARTITIONS)) {
      spark.conf().set(SNAPSHOT_PARTITIONS, String.valueOf(Math.min(50, cores)));
    }
    if (!spark.conf().contains(LISTING_PARALLELISM)) {
      spark.conf().set(LISTING_PARALLELISM, String.valueOf(Math.min(10_000, cores)));
    }
  }
}
