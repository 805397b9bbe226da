package io.medallion.pipeline;

import io.medallion.table.TableName;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a pipeline's tables live in one deployment (local, dev, prod): the catalog of each layer and
 * the storage roots.
 *
 * @param name the environment name, e.g. {@code dev}
 * @param platform which platform to run on; {@link PlatformChoice#AUTO} detects it
 * @param catalogs the catalog of each layer, e.g. bronze -> {@code dev_bronze}
 * @param warehouseRoot on open-source Spark, where catalog {@code c} keeps its tables
 *     ({@code <warehouse-root>/<c>}); unused on Databricks, where Unity Catalog decides
 * @param checkpointRoot where streaming checkpoints live ({@code <root>/<pipeline>/<layer>/<table>})
 * @param landingRoot where raw files land (pipelines refer to it as {@code ${env.landing-root}})
 * @param master the Spark master used only when medallion creates the session itself outside
 *     spark-submit (e.g. {@code local[*]} for the demo)
 * @param sparkConf extra Spark settings applied when medallion creates the session
 * @param eventLog the pipeline event log table: {@code auto} ({@code <bronze catalog>.<pipeline
 *     schema>.event_log}), {@code off}, or a three-level table name
 */
public record Environment(
    String name,
    PlatformChoice platform,
    Map<Layer, String> catalogs,
    String warehouseRoot,
    String checkpointRoot,
    String landingRoot,
    Optional<String> master,
    Map<String, String> sparkConf,
    String eventLog) {
  /** The event log setting that names {@code <bronze catalog>.<pipeline schema>.event_log}. */
  public static final String EVENT_LOG_AUTO = "auto";
  /** The event log setting that turns the event log off. */
  public static final String EVENT_LOG_OFF = "off";

  /** How the platform is chosen: detected ({@code auto}) or forced. */
  public enum PlatformChoice {
    /** Detect the runtime: Databricks Runtime when present, else open-source Spark. */
    AUTO,
    /** Open-source Spark (spark-submit, EMR, local). */
    OSS,
    /** The Databricks Runtime. */
    DATABRICKS
  }

  /**
   * Validates and normalizes: every layer needs a catalog that is a valid {@link TableName} part
   * (stored in lower case, as {@link TableName} compares names); roots must not be blank and lose a
   * trailing slash.
   *
   * @throws IllegalArgumentException saying what is missing or invalid
   */
  public Environment {
    if (name == null || name.isBlank()) {
      throw PipelineErrors.environmentWithoutName();
    }
    if (platform == null) {
      throw PipelineErrors.environmentWithoutPlatform(name);
    }
    Map<Layer, String> normalized = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      String catalog = catalogs.get(layer);
      if (catalog == null) {
        throw PipelineErrors.environmentWithoutCatalog(name, layer);
      }
      try {
        normalized.put(layer, TableName.of(catalog, "schema", "table").catalog());
      } catch (IllegalArgumentException e) {
        throw PipelineErrors.badCatalogName(name, layer, catalog);
      }
    }
    catalogs = Collections.unmodifiableMap(normalized);
    sparkConf = Map.copyOf(sparkConf);
    master = master == null ? Optional.empty() : master;
    warehouseRoot = root(name, "warehouse-root", warehouseRoot);
    checkpointRoot = root(name, "checkpoint-root", checkpointRoot);
    landingRoot = root(name, "landing-root", landingRoot);
    eventLog = eventLog == null ? EVENT_LOG_AUTO : eventLog.strip();
    if (!eventLog.equals(EVENT_LOG_AUTO) && !eventLog.equals(EVENT_LOG_OFF)) {
      try {
        TableName.parse(eventLog);
      } catch (IllegalArgumentException e) {
        throw PipelineErrors.badEventLog(name, eventLog, e);
      }
    }
  }

  /** An environment with the default event log ({@code auto}). */
  public Environment(
      String name,
      PlatformChoice platform,
      Map<Layer, String> catalogs,
      String warehouseRoot,
      String checkpointRoot,
      String landingRoot,
      Optional<String> master,
      Map<String, String> sparkConf) {
    this(name, platform, catalogs, warehouseRoot, checkpointRoot, landingRoot, master, sparkConf, EVENT_LOG_AUTO);
  }

  /**
   * An environment named {@code local} for running on this machine: catalogs {@code local_bronze},
   * {@code local_silver} and {@code local_gold}, tables under {@code <root>/warehouse},
   * checkpoints under {@code <root>/checkpoints}, landing files under {@code <root>/landing},
   * master {@code local[*]}, and the given platform and Spark settings ({@code
   * io.medallion.config.Defaults#localEnvironment} passes those of {@code reference.conf}).
   *
   * @param root a local directory, made absolute
   */
  public static Environment local(Path root, PlatformChoice platform, Map<String, String> sparkConf) {
    String r = root.toAbsolutePath().normalize().toString();
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      catalogs.put(layer, "local_" + layer.key());
    }
    return new Environment(
        "local",
        platform,
        catalogs,
        r + "/warehouse",
        r + "/checkpoints",
        r + "/landing",
        Optional.of("local[*]"),
        sparkConf);
  }

  /** A copy whose raw files land elsewhere (a path or URI, used as it is). */
  public Environment withLandingRoot(String landingRoot) {
    return new Environment(name, platform, catalogs, warehouseRoot, checkpointRoot, landingRoot, master, sparkConf, eventLog);
  }

  /** A copy with one more Spark setting (replacing one of the same key). */
  public Environment withSparkConf(String key, String value) {
    Map<String, String> conf = new LinkedHashMap<>(sparkConf);
    conf.put(key, value);
    return new Environment(name, platform, catalogs, warehouseRoot, checkpointRoot, landingRoot, master, conf, eventLog);
  }

  private static String root(String env, String key, String value) {
    if (value == null || value.isBlank()) {
      throw PipelineErrors.environmentWithout(env, key);
    }
    return stripSlash(value);
  }

  private static String stripSlash(String s) {
    return s != null && s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** The three-level name of a pipeline table in this environment. */
  public TableName tableName(PipelineDefinition pipeline, TableRef ref) {
    return TableName.of(catalogs.get(ref.layer()), pipeline.schema(), ref.name());
  }

  /** A copy with another event log setting: {@code auto}, {@code off} or a three-level name. */
  public Environment withEventLog(String setting) {
    return new Environment(name, platform, catalogs, warehouseRoot, checkpointRoot, landingRoot, master, sparkConf, setting);
  }

  /** The event log table of a pipeline in this environment, empty when the event log is off. */
  public Optional<TableName> eventLogTable(PipelineDefinition pipeline) {
    if (eventLog.equals(EVENT_LOG_OFF)) {
      return Optional.empty();
    }
    if (eventLog.equals(EVENT_LOG_AUTO)) {
      return Optional.of(TableName.of(catalogs.get(Layer.BRONZE), pipeline.schema(), "event_log"));
    }
    return Optional.of(TableName.parse(eventLog));
  }

  /**
   * The quarantine table of a pipeline table: the same catalog and schema, the table name with a
   * suffix ({@code medallion.quality.quarantine-suffix}, {@code _quarantine}: {@code orders_quarantine}).
   */
  public TableName quarantineName(PipelineDefinition pipeline, TableRef ref, String suffix) {
    TableName t = tableName(pipeline, ref);
    return TableName.of(t.catalog(), t.schema(), t.table() + suffix);
  }

  /** The storage root of one catalog on open-source Spark. */
  public String warehouseOf(String catalog) {
    return warehouseRoot + "/" + catalog;
  }

  /** The checkpoint directory of one streaming table; it never changes for the same table. */
  public String checkpointOf(PipelineDefinition pipeline, TableRef ref) {
    return checkpointRoot + "/" + pipeline.name() + "/" + ref.layer().key() + "/" + ref.name();
  }
}
