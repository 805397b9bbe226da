package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.bundle.DatabricksBundle;
import io.medallion.config.ConfigLoader;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The generated Databricks Asset Bundle, read back as YAML and checked against the pipeline: every
 * table covered once, {@code depends_on} following {@code from} and SQL references, parameters our
 * own CLI parser accepts; and the bundle committed under {@code conf/bundle} equal to a fresh one.
 */
class DatabricksBundleTest {
  static final Path CONF = Path.of("conf");
  static final Path COMMITTED = Path.of("conf/bundle");
  static final List<String> TARGETS = List.of("dev", "prod");

  static Stream<String> pipelines() throws IOException {
    try (Stream<Path> files = Files.list(CONF.resolve("pipelines"))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".conf"))
          .map(n -> n.substring(0, n.length() - 5)).sorted().toList().stream();
    }
  }

  static DatabricksBundle bundle(String pipeline, DatabricksBundle.Tasks tasks) {
    List<Environment> envs = new ArrayList<>();
    PipelineDefinition p = null;
    for (String env : TARGETS) {
      LoadedPipeline loaded = ConfigLoader.load(CONF, pipeline, env);
      p = loaded.pipeline();
      envs.add(loaded.environment());
    }
    return DatabricksBundle.of(p, envs, tasks, COMMITTED);
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Object doc, String... path) {
    Object o = doc;
    for (String key : path) {
      assertThat(o).as("YAML node above '%s'", key).isInstanceOf(Map.class);
      o = ((Map<String, Object>) o).get(key);
    }
    return (T) o;
  }

  @ParameterizedTest
  @MethodSource("pipelines")
  void perLayerTasksCoverEveryTableOnceInDependencyOrder(String name) {
    checkJob(name, DatabricksBundle.Tasks.PER_LAYER);
  }

  @ParameterizedTest
  @MethodSource("pipelines")
  void perTableTasksCoverEveryTableOnceWithItsInputsAsDependencies(String name) {
    checkJob(name, DatabricksBundle.Tasks.PER_TABLE);
  }

  @SuppressWarnings("unchecked")
  private void checkJob(String name, DatabricksBundle.Tasks granularity) {
    PipelineDefinition pipeline = ConfigLoader.load(CONF, name, "dev").pipeline();
    Map<String, String> files = bundle(name, granularity).files();
    assertThat(files).containsOnlyKeys("databricks.yml", "resources/" + name + ".job.yml");
    Map<String, Object> job = at(new Yaml().load(files.get("resources/" + name + ".job.yml")), "resources", "jobs", name);
    List<Map<String, Object>> tasks = (List<Map<String, Object>>) job.get("tasks");

    Map<String, Set<TableRef>> covered = new HashMap<>();
    Map<TableRef, String> taskOf = new HashMap<>();
    Set<String> earlier = new LinkedHashSet<>();
    for (Map<String, Object> task : tasks) {
      String key = (String) task.get("task_key");
      List<String> params = at(task, "spark_jar_task", "parameters");
      Cli.Args args = Cli.Args.parse(params.toArray(String[]::new)); // our own parser accepts them
      assertThat(args.command).isEqualTo("run");
      assertThat(args.pipeline).isEqualTo(name);
      assertThat(args.env).isEqualTo("${bundle.target}");
      assertThat(args.only).hasSize(1);
      Set<TableRef> refs = new LinkedHashSet<>();
      for (TableDefinition t : pipeline.tables()) {
        String only = args.only.get(0);
        if (only.equals(t.ref().layer().key()) || only.equals(t.ref().toString())) {
          refs.add(t.ref());
          assertThat(taskOf.put(t.ref(), key)).as("%s covered by a second task %s", t.ref(), key).isNull();
        }
      }
      assertThat(refs).as("task %s runs tables", key).isNotEmpty();
      covered.put(key, refs);
      List<Map<String, String>> deps = (List<Map<String, String>>) task.getOrDefault("depends_on", List.of());
      Set<String> depKeys = deps.stream().map(d -> d.get("task_key")).collect(Collectors.toSet());
      assertThat(earlier).as("%s depends only on tasks before it", key).containsAll(depKeys);
      // depends_on is exactly the tasks of the tables it reads (from and SQL references), other than itself
      Set<String> expected = new LinkedHashSet<>();
      for (TableRef ref : refs) {
        for (TableRef in : pipeline.table(ref).orElseThrow().inputs()) {
          if (pipeline.table(in).isPresent() && taskOf.containsKey(in) && !taskOf.get(in).equals(key)) {
            expected.add(taskOf.get(in));
          }
        }
      }
      assertThat(depKeys).as("depends_on of %s", key).isEqualTo(expected);
      assertThat(task.get("job_cluster_key")).isEqualTo("medallion");
      assertThat((String) at(task, "spark_jar_task", "main_class_name")).isEqualTo(pomMainClass());
      earlier.add(key);
    }
    assertThat(taskOf.keySet()).as("every table is covered")
        .containsExactlyInAnyOrderElementsOf(pipeline.tables().stream().map(TableDefinition::ref).toList());
    for (TableDefinition t : pipeline.tables()) { // every input's task is set before the reader's, or is the same
      for (TableRef in : t.inputs()) {
        if (pipeline.table(in).isPresent()) {
          assertThat(List.copyOf(earlier).indexOf(taskOf.get(in)))
              .isLessThanOrEqualTo(List.copyOf(earlier).indexOf(taskOf.get(t.ref())));
        }
      }
    }
    if (granularity == DatabricksBundle.Tasks.PER_TABLE) {
      assertThat(covered.values()).allMatch(s -> s.size() == 1);
    }
    Map<String, Object> cluster = (Map<String, Object>) ((List<Map<String, Object>>) job.get("job_clusters")).get(0).get("new_cluster");
    assertThat(cluster).doesNotContainKeys("spark_conf", "init_scripts");
    assertThat(tasks).allSatisfy(t -> assertThat(t.toString()).doesNotContain("maven", "pypi", "delta-spark"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aMaintainCronAddsAScheduledMaintainJobThatRetriesWhileARunHoldsTheLock() {
    PipelineDefinition pipeline = ConfigLoader.load(CONF, "retail", "dev").pipeline();
    List<Environment> envs = List.of(ConfigLoader.load(CONF, "retail", "dev").environment());
    Map<String, Object> jobs = at(new Yaml().load(DatabricksBundle.of(pipeline, envs, DatabricksBundle.Tasks.PER_LAYER,
        COMMITTED, java.util.Optional.of(" 0 0 3 * * ? ")).files().get("resources/retail.job.yml")), "resources", "jobs");
    assertThat(jobs).containsOnlyKeys("retail", "retail_maintain");
    Map<String, Object> maintain = (Map<String, Object>) jobs.get("retail_maintain");
    assertThat((String) at(maintain, "schedule", "quartz_cron_expression")).isEqualTo("0 0 3 * * ?");
    assertThat((String) at(maintain, "schedule", "timezone_id")).isEqualTo("UTC");
    assertThat(maintain.get("max_concurrent_runs")).isEqualTo(1);
    List<Map<String, Object>> tasks = (List<Map<String, Object>>) maintain.get("tasks");
    assertThat(tasks).hasSize(1);
    Cli.Args args = Cli.Args.parse(((List<String>) at(tasks.get(0), "spark_jar_task", "parameters")).toArray(String[]::new));
    assertThat(args.command).isEqualTo("maintain");
    assertThat(args.pipeline).isEqualTo("retail");
    assertThat(args.env).isEqualTo("${bundle.target}");
    assertThat(args.only).isEmpty();
    assertThat((String) at(tasks.get(0), "spark_jar_task", "main_class_name")).isEqualTo(pomMainClass());
    assertThat(tasks.get(0).get("max_retries")).isEqualTo(3);
    assertThat(tasks.get(0).get("min_retry_interval_millis")).isEqualTo(900_000);
    // without a schedule there is no maintain job (the committed bundles have none)
    assertThat(((Map<String, Object>) at(new Yaml().load(bundle("retail", DatabricksBundle.Tasks.PER_LAYER).files()
        .get("resources/retail.job.yml")), "resources", "jobs"))).containsOnlyKeys("retail");
    assertThatThrownBy(() -> DatabricksBundle.of(pipeline, envs, DatabricksBundle.Tasks.PER_LAYER, COMMITTED,
        java.util.Optional.of("daily at 3")))
        .hasMessageContaining("The maintenance schedule 'daily at 3' of pipeline 'retail' is not a Quartz cron expression")
        .hasMessageContaining("e.g. '0 0 3 * * ?'");
    // an environment for open-source Spark only is not a Databricks target
    List<Environment> local = List.of(ConfigLoader.load(CONF, "retail", "local").environment());
    assertThatThrownBy(() -> DatabricksBundle.of(pipeline, local, DatabricksBundle.Tasks.PER_LAYER, COMMITTED))
        .hasMessageContaining("Environment 'local' cannot be a target of the Databricks bundle of pipeline 'retail': it sets")
        .hasMessageContaining("platform = oss").hasMessageContaining("platform = databricks or auto");
  }

  @Test
  void theBundleBuildsTheJarUploadsToAVolumeAndTargetsTheEnvironments() throws Exception {
    Map<String, Object> doc = new Yaml().load(bundle("retail", DatabricksBundle.Tasks.PER_LAYER).files().get("databricks.yml"));
    assertThat((String) at(doc, "artifacts", "medallion_jar", "build")).startsWith("mvn ").contains("package");
    assertThat((String) at(doc, "artifacts", "medallion_jar", "type")).isEqualTo("jar");
    assertThat(Path.of("conf/bundle").resolve((String) at(doc, "artifacts", "medallion_jar", "path")).resolve("pom.xml"))
        .exists();
    assertThat((String) at(doc, "workspace", "artifact_path")).isEqualTo("${var.artifact_volume}/${bundle.target}");
    assertThat((String) at(doc, "targets", "dev", "variables", "artifact_volume")).startsWith("/Volumes/dev_bronze/");
    assertThat((String) at(doc, "variables", "spark_version", "default")).matches("(14\\.3|15\\.4|16\\.4)\\.x-scala2\\.12");
    assertThat((String) at(doc, "targets", "dev", "mode")).isEqualTo("development");
    assertThat((String) at(doc, "targets", "prod", "mode")).isEqualTo("production");
    assertThat(((Map<String, Object>) at(doc, "targets")).keySet())
        .allSatisfy(env -> assertThat(CONF.resolve("env/" + env + ".conf")).exists());
    Class<?> main = Class.forName(pomMainClass());
    Method m = main.getMethod("main", String[].class);
    assertThat(Modifier.isStatic(m.getModifiers())).isTrue();
  }

  @ParameterizedTest
  @MethodSource("pipelines")
  void theCommittedBundleMatchesTheConfig(String name) throws IOException {
    for (Map.Entry<String, String> f : bundle(name, DatabricksBundle.Tasks.PER_LAYER).files().entrySet()) {
      Path committed = COMMITTED.resolve(f.getKey());
      assertThat(committed).as("%s is committed; generate it with: scripts/spark-submit.sh bundle --pipeline %s", committed, name)
          .exists();
      assertThat(Files.readString(committed))
          .as("%s drifted from conf/: regenerate with scripts/spark-submit.sh bundle --pipeline %s and commit it", committed, name)
          .isEqualTo(f.getValue());
    }
  }

  @Test
  void theCommandWritesTheBundleAndRejectsUnknownOptions(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Path out = dir.resolve("b");
    new Cli(new PrintStream(bytes, true, StandardCharsets.UTF_8))
        .execute("bundle", "--pipeline", "retail", "--tasks", "table", "--out", out.toString());
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("wrote " + out.resolve("databricks.yml"))
        .contains("databricks bundle deploy -t dev");
    Map<String, Object> job = at(new Yaml().load(Files.readString(out.resolve("resources/retail.job.yml"))), "resources", "jobs", "retail");
    assertThat((List<?>) job.get("tasks")).hasSize(ConfigLoader.load(CONF, "retail", "dev").pipeline().tables().size());
    assertThatThrownBy(() -> new Cli(System.out).execute("bundle", "--pipeline", "retail", "--bogus", "x"))
        .isInstanceOf(UsageException.class).hasMessageContaining("Unknown option '--bogus'");
    assertThatThrownBy(() -> new Cli(System.out).execute("bundle", "--pipeline", "retail", "--tasks", "stage"))
        .isInstanceOf(UsageException.class).hasMessageContaining("expected layer");
  }

  private static String pomMainClass() {
    try {
      Matcher m = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(Files.readString(Path.of("pom.xml")));
      assertThat(m.find()).as("pom.xml names the jar's Main-Class").isTrue();
      return m.group(1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
