package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
  /**
   * JVM options for the short-lived JVMs the ITs start (driver, executors, master, worker): C1 only
   * and the serial collector, as the Surefire forks use; a run of a minute never repays C2's
   * compilation or a parallel collector's threads on 2 shared cores.
   */
  static final List<String> SHORT_RUN_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

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
    Result r = localDemo();
    Path storage = localDemoStorage;
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

  /** The local demo's storage folder, once {@link #localDemo()} has returned. */
  private static Path localDemoStorage;
  private static Result localDemo;

  /**
   * The demo run on local[2] with --show-gold once per Maven build (ClusterIT compares against it).
   * The ITs run in separate forks: the first to ask runs it under a file lock in target/ and names
   * its folder in a file of this build ({@code medallion.it.build}); the others wait on the lock
   * and read that run's output. Without the property (an IDE run) each JVM runs its own.
   */
  static synchronized Result localDemo() throws Exception {
    if (localDemo == null) {
      Path target = JAR.toAbsolutePath().getParent();
      String build = System.getProperty("medallion.it.build", "pid" + ProcessHandle.current().pid());
      Path done = target.resolve("it-local-demo-" + build + ".done");
      try (FileChannel lockFile = FileChannel.open(target.resolve("it-local-demo-" + build + ".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (Files.exists(done)) {
          List<String> lines = Files.readAllLines(done);
          localDemoStorage = Path.of(lines.get(0));
          localDemo = new Result(Integer.parseInt(lines.get(1)), Files.readString(localDemoStorage.resolve("stdout.txt")),
              Files.readString(localDemoStorage.resolve("stderr.txt")));
        } else {
          Path storage = Files.createTempDirectory(target, "it-local-demo-");
          localDemo = sparkSubmit(storage, "run", "--pipeline", "retail", "--env", "local", "--show-gold");
          localDemoStorage = storage;
          Files.write(done, List.of(storage.toString(), String.valueOf(localDemo.exit)));
        }
      }
    }
    return localDemo;
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
    cmd.addAll(SHORT_RUN_JVM);
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
