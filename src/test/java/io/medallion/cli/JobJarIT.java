package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged job jar: its contents, and the demo run through spark-submit's own entry point. */
class JobJarIT {
  static final Path JAR = Path.of(System.getProperty("medallion.job.jar"));

  @Test
  void jarHoldsNoSparkAndRelocatesTypesafeConfig() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> names = Collections.list(jar.entries()).stream().map(e -> e.getName()).toList();
      assertThat(names).noneMatch(n -> n.startsWith("org/apache/spark/"));
      assertThat(names).noneMatch(n -> n.startsWith("io/delta/") || n.startsWith("org/apache/hadoop/"));
      assertThat(names).noneMatch(n -> n.startsWith("com/typesafe/config/"));
      assertThat(names).contains("io/medallion/shaded/com/typesafe/config/Config.class");
      assertThat(names).contains("io/medallion/cli/Main.class", "reference.conf");
      assertThat(names).as("the test kit is its own artifact (classifier tests)")
          .noneMatch(n -> n.startsWith("io/medallion/testkit/") || n.contains("kinesalite"));
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.medallion.cli.Main");
      String reference = new String(jar.getInputStream(jar.getEntry("reference.conf")).readAllBytes());
      assertThat(reference).contains("medallion");
    }
  }

  @Test
  void sparkSubmitRunsTheDemoPipeline() throws Exception {
    Path storage = localDemoStorage();
    Result r = localDemo();
    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stdout)
        .contains("bronze.orders -> local_bronze.sales.orders: read ")
        .contains("silver.orders -> local_silver.sales.orders: read ")
        .contains("gold.daily_revenue -> local_gold.sales.daily_revenue: read ")
        .contains("Quarantined: 14 rows of silver.orders in local_silver.sales.orders_quarantine")
        .contains("Event log: local_bronze.sales.event_log")
        .contains("local_gold.sales.daily_revenue:")
        .contains("|order_date|country|orders|revenue");
    assertThat(Files.exists(storage.resolve("warehouse/local_gold/sales/daily_revenue/_delta_log"))).isTrue();
  }

  @Test
  void aFailureExitsNonZeroWithOneParagraph(@TempDir Path storage) throws Exception {
    Result r = sparkSubmit(storage, "run", "--pipeline", "retail", "--env", "staging");
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.stderr).contains("medallion: ").contains("staging").contains("local");
    assertThat(r.stderr).doesNotContain("\tat ");
    Result usage = sparkSubmit(storage, "frobnicate");
    assertThat(usage.exit).isEqualTo(2);
    assertThat(usage.stderr).contains("Unknown command 'frobnicate'").contains("Usage: medallion");
  }

  record Result(int exit, String stdout, String stderr) {}

  private static Path localDemoStorage;
  private static Result localDemo;

  /** The demo run once per JVM on local[2] with --show-gold (ClusterIT compares against it). */
  static synchronized Result localDemo() throws Exception {
    if (localDemo == null) {
      localDemo = sparkSubmit(localDemoStorage(), "run", "--pipeline", "retail", "--env", "local", "--show-gold");
    }
    return localDemo;
  }

  private static synchronized Path localDemoStorage() throws IOException {
    if (localDemoStorage == null) {
      Path target = Path.of(System.getProperty("medallion.job.jar")).toAbsolutePath().getParent();
      localDemoStorage = Files.createTempDirectory(target, "it-local-demo-");
    }
    return localDemoStorage;
  }

  static Result sparkSubmit(Path storage, String... args) throws Exception {
    return sparkSubmit(storage, "local[2]", List.of(), Map.of(), args);
  }

  /** spark-submit of the job jar on a master, with extra spark-submit options and environment. */
  static Result sparkSubmit(Path storage, String master, List<String> submitOptions, Map<String, String> env,
      String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(Arrays.asList(System.getProperty("medallion.java17.opens").trim().split("\\s+")));
    cmd.add("-Dlog4j2.configurationFile=conf/log4j2.properties");
    cmd.add("-cp");
    cmd.add(Files.readString(Path.of(System.getProperty("medallion.spark.classpath"))).trim());
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--master", master, "--conf", "spark.ui.enabled=false"));
    cmd.addAll(submitOptions);
    cmd.add(JAR.toString());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.environment().put("MEDALLION_STORAGE_ROOT", storage.toString());
    Path out = storage.resolve("stdout.txt");
    Path err = storage.resolve("stderr.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) { // a bound for a busy machine; ~1 minute when idle
      p.destroyForcibly();
      throw new AssertionError("spark-submit did not finish in 15 minutes: " + Files.readString(out)
          + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
