package io.medallion.bench;

import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** What the benchmarks share: the session, option parsing, medians, files and the report. */
final class Bench {
  private Bench() {}

  /**
   * The benchmarks' session: {@code local[2]}, UI off, driver on 127.0.0.1, session time zone UTC,
   * Delta's extension and session catalog as {@code io.medallion.cli.Sessions} sets them
   * ({@code reference.conf}), and Delta's snapshot partitions at the cores, as the CLI sets them on
   * a local master (docs/performance.md). Like the CLI on a local master it also takes the
   * platform's local settings ({@code Platform#localSessionConf}: Hadoop's {@code file:} file
   * system without a forked {@code chmod} or {@code readlink} per file), so the variants pay for
   * local files what they would pay on a cluster's storage, not one process per checkpoint or
   * Delta log file; {@code -Dmedallion.bench.forking-local-fs=true} keeps Hadoop's own file system
   * (the benchmarks' setting before 2026-12-05) to compare.
   */
  static SparkSession session(String appName, int shufflePartitions) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2]")
            .appName(appName)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", String.valueOf(shufflePartitions))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.databricks.delta.snapshotPartitions", "2")
            // as medallion's CLI sets on a session it creates (cli/Sessions): compiled classes of
            // generated code kept for later batches (Spark's default of 100 recompiles them), and
            // whole-stage classes named alike, so the same pipeline at two stage numbers is compiled once
            .config("spark.sql.codegen.cache.maxEntries", "1000")
            .config("spark.sql.codegen.useIdInClassName", "false");
    if (!Boolean.getBoolean("medallion.bench.forking-local-fs")) {
      Platform.choose(Environment.PlatformChoice.OSS, Map.of()).localSessionConf().forEach(builder::config);
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  /**
   * One measured run: its result, wall time, this JVM's CPU seconds, the share of the cores other
   * processes used meanwhile, the seconds waited for a quiet machine before it (negative: it never
   * got quiet) and the Spark jobs and tasks it ran.
   */
  record Measured<T>(T value, double seconds, double cpuSeconds, double foreignShare, double waited,
      JobCounter.Snapshot before, JobCounter.Snapshot jobs) {
    /** One line per Spark job of the run (see {@link JobCounter#jobs}). */
    List<String> jobLog(JobCounter counter) {
      return counter.jobs(before.jobs(), before.jobs() + jobs.jobs());
    }
  }

  /**
   * Runs {@code body} once, timed: first a GC and a wait (at most {@code quietWait} seconds) until
   * other processes use less than {@code quietShare} of the cores.
   */
  static <T> Measured<T> measure(SparkSession spark, JobCounter counter, double quietShare, double quietWait,
      java.util.function.Supplier<T> body) {
    System.gc();
    counter.waitForListeners(spark);
    double waited = Machine.awaitQuiet(quietShare, quietWait);
    JobCounter.Snapshot before = counter.snapshot();
    Machine.Sample cpu = Machine.sample();
    long start = System.nanoTime();
    T value = body.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    Machine.Sample cpuEnd = Machine.sample();
    counter.waitForListeners(spark);
    return new Measured<>(value, seconds, cpuEnd.processCpuSeconds(cpu), cpuEnd.foreignShare(cpu), waited, before,
        counter.snapshot().minus(before));
  }

  /** The positional argument {@code i} as a number, or {@code fallback} when there are fewer arguments. */
  static long arg(String[] args, int i, long fallback) {
    return args.length > i ? Long.parseLong(args[i]) : fallback;
  }

  /**
   * {@code --name value ...} as a map, rejecting names not in {@code known}.
   *
   * @throws IllegalArgumentException on a malformed list or an unknown option
   */
  static Map<String, String> options(String[] argv, Collection<String> known) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("usage: --name value ... (got " + argv[i] + ")");
      }
      m.put(argv[i].substring(2), argv[++i]);
    }
    List<String> unknown = m.keySet().stream().filter(k -> !known.contains(k)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown options " + unknown + "; known: " + known);
    }
    return m;
  }

  static double medianOf(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = values.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** {@code x.xx} of a ratio, or {@code -} when the base is missing. */
  static String ratio(double value, double base) {
    return Double.isNaN(value) || Double.isNaN(base) || base == 0 ? "-" : String.format(Locale.ROOT, "%.2f", value / base);
  }

  /** A short description of this JVM and machine for the report's header. */
  static String machine(SparkSession spark) {
    return String.format(Locale.ROOT, "master %s on %d cores, %s %s, max heap %d MB, Spark %s",
        spark.sparkContext().master(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        Runtime.getRuntime().maxMemory() >> 20, spark.version());
  }

  /** Prints the report and writes it to {@code results}. */
  static void writeReport(Path results, String report) {
    System.out.println();
    System.out.println(report);
    try {
      Files.createDirectories(results.toAbsolutePath().getParent());
      Files.writeString(results, report);
      System.out.println("(written to " + results + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
