package io.medallion.cli;

import io.medallion.config.ConfigLoader;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.Environment;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the command line finds its files. {@code --pipeline} and {@code --env} take a name (a file
 * {@code <conf-dir>/pipelines/<name>.conf} or {@code <conf-dir>/env/<name>.conf}) or a path to a
 * {@code .conf} file; every relative path (those, {@code --conf-dir}, and the roots inside the
 * environment) is relative to the caller's working directory.
 */
final class ConfFiles {
  private ConfFiles() {}

  /** The pipeline and environment named or given as files by the command line. */
  static LoadedPipeline load(String confDir, String pipeline, String env) {
    Path dir = Path.of(confDir);
    if (!isPath(pipeline) && !isPath(env)) {
      return ConfigLoader.load(dir, pipeline, env);
    }
    return ConfigLoader.loadPipeline(
        file(dir, "pipelines", "pipeline", pipeline), file(dir, "env", "environment", env));
  }

  /** The environment named or given as a file by the command line. */
  static Environment environment(String confDir, String env) {
    return ConfigLoader.loadEnvironment(file(Path.of(confDir), "env", "environment", env));
  }

  /** True for a value that is a path ({@code .conf} at the end, or a directory separator). */
  static boolean isPath(String value) {
    return value.endsWith(".conf") || value.contains("/") || value.contains(File.separator);
  }

  /** The file of a name ({@code <confDir>/<dir>/<name>.conf}) or of a path. */
  static Path file(Path confDir, String dir, String kind, String value) {
    if (isPath(value)) {
      Path file = Path.of(value);
      if (!Files.isRegularFile(file)) {
        throw CliErrors.noSuchConfFile(file, kind, workingDir(), confDir.toAbsolutePath().resolve(dir));
      }
      return file;
    }
    return dir.equals("env") ? ConfigLoader.environmentFile(confDir, value) : ConfigLoader.pipelineFile(confDir, value);
  }

  /** The line a run prints first: where its tables, checkpoints and input files are. */
  static String roots(Environment env) {
    return "Roots: warehouse "
        + env.warehouseRoot() + ", checkpoints " + env.checkpointRoot() + ", landing " + env.landingRoot()
        + " (working directory " + workingDir() + ")";
  }

  private static Path workingDir() {
    return Path.of("").toAbsolutePath();
  }
}
