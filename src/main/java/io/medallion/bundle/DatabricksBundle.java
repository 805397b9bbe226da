package io.medallion.bundle;

import io.medallion.bundle.internal.BundleErrors;
import io.medallion.bundle.internal.BundleModel;
import io.medallion.bundle.internal.JobJar;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Databricks Asset Bundle that deploys a pipeline as one job of JAR tasks: {@code databricks.yml}
 * (the job jar built by Maven and uploaded to a Unity Catalog volume, {@code conf/} synced, one
 * target per environment, {@code mode: development} for {@code dev}) and {@code
 * resources/<pipeline>.job.yml} (one {@code spark_jar_task} per layer, or per table, running {@code
 * run --pipeline P --env ${bundle.target} --only <layer or table>}, with {@code depends_on} following
 * each table's {@code from} and SQL references: tasks that do not depend on each other run at once,
 * each holding the locks of its own tables). The job cluster runs a Databricks Runtime LTS on
 * Spark 3.5 / Scala 2.12 and adds no Spark or Delta packages: the runtime provides them.
 *
 * <p>The output depends only on its inputs (no timestamps), so a generated bundle can be kept in
 * version control and checked for drift.
 */
public final class DatabricksBundle {
  /** How the pipeline is split into tasks. */
  public enum Tasks {
    /** One task per layer (bronze, silver, gold): the default. */
    PER_LAYER,
    /** One task per table. */
    PER_TABLE
  }

  private final BundleModel model;
  private final String pipelineName;

  private DatabricksBundle(BundleModel model, String pipelineName) {
    this.model = model;
    this.pipelineName = pipelineName;
  }

  /**
   * The bundle of {@code pipeline}.
   *
   * @param targets the environments that become the bundle's targets (their names are the target
   *     names the job passes to {@code --env})
   * @param bundleDir where the bundle will be written, relative to the project folder (the one with
   *     pom.xml), e.g. {@code conf/bundle}: paths to the build and to {@code conf/} are relative to it
   */
  public static DatabricksBundle of(PipelineDefinition pipeline, List<Environment> targets, Tasks tasks, Path bundleDir) {
    return of(pipeline, targets, tasks, bundleDir, java.util.Optional.empty());
  }

  /**
   * The bundle of {@code pipeline}, with a second job {@code <pipeline>_maintain} that runs
   * {@code maintain} on {@code maintainCron} when present: a Quartz cron expression, in UTC (e.g.
   * {@code 0 0 3 * * ?}, daily at 03:00). When a run is writing a table that runs rewrite,
   * {@code maintain} fails at once and its task tries again after 15 minutes, up to 3 times.
   *
   * @throws io.medallion.MedallionException if {@code maintainCron} is not a Quartz cron expression
   */
  public static DatabricksBundle of(PipelineDefinition pipeline, List<Environment> targets, Tasks tasks, Path bundleDir,
      java.util.Optional<String> maintainCron) {
    Path dir = bundleDir.normalize();
    String projectDir = dir.isAbsolute()
        ? dir.relativize(Path.of("").toAbsolutePath()).toString()
        : dir.toString().isEmpty() ? "" : dir.relativize(Path.of("")).toString();
    projectDir = projectDir.replace('\\', '/');
    return new DatabricksBundle(
        new BundleModel(pipeline, targets, tasks == Tasks.PER_TABLE, projectDir, JobJar.mainClass(DatabricksBundle.class),
            maintainCron),
        pipeline.name());
  }

  /** The files of the bundle: path relative to the bundle folder, and content. */
  public Map<String, String> files() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("databricks.yml", model.databricksYml());
    files.put("resources/" + pipelineName + ".job.yml", model.jobYml());
    return files;
  }

  /**
   * Writes the files under {@code dir} (created if needed), replacing earlier versions.
   *
   * @return the files written
   */
  public List<Path> writeTo(Path dir) {
    return files().entrySet().stream().map(e -> {
      Path file = dir.resolve(e.getKey());
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      } catch (IOException ex) {
        throw BundleErrors.cannotWrite(file, ex);
      }
      return file;
    }).toList();
  }
}
