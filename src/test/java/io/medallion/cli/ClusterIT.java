package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo on a real Spark standalone cluster: a master and a worker started from the Maven
 * classpath on 127.0.0.1, executors in their own JVMs (launched by the worker from a
 * {@code SPARK_HOME} of symlinked jars), the driver in the spark-submit JVM. {@code local[n]} runs
 * everything in one JVM and hides closures that do not serialize, statics set only on the driver
 * and driver-only state; this run does not. Its gold table must equal the local run's (spark-submit
 * on local[2], run once per build with JobJarIT and started here beside the cluster's). A second
 * run on the same cluster has its executors write a streaming table's quarantine rows straight
 * into the quarantine table's folder ({@code DeltaSink.sideAppend}), committed by the driver; one
 * of its rules is a format rule, evaluated on the executors by the automaton the plan carries
 * ({@code AsciiRegex}), and its rows must be those {@code java.util.regex} picks.
 */
class ClusterIT {
  /** Under target/, so that the master's, worker's and executors' logs outlive a failure. */
  static Path dir;
  static Process master;
  static Process worker;
  static String masterUrl;
  static final Map<String, String> ENV = Map.of("SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1");
  /** The local run to compare with, going on while the cluster starts and runs (or JobJarIT's, if it ran first). */
  static CompletableFuture<JobJarIT.Result> localRun;

  @BeforeAll
  static void startCluster() throws Exception {
    localRun = CompletableFuture.supplyAsync(() -> {
      try {
        return JobJarIT.localDemo();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
    Path target = Path.of(System.getProperty("medallion.job.jar")).toAbsolutePath().getParent();
    dir = Files.createTempDirectory(target, "cluster-it-");
    Path sparkHome = sparkHome(dir.resolve("spark-home"));
    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    master = start(sparkHome, "master", "org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort()));
    worker = start(sparkHome, "worker", "org.apache.spark.deploy.worker.Worker",
        "--host", "127.0.0.1", "--cores", "2", "--memory", "1536m", "--webui-port", String.valueOf(freePort()),
        "--work-dir", dir.resolve("work").toString(), masterUrl);
    awaitLog(dir.resolve("worker.log"), "Successfully registered with master", worker);
  }

  @AfterAll
  static void stopCluster() throws InterruptedException, ExecutionException {
    for (Process p : new Process[] {worker, master}) {
      if (p != null) {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    if (localRun != null) {
      localRun.handle((result, failure) -> result).get(); // no spark-submit outlives the test
    }
  }

  @Test
  void theDemoOnAStandaloneClusterWritesTheSameGoldAsALocalRun() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("storage"));
    JobJarIT.Result cluster = JobJarIT.sparkSubmit(storage, masterUrl,
        List.of("--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1g",
            "--conf", "spark.cores.max=2",
            // Sized for this 2-core cluster, as on a small real one: Delta's default of 50
            // state-reconstruction tasks per snapshot was ~900 of the run's ~960 tasks.
            "--conf", "spark.databricks.delta.snapshotPartitions=2",
            "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", JobJarIT.SHORT_RUN_JVM)),
        ENV, "run", "--pipeline", "retail", "--env", "local", "--show-gold");
    assertThat(cluster.exit()).as(cluster.stderr()).isZero();
    assertThat(cluster.stdout())
        .contains("silver.orders -> local_silver.sales.orders: read 3526 rows (its input), 3472 rows after its SQL (event log num_input_rows), wrote 2982 rows")
        .contains("Quarantined: 14 rows of silver.orders in local_silver.sales.orders_quarantine");

    JobJarIT.Result local = localRun.get();
    assertThat(local.exit()).as(local.stderr()).isZero();
    String gold = gold(cluster.stdout());
    assertThat(gold).contains("|order_date|country|orders|revenue").hasLineCount(56 + 5);
    assertThat(gold).isEqualTo(gold(local.stdout()));

    // The tasks ran in the worker's executor JVMs, not in the driver.
    List<String> executorLogs;
    try (Stream<Path> files = Files.walk(dir.resolve("work"))) {
      executorLogs = files.filter(f -> f.getFileName().toString().equals("stderr")).map(ClusterIT::read).toList();
    }
    assertThat(executorLogs).isNotEmpty().anyMatch(log -> log.contains("Finished task"));
    assertThat(cluster.stderr()).doesNotContain("Finished task");
  }

  /**
   * A streaming bronze table with a quarantine rule on the cluster: the executors write its
   * quarantine rows into the quarantine table's folder as they write the target, and the driver
   * commits them after the target (no job of their own). Every quarantined row is committed once.
   */
  @Test
  void quarantineRowsWrittenByTheExecutorsAreCommittedOnceByTheDriver() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("storage-quarantine"));
    Path conf = storage.resolve("quarantine.conf");
    Files.writeString(conf, """
        pipeline {
          name = quarantine_on_cluster
          schema = q
          bronze.orders {
            source {
              type = files
              path = ${env.landing-root}/orders
              format = json
              schema = "order_id STRING, customer_id STRING, order_ts STRING, status STRING, amount STRING, updated_at STRING"
            }
            expectations {
              valid_amount { expr = "CAST(amount AS DOUBLE) >= 0", on-violation = quarantine }
              order_id_format { expr = "order_id RLIKE '^[0-9]{4}$'", on-violation = quarantine }
            }
          }
        }
        """);
    // The reference: java.util.regex for the format rule (the executors evaluate it with
    // AsciiRegex, an object of the plan that travels to their JVMs), plain Java for the amount.
    long negative = 0;
    long quarantined = 0;
    java.util.regex.Pattern format = java.util.regex.Pattern.compile("^[0-9]{4}$");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (Stream<Path> files = Files.walk(Path.of("src/demo/retail/landing/orders"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(f)) {
          com.fasterxml.jackson.databind.JsonNode row;
          try {
            row = json.readTree(line);
          } catch (IOException e) {
            continue; // a malformed line: NULL columns, which pass both rules
          }
          boolean violates = false;
          try {
            com.fasterxml.jackson.databind.JsonNode amount = row.get("amount");
            if (amount != null && !amount.isNull() && Double.parseDouble(amount.asText()) < 0) {
              negative++;
              violates = true;
            }
          } catch (NumberFormatException e) {
            // an amount that is not a number: NULL, which passes the rule
          }
          com.fasterxml.jackson.databind.JsonNode id = row.get("order_id");
          if (id != null && !id.isNull() && !format.matcher(id.asText()).find(0)) {
            violates = true;
          }
          quarantined += violates ? 1 : 0;
        }
      }
    }
    assertThat(negative).as("the demo's orders hold negative amounts").isPositive();
    assertThat(quarantined).as("and order ids of another format").isGreaterThan(negative);

    JobJarIT.Result run = JobJarIT.sparkSubmit(storage, masterUrl,
        List.of("--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1g",
            "--conf", "spark.cores.max=2", "--conf", "spark.databricks.delta.snapshotPartitions=2",
            "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", JobJarIT.SHORT_RUN_JVM)),
        ENV, "run", "--pipeline", conf.toString(), "--env", "local");
    assertThat(run.exit()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("Quarantined: " + quarantined + " rows of bronze.orders in local_bronze.q.orders_quarantine");

    // The quarantine table's log: its rows committed once, by commits without a Spark write's metrics.
    Path log = storage.resolve("warehouse/local_bronze/q/orders_quarantine/_delta_log");
    long committed = 0;
    int appends = 0;
    try (Stream<Path> commits = Files.list(log)) {
      for (Path c : commits.filter(f -> f.toString().endsWith(".json")).toList()) {
        for (String action : Files.readAllLines(c)) {
          com.fasterxml.jackson.databind.JsonNode a = json.readTree(action);
          if (a.has("add")) {
            committed += json.readTree(a.get("add").get("stats").asText()).get("numRecords").asLong();
          } else if (a.has("commitInfo") && a.get("commitInfo").get("operation").asText().equals("WRITE")) {
            appends++;
            assertThat(a.get("commitInfo").path("operationMetrics").has("numOutputRows")).as(action).isFalse();
          }
        }
      }
    }
    assertThat(committed).isEqualTo(quarantined);
    assertThat(appends).isPositive();
  }

  /** The printed gold table, from its name line to the end of the table. */
  private static String gold(String stdout) {
    int at = stdout.indexOf("local_gold.sales.daily_revenue:\n");
    assertThat(at).as(stdout).isNotNegative();
    String rest = stdout.substring(at);
    int end = rest.indexOf("\n\n");
    return end < 0 ? rest.strip() : rest.substring(0, end).strip();
  }

  /** A Spark home the worker can launch executors from: the Maven classpath's jars and a RELEASE file. */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    String classpath = Files.readString(Path.of(System.getProperty("medallion.spark.classpath"))).trim();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      Path jar = Path.of(entry);
      Path link = jars.resolve(jar.getFileName());
      if (entry.endsWith(".jar") && !Files.exists(link)) {
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    }
    Files.writeString(home.resolve("RELEASE"), "Spark 3.5.7 (Maven classpath, for ClusterIT)\n");
    return home;
  }

  private static Process start(Path sparkHome, String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(JobJarIT.SHORT_RUN_JVM);
    cmd.addAll(Arrays.asList(System.getProperty("medallion.java17.opens").trim().split("\\s+")));
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars").toString() + "/*");
    cmd.add(mainClass);
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().putAll(ENV);
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    return pb.start();
  }

  private static void awaitLog(Path log, String line, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("The Spark worker exited: " + Files.readString(log));
      }
      process.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("The Spark worker did not register in 300 s: " + Files.readString(log));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
