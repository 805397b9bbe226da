package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/spark-submit.sh} from a user's project folder: every relative path is the
 * caller's, the run prints its resolved roots, and a failing rule prints one paragraph and nothing
 * else on the console (Spark's traces go to the log file).
 */
class SparkSubmitScriptIT {
  static final Path SCRIPT = Path.of("scripts/spark-submit.sh").toAbsolutePath();

  @Test
  void runsInTheCallersFolderAndFailsWithOneParagraph(@TempDir Path project) throws Exception {
    userProject(project);
    Path log = project.resolve("spark.log");

    Process p = script(project, "run", Map.of("MEDALLION_LOG_FILE", log.toString()));
    String stdout = Files.readString(project.resolve("stdout.txt"));
    String stderr = Files.readString(project.resolve("stderr.txt"));

    assertThat(p.exitValue()).as(stderr).isEqualTo(1);
    assertThat(stdout.lines().findFirst().orElse("")).isEqualTo("Roots: warehouse " + project.resolve("out/warehouse")
        + ", checkpoints " + project.resolve("out/checkpoints") + ", landing " + project.resolve("data")
        + " (working directory " + project + ")");
    assertThat(stdout).contains("bronze.readings -> my_bronze.plant.readings: read 3 rows, wrote 3 rows in ");
    assertThat(project.resolve("out/warehouse/my_bronze/plant/readings/_delta_log")).isDirectory();

    List<String> console = stderr.lines().filter(l -> !l.isBlank()).toList();
    assertThat(console).as(stderr).hasSize(2);
    assertThat(console.get(0)).startsWith("medallion: Table silver.readings (my_silver.plant.readings): expectation"
        + " plausible (on-violation = fail, \"temp < 60\") failed for 1 of 3 rows in batch 0.");
    assertThat(console.get(1)).startsWith("(Stack trace: ");
    Path trace = Path.of(console.get(1).substring("(Stack trace: ".length(), console.get(1).length() - 1));
    assertThat(Files.readString(trace)).contains("QualityException").contains("\tat ");
    assertThat(Files.readString(log)).contains("terminated with error").contains("\tat ");
  }

  /**
   * {@code MEDALLION_CDS}: the first validate writes the class-data archive as its JVM exits; the
   * next command maps Spark's classes from it (the JVM's class-loading log says where each class
   * came from) and gives the same answer, and the archive is not written again.
   */
  @Test
  void aClassDataArchiveIsWrittenByTheFirstValidateAndMappedByTheNextCommand(@TempDir Path project) throws Exception {
    userProject(project);
    Path cds = project.resolve("cds");
    validatesTheIotPipeline(project, Map.of("MEDALLION_CDS", cds.toString()));
    List<Path> archives = files(cds);
    assertThat(archives).as("one archive, no temporary file left").hasSize(1);
    assertThat(archives.get(0).getFileName().toString()).matches("medallion-[0-9a-f]{16}\\.jsa");
    long written = Files.getLastModifiedTime(archives.get(0)).toMillis();

    String secondOut = validatesTheIotPipeline(project, Map.of("MEDALLION_CDS", cds.toString(),
        "MEDALLION_JAVA_OPTS", String.join(" ", JobJarIT.SHORT_RUN_JVM) + " -Xlog:class+load=info"));
    long mapped = secondOut.lines().filter(l -> l.contains("org.apache.spark.") && l.contains("source: shared objects file (top)")).count();
    long read = secondOut.lines().filter(l -> l.contains("org.apache.spark.") && l.contains("source: file:")).count();
    assertThat(mapped).as("Spark classes mapped from the archive (%d read from jars)", read).isGreaterThan(1000);
    assertThat(files(cds)).isEqualTo(archives);
    assertThat(Files.getLastModifiedTime(archives.get(0)).toMillis()).isEqualTo(written);
  }

  /** A user's project folder: an environment, and an iot pipeline over three readings, one of them implausible. */
  static void userProject(Path project) throws java.io.IOException {
    Files.createDirectories(project.resolve("conf/env"));
    Files.createDirectories(project.resolve("pipelines"));
    Files.createDirectories(project.resolve("data/readings"));
    Files.writeString(project.resolve("data/readings/part-1.json"), String.join("\n",
        "{\"device\": \"d1\", \"temp\": 21.5}",
        "{\"device\": \"d2\", \"temp\": 99.0}",
        "{\"device\": \"d3\", \"temp\": 20.0}", ""));
    Files.writeString(project.resolve("conf/env/mine.conf"), String.join("\n",
        "env {",
        "  name = mine",
        "  platform = oss",
        "  warehouse-root = out/warehouse",
        "  checkpoint-root = out/checkpoints",
        "  landing-root = data",
        "  catalogs { bronze = my_bronze, silver = my_silver, gold = my_gold }",
        "  spark-conf { \"spark.sql.shuffle.partitions\" = \"2\" }",
        "}", ""));
    Files.writeString(project.resolve("pipelines/iot.conf"), String.join("\n",
        "pipeline {",
        "  name = iot",
        "  schema = plant",
        "  bronze.readings.source { type = files, path = ${env.landing-root}/readings, format = json,",
        "                           schema = \"device STRING, temp DOUBLE\" }",
        "  silver.readings {",
        "    from = bronze.readings",
        "    sql = \"SELECT device, temp FROM {bronze.readings}\"",
        "    mode = append",
        "    expectations { plausible { expr = \"temp < 60\", on-violation = fail } }",
        "  }",
        "}", ""));
  }

  /** Runs validate on the iot pipeline, which must pass; returns its standard output. */
  static String validatesTheIotPipeline(Path project, Map<String, String> env) throws Exception {
    Process p = script(project, "validate", env);
    String stdout = Files.readString(project.resolve("stdout.txt"));
    assertThat(p.exitValue()).as(Files.readString(project.resolve("stderr.txt"))).isZero();
    assertThat(stdout).contains("Pipeline 'iot' is valid in environment 'mine'");
    return stdout;
  }

  /** Runs the script in {@code project} with the iot pipeline, output to stdout.txt and stderr.txt. */
  static Process script(Path project, String command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command, "--conf-dir", "conf",
        "--pipeline", "pipelines/iot.conf", "--env", "conf/env/mine.conf")
        .directory(project.toFile())
        .redirectOutput(project.resolve("stdout.txt").toFile())
        .redirectError(project.resolve("stderr.txt").toFile());
    pb.environment().put("SPARK_SUBMIT_ARGS", "--driver-memory 1g");
    pb.environment().put("MEDALLION_JAVA_OPTS", String.join(" ", JobJarIT.SHORT_RUN_JVM));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the script did not finish in 5 minutes");
    }
    return p;
  }

  static List<Path> files(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
