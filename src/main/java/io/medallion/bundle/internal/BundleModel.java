package io.medallion.bundle.internal;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The content of a Databricks Asset Bundle for one pipeline: {@code databricks.yml} (shared by every
 * pipeline of the project: artifacts, variables, targets) and {@code resources/<pipeline>.job.yml}
 * (one job of {@code spark_jar_task}s).
 */
public final class BundleModel {
  /** The Databricks Runtime LTS on Spark 3.5 / Scala 2.12 the job cluster uses by default. */
  public static final String SPARK_VERSION = "15.4.x-scala2.12";

  private final PipelineDefinition pipeline;
  private final List<Environment> targets;
  private final boolean perTable;
  private final String projectDir;
  private final String mainClass;
  private final java.util.Optional<String> maintainCron;

  /**
   * @param projectDir the project folder (holding pom.xml) relative to the bundle folder, e.g. {@code ../..}
   * @param maintainCron when present, a second job runs {@code maintain} on this Quartz schedule (UTC)
   */
  public BundleModel(PipelineDefinition pipeline, List<Environment> targets, boolean perTable, String projectDir,
      String mainClass, java.util.Optional<String> maintainCron) {
    if (targets.isEmpty()) {
      throw BundleErrors.noTargets(pipeline.name());
    }
    for (Environment env : targets) {
      if (env.platform() == Environment.PlatformChoice.OSS) {
        throw BundleErrors.ossTarget(pipeline.name(), env.name());
      }
    }
    maintainCron.ifPresent(cron -> {
      int fields = cron.trim().split("\\s+").length;
      if (cron.isBlank() || fields < 6 || fields > 7) {
        throw BundleErrors.badCron(pipeline.name(), cron);
      }
    });
    this.maintainCron = maintainCron.map(String::trim);
    this.pipeline = pipeline;
    this.targets = List.copyOf(targets);
    this.perTable = perTable;
    this.projectDir = projectDir.isEmpty() ? "." : projectDir;
    this.mainClass = mainClass;
  }

  /** {@code databricks.yml}. */
  public String databricksYml() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("bundle", map("name", "medallion"));
    doc.put("include", List.of("resources/*.job.yml"));
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("spark_version", variable("Databricks Runtime LTS on Spark 3.5 / Scala 2.12 (14.3, 15.4 or 16.4)", SPARK_VERSION));
    vars.put("node_type_id", variable("Node type of the job cluster", "i3.xlarge"));
    vars.put("num_workers", variable("Workers of the job cluster", 2));
    vars.put("artifact_volume", variable("Unity Catalog volume the job jar is uploaded to", "/Volumes/main/default/medallion"));
    vars.put("conf_dir", variable("Where the jar reads conf/ (pipelines/, env/); synced with the bundle",
        "/Workspace${workspace.file_path}/conf"));
    doc.put("variables", vars);
    doc.put("artifacts", map("medallion_jar", map(
        "type", "jar",
        "path", projectDir,
        "build", "mvn -q -B -DskipTests package",
        "files", List.of(map("source", jar())))));
    doc.put("workspace", map("artifact_path", "${var.artifact_volume}/${bundle.target}"));
    doc.put("sync", map("paths", List.of(projectDir.equals(".") ? "conf" : projectDir + "/conf")));
    Map<String, Object> t = new LinkedHashMap<>();
    for (Environment env : targets) {
      Map<String, Object> target = new LinkedHashMap<>();
      boolean dev = env.name().equals("dev");
      target.put("mode", dev ? "development" : "production");
      if (dev) {
        target.put("default", true);
      }
      target.put("variables", map("artifact_volume", "/Volumes/" + env.catalogs().get(Layer.BRONZE) + "/default/medallion"));
      t.put(env.name(), target);
    }
    doc.put("targets", t);
    return header("shared by every pipeline: the job jar, variables, one target per environment", "<pipeline>")
        + Yaml.write(doc);
  }

  /** {@code resources/<pipeline>.job.yml}. */
  public String jobYml() {
    Map<String, Object> cluster = new LinkedHashMap<>();
    cluster.put("spark_version", "${var.spark_version}");
    cluster.put("node_type_id", "${var.node_type_id}");
    cluster.put("num_workers", "${var.num_workers}");
    cluster.put("data_security_mode", "SINGLE_USER");
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("name", "medallion " + pipeline.name());
    job.put("max_concurrent_runs", 1);
    job.put("job_clusters", List.of(map("job_cluster_key", "medallion", "new_cluster", cluster)));
    Map<String, Object> jobs = new LinkedHashMap<>();
    jobs.put(jobKey(), job);
    List<Object> tasks = new ArrayList<>();
    for (Unit u : units()) {
      Map<String, Object> task = new LinkedHashMap<>();
      task.put("task_key", u.key);
      if (!u.dependsOn.isEmpty()) {
        task.put("depends_on", u.dependsOn.stream().map(d -> (Object) map("task_key", d)).toList());
      }
      task.put("job_cluster_key", "medallion");
      task.put("libraries", List.of(map("jar", "../" + jar())));
      task.put("spark_jar_task", map("main_class_name", mainClass, "parameters", List.of(
          "run", "--conf-dir", "${var.conf_dir}", "--pipeline", pipeline.name(), "--env", "${bundle.target}",
          "--only", u.only)));
      tasks.add(task);
    }
    job.put("tasks", tasks);
    maintainCron.ifPresent(cron -> jobs.put(jobKey() + "_maintain", maintainJob(cluster, cron)));
    Map<String, Object> doc = map("resources", map("jobs", jobs));
    return header("pipeline '" + pipeline.name() + "': one spark_jar_task per " + (perTable ? "table" : "layer")
        + (maintainCron.isPresent() ? ", and its maintenance on a schedule" : ""),
        pipeline.name() + (perTable ? " --tasks table" : "")
            + maintainCron.map(c -> " --maintain-cron '" + c + "'").orElse("")) + Yaml.write(doc);
  }

  /**
   * A job that runs {@code maintain} on {@code cron} (UTC). When a run of the pipeline is writing a
   * table that runs rewrite, {@code maintain} fails at once; the task then tries again after 15
   * minutes, 3 times.
   */
  private Map<String, Object> maintainJob(Map<String, Object> cluster, String cron) {
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("name", "medallion " + pipeline.name() + " maintain");
    job.put("max_concurrent_runs", 1);
    job.put("schedule", map("quartz_cron_expression", cron, "timezone_id", "UTC"));
    job.put("job_clusters", List.of(map("job_cluster_key", "medallion", "new_cluster", cluster)));
    Map<String, Object> task = new LinkedHashMap<>();
    task.put("task_key", "maintain");
    task.put("job_cluster_key", "medallion");
    task.put("libraries", List.of(map("jar", "../" + jar())));
    task.put("spark_jar_task", map("main_class_name", mainClass, "parameters", List.of(
        "maintain", "--conf-dir", "${var.conf_dir}", "--pipeline", pipeline.name(), "--env", "${bundle.target}")));
    task.put("max_retries", 3);
    task.put("min_retry_interval_millis", 15 * 60 * 1000);
    job.put("tasks", List.of(task));
    return job;
  }

  /** The job's key under {@code resources.jobs}. */
  public String jobKey() {
    return pipeline.name().replaceAll("[^A-Za-z0-9_]", "_");
  }

  private String jar() {
    return (projectDir.equals(".") ? "" : projectDir + "/") + "target/medallion-*.jar";
  }

  private static String header(String what, String args) {
    return "# Generated by `medallion bundle` from conf/: " + what + ".\n"
        + "# Do not edit: change conf/ and regenerate: scripts/spark-submit.sh bundle --pipeline " + args + "\n";
  }

  /** One task: its key, what it passes to --only, and the tasks it waits for. */
  private record Unit(String key, String only, Set<String> dependsOn) {}

  private List<Unit> units() {
    List<TableDefinition> order = pipeline.topologicalOrder();
    List<Unit> units = new ArrayList<>();
    if (perTable) {
      for (TableDefinition t : order) {
        Set<String> deps = new LinkedHashSet<>();
        t.inputs().stream().filter(in -> pipeline.table(in).isPresent()).forEach(in -> deps.add(tableKey(in)));
        units.add(new Unit(tableKey(t.ref()), t.ref().toString(), deps));
      }
      return units;
    }
    Map<Layer, Set<String>> deps = new LinkedHashMap<>();
    for (TableDefinition t : order) {
      Set<String> d = deps.computeIfAbsent(t.ref().layer(), l -> new LinkedHashSet<>());
      for (TableRef in : t.inputs()) {
        if (pipeline.table(in).isPresent() && in.layer() != t.ref().layer()) {
          d.add(in.layer().key());
        }
      }
    }
    checkNoCycle(deps);
    for (Layer layer : Layer.values()) {
      if (deps.containsKey(layer)) {
        units.add(new Unit(layer.key(), layer.key(), deps.get(layer)));
      }
    }
    return orderLayers(units);
  }

  /** Layers in an order where every task comes after those it depends on. */
  private static List<Unit> orderLayers(List<Unit> units) {
    List<Unit> ordered = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    while (ordered.size() < units.size()) {
      for (Unit u : units) {
        if (!done.contains(u.key) && done.containsAll(u.dependsOn)) {
          ordered.add(u);
          done.add(u.key);
        }
      }
    }
    return ordered;
  }

  private void checkNoCycle(Map<Layer, Set<String>> deps) {
    for (Layer start : deps.keySet()) {
      List<String> path = new ArrayList<>(List.of(start.key()));
      if (reaches(deps, start.key(), start.key(), path, new LinkedHashSet<>())) {
        throw BundleErrors.layerCycle(pipeline.name(), path);
      }
    }
  }

  private static boolean reaches(Map<Layer, Set<String>> deps, String from, String target, List<String> path, Set<String> seen) {
    for (String next : deps.getOrDefault(Layer.valueOf(from.toUpperCase(java.util.Locale.ROOT)), Set.of())) {
      path.add(next);
      if (next.equals(target) || (seen.add(next) && reaches(deps, next, target, path, seen))) {
        return true;
      }
      path.remove(path.size() - 1);
    }
    return false;
  }

  private static String tableKey(TableRef ref) {
    return ref.layer().key() + "_" + ref.name().replaceAll("[^A-Za-z0-9_]", "_");
  }

  private static Map<String, Object> variable(String description, Object defaultValue) {
    return map("description", description, "default", defaultValue);
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
