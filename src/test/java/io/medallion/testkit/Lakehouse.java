package io.medallion.testkit;

import io.medallion.config.ConfigLoader;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A throw-away lakehouse for one test class: the shared local session and a temporary directory in
 * which each {@link #environment} gets catalogs with names of their own ({@code t<N>_bronze},
 * {@code t<N>_silver}, {@code t<N>_gold}), so tests sharing the JVM never see each other's tables.
 *
 * <p>Get one with {@link MedallionExtension}: {@code @ExtendWith(MedallionExtension.class)} and a
 * {@code Lakehouse} parameter on a test or lifecycle method.
 */
public final class Lakehouse {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final Path root;

  Lakehouse(Path root) {
    this.root = root;
  }

  /** The shared local SparkSession (Delta enabled). */
  public SparkSession spark() {
    return LocalSpark.session();
  }

  /** The temporary directory everything of this lakehouse lives in. */
  public Path root() {
    return root;
  }

  /**
   * A new, empty environment whose files land under {@code landingRoot}: each call gets catalogs of
   * its own ({@code t<N>_bronze}, ...) with tables and checkpoints under {@code <root>/t<N>}.
   */
  public Environment environment(String landingRoot) {
    String prefix = "t" + COUNTER.incrementAndGet();
    Path home = root.resolve(prefix);
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      catalogs.put(layer, prefix + "_" + layer.key());
    }
    return new Environment(
        "test",
        Environment.PlatformChoice.OSS,
        catalogs,
        home.resolve("warehouse").toString(),
        home.resolve("checkpoints").toString(),
        landingRoot,
        Optional.empty(),
        Map.of());
  }

  /** An environment whose files land under {@code <root>/landing}. */
  public Environment environment() {
    return environment(root.resolve("landing").toString());
  }

  /**
   * Loads a pipeline file with an environment file (for its substitutions, such as
   * {@code ${env.landing-root}}), then moves its tables into this lakehouse: the landing root stays
   * the environment file's, catalogs and storage are this lakehouse's.
   */
  public Loaded load(Path pipelineFile, Path envFile) {
    LoadedPipeline loaded = ConfigLoader.loadPipeline(pipelineFile, envFile);
    return new Loaded(loaded.pipeline(), environment(loaded.environment().landingRoot()));
  }

  /**
   * Like {@link #load(Path, Path)}, with files landing under {@code landingRoot} instead of the
   * environment file's landing root (the pipeline's {@code ${env.landing-root}} paths follow).
   */
  public Loaded load(Path pipelineFile, Path envFile, String landingRoot) {
    try {
      Path overlay = Files.createTempFile(root, "env-", ".conf");
      Files.writeString(overlay,
          "include file(" + quote(envFile.toAbsolutePath().toString()) + ")\n"
              + "env.landing-root = " + quote(landingRoot) + "\n");
      return load(pipelineFile, overlay);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A pipeline and the environment it runs in here. */
  public record Loaded(PipelineDefinition pipeline, Environment environment) {}

  /** A runner for the pipeline in this lakehouse's environment. */
  public PipelineRunner runner(PipelineDefinition pipeline, Environment env) {
    return new PipelineRunner(spark(), pipeline, env);
  }

  /** Runs every table of the pipeline. */
  public RunResult run(PipelineDefinition pipeline, Environment env) {
    return run(pipeline, env, RunOptions.all());
  }

  /** Runs the pipeline with options. */
  public RunResult run(PipelineDefinition pipeline, Environment env, RunOptions options) {
    return runner(pipeline, env).run(options);
  }

  /** Runs a loaded pipeline. */
  public RunResult run(Loaded loaded) {
    return run(loaded.pipeline(), loaded.environment());
  }

  /** A pipeline table's rows, by its reference (e.g. {@code "gold.daily_revenue"}). */
  public Dataset<Row> table(PipelineDefinition pipeline, Environment env, String ref) {
    return table(env.tableName(pipeline, TableRef.parse(ref)));
  }

  /** A pipeline table's rows, by reference. */
  public Dataset<Row> table(Loaded loaded, String ref) {
    return table(loaded.pipeline(), loaded.environment(), ref);
  }

  /**
   * The quarantine table of a pipeline table (rows its {@code quarantine} rules set aside, with
   * {@code _errors}), by the table's reference (e.g. {@code "silver.orders"}).
   */
  public Dataset<Row> quarantine(PipelineDefinition pipeline, Environment env, String ref) {
    return table(env.quarantineName(pipeline, TableRef.parse(ref),
        io.medallion.config.Defaults.reference().quarantineSuffix()));
  }

  /** A table's rows, by its three-level name. */
  public Dataset<Row> table(TableName name) {
    return spark().table(name.quoted());
  }

  /** A table's rows, by its three-level name ({@code catalog.schema.table}). */
  public Dataset<Row> table(String name) {
    return table(TableName.parse(name));
  }
}
