package io.medallion.cli;

import io.medallion.bundle.DatabricksBundle;
import io.medallion.config.ConfigLoader;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.Environment;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code medallion bundle}: writes the Databricks Asset Bundle of a pipeline (see {@link DatabricksBundle}). */
final class BundleCommand {
  static final String OPTIONS = "--pipeline P [--env E ...] [--tasks layer|table] [--maintain-cron 'Q'] [--out DIR]";

  private final PrintStream out;

  BundleCommand(PrintStream out) {
    this.out = out;
  }

  void execute(String[] args) {
    CommandArgs a = CommandArgs.parse(args, Set.of("--pipeline", "--env", "--tasks", "--maintain-cron", "--out",
        "--conf-dir"), OPTIONS);
    Path confDir = Path.of(a.value("--conf-dir", CommandArgs.confDir()));
    String pipelineName = a.required("--pipeline", "a name under <conf-dir>/pipelines");
    List<String> envs = a.values("--env", List.of("dev", "prod"));
    String tasks = a.value("--tasks", "layer");
    if (!tasks.equals("layer") && !tasks.equals("table")) {
      throw CliErrors.usage("--tasks " + tasks + ": expected layer (one task per layer) or table (one per table).");
    }
    List<Environment> targets = new ArrayList<>();
    LoadedPipeline first = null;
    for (String env : envs) {
      LoadedPipeline loaded = ConfigLoader.load(confDir, pipelineName, env);
      first = first == null ? loaded : first;
      targets.add(loaded.environment());
    }
    Path dir = Path.of(a.value("--out", "conf/bundle"));
    DatabricksBundle bundle = DatabricksBundle.of(first.pipeline(), targets,
        tasks.equals("table") ? DatabricksBundle.Tasks.PER_TABLE : DatabricksBundle.Tasks.PER_LAYER, dir,
        java.util.Optional.ofNullable(a.value("--maintain-cron", null)));
    for (Path file : bundle.writeTo(dir)) {
      out.println("wrote " + file);
    }
    out.println("Deploy with: cd " + dir + " && databricks bundle deploy -t " + envs.get(0)
        + " && databricks bundle run -t " + envs.get(0) + " " + first.pipeline().name().replaceAll("[^A-Za-z0-9_]", "_"));
  }
}
