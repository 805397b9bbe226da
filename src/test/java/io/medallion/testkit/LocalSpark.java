package io.medallion.testkit;

import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * One local SparkSession per JVM for tests, with Delta Lake enabled and settings that keep small
 * tests fast ({@code local[2]}, UI off, two shuffle partitions, one Delta snapshot partition, driver
 * bound to 127.0.0.1).
 *
 * <p>Expressions are interpreted, not compiled ({@code spark.sql.codegen.factoryMode=NO_CODEGEN},
 * {@code spark.sql.codegen.wholeStage=false}): on test-sized data Spark spends more time generating
 * and compiling Java for every projection than running it. Profiled on {@code CdcEngineTest}, code
 * generation and Janino were about half the CPU of the driver and the executor threads; the four
 * heaviest test classes took 0.70x the wall time without it. Both modes compute the same results
 * (Spark's own suites run both); jobs run through {@code spark-submit} (the ITs, the demo) keep
 * Spark's defaults. To run tests with code generation, set the two properties on the command line,
 * e.g. {@code mvn test -Dspark.sql.codegen.factoryMode=FALLBACK -Dspark.sql.codegen.wholeStage=true}.
 *
 * <p>Delta rebuilds a table's state (its log replayed into the list of live files) in {@code
 * spark.databricks.delta.snapshotPartitions} tasks, here one: on a test-sized log each task costs
 * far more in fixed work than in rows (deserializing the task, which carries Delta's plan, and
 * generating Delta's typed-row projection, which {@code NO_CODEGEN} does not cover: about two thirds
 * of the executor samples in a profile of {@code IncrementalGoldTest}), and two test JVMs share two
 * cores anyway. One partition instead of two: 0.82x the CPU time of {@code IncrementalGoldTest} and
 * {@code CdcEngineTest} (docs/architecture.md, "Test suite time").
 *
 * <p>Sorts, aggregations and hash joins take memory in pages of 1 MB ({@code
 * spark.buffer.pageSize}), the smallest Spark derives itself: from a test JVM's 4 GB heap it derives
 * 64 MB, and every task that sorts or builds a hash map allocated and zeroed a 64 MB array, which the
 * young collections then copied. {@code CdcEngineTest} alone: 0.91x the wall time and 0.93x the CPU
 * time, a third of the system time (docs/architecture.md, "Test suite time").
 *
 * <p>The plan description each query posts to Spark's listeners when it starts is Spark's {@code
 * simple} explain string, not the {@code formatted} one ({@code spark.sql.ui.explainMode}): every
 * query builds it, even with the UI off, and the formatted mode's details section was 2.9% of a
 * profile of {@code SnapshotCdcPipelineTest}. A test that checks what a plan description shows sets
 * the mode back for its run, as {@code SparkEventLogSecretsTest} does.
 *
 * <p>The session is created on first use and never stopped by the kit: every test class in the JVM
 * shares it (run Surefire with {@code reuseForks=true}). Catalogs are registered per test with
 * {@link io.medallion.catalog.WarehouseCatalog#register}.
 */
public final class LocalSpark {
  /**
   * The JVM flags Spark needs on Java 17 (the list {@code spark-submit} adds itself): put them in
   * Surefire's {@code argLine}. Without them the session dies with {@code IllegalAccessError ...
   * sun.nio.ch.DirectBuffer}; the kit checks first and fails with this line instead.
   */
  public static final String ARG_LINE = "--add-opens=java.base/java.lang=ALL-UNNAMED"
      + " --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
      + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
      + " --add-opens=java.base/java.io=ALL-UNNAMED"
      + " --add-opens=java.base/java.net=ALL-UNNAMED"
      + " --add-opens=java.base/java.nio=ALL-UNNAMED"
      + " --add-opens=java.base/java.util=ALL-UNNAMED"
      + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
      + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED"
      + " --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED"
      + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
      + " --add-opens=java.base/sun.nio.cs=ALL-UNNAMED"
      + " --add-opens=java.base/sun.security.action=ALL-UNNAMED"
      + " --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
      + " --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED"
      + " -Djdk.reflect.useDirectMethodHandle=false";

  private static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";
  private static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";

  private static SparkSession session;

  private LocalSpark() {}

  /** The shared session, created on first call. */
  public static synchronized SparkSession session() {
    if (session == null) {
      checkJvmFlags(missingOpens());
      SparkSession.Builder builder =
          SparkSession.builder()
              .master("local[2]")
              .appName("medallion-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.databricks.delta.snapshotPartitions", "1")
              // Pages of 1 MB for sorts, aggregations and hash joins, not the 64 MB Spark derives
              // from a 4 GB heap: each page is a zeroed array, and the young collections copied them
              .config("spark.buffer.pageSize", "1m")
              // The plan string every query posts to Spark's listeners at its start, without the
              // formatted mode's details section: the UI that shows it is off
              .config("spark.sql.ui.explainMode", "simple")
              // VACUUM's file listing (and Spark's for many paths) in 2 tasks, not 10,000: the CLI
              // caps it at the cores on a local master too (docs/gold.md, "Maintenance")
              .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
              .config(FACTORY_MODE, System.getProperty(FACTORY_MODE, "NO_CODEGEN"))
              .config(WHOLE_STAGE, System.getProperty(WHOLE_STAGE, "false"))
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .config("spark.sql.streaming.stopTimeout", "30s");
      // What the CLI sets on a local master: Hadoop's local file system without a chmod or
      // readlink process per file (9 ms of CPU each)
      Platform.choose(Environment.PlatformChoice.OSS, java.util.Map.of()).localSessionConf().forEach(builder::config);
      session = builder.getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  /** The {@code --add-opens} of {@link #ARG_LINE} this JVM lacks, as {@code module/package}. */
  static List<String> missingOpens() {
    List<String> missing = new ArrayList<>();
    Module unnamed = LocalSpark.class.getClassLoader().getUnnamedModule();
    for (String flag : ARG_LINE.split(" ")) {
      if (flag.startsWith("--add-opens=")) {
        String target = flag.substring("--add-opens=".length(), flag.indexOf('=', "--add-opens=".length()));
        String module = target.substring(0, target.indexOf('/'));
        String pkg = target.substring(target.indexOf('/') + 1);
        boolean open = ModuleLayer.boot().findModule(module).map(m -> m.isOpen(pkg, unnamed)).orElse(true);
        if (!open) {
          missing.add(target);
        }
      }
    }
    return missing;
  }

  /** Fails with the exact {@code argLine} to add when {@code missing} is not empty. */
  static void checkJvmFlags(List<String> missing) {
    if (!missing.isEmpty()) {
      throw new IllegalStateException("Spark cannot start on Java 17 in this JVM: it is not started with "
          + "--add-opens for " + String.join(", ", missing) + " (Spark would fail with IllegalAccessError"
          + " ... sun.nio.ch.DirectBuffer). Add the flags to the test JVM, in Maven to the Surefire"
          + " plugin's configuration:\n<argLine>" + ARG_LINE + "</argLine>\n(README: Use medallion in"
          + " your project).");
    }
  }
}
