package io.medallion.config;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Environment.PlatformChoice;
import io.medallion.pipeline.Layer;
import io.medallion.table.TableName;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code env { ... }} of a resolved environment file into an {@link Environment}. */
final class EnvironmentReader {
  static final Map<String, PlatformChoice> PLATFORMS;

  static {
    Map<String, PlatformChoice> m = new LinkedHashMap<>();
    m.put("auto", PlatformChoice.AUTO);
    m.put("oss", PlatformChoice.OSS);
    m.put("databricks", PlatformChoice.DATABRICKS);
    PLATFORMS = java.util.Collections.unmodifiableMap(m);
  }

  private static final Set<String> ENV_KEYS =
      Set.of(
          "name", "platform", "storage-root", "warehouse-root", "checkpoint-root", "landing-root",
          "catalogs", "master", "spark-conf", "event-log");
  private static final List<String> LAYERS = List.of("bronze", "silver", "gold");

  private final Path baseDir;
  private final Defaults defaults;

  EnvironmentReader(Path baseDir, Defaults defaults) {
    this.baseDir = baseDir;
    this.defaults = defaults;
  }

  Environment read(Section root) {
    Section env = root.child("env", defaults.env(), "the environment: env { name = ..., catalogs { ... }, ... }");
    env.allowOnly(ENV_KEYS, "an environment", Map.of());
    String name = env.nonBlank("name", "the environment name, e.g. name = dev");
    if (!TableName.isValidPart(name)) {
      throw env.error("name", "the environment name '" + name + "' may only contain letters, digits, '_' and '-'");
    }
    PlatformChoice platform = env.choice("platform", PLATFORMS);
    env.optionalString("storage-root", "a storage location other keys refer to as ${env.storage-root}");
    String warehouse = location(env, "warehouse-root", "where catalogs keep their tables, e.g. warehouse-root = ${env.storage-root}/warehouse");
    String checkpoints = location(env, "checkpoint-root", "where streaming checkpoints live, e.g. checkpoint-root = ${env.storage-root}/checkpoints");
    String landing = location(env, "landing-root", "where raw files land, e.g. landing-root = s3a://bucket/landing");
    Section catalogs =
        env.section("catalogs", "the catalog of each layer, e.g. catalogs { bronze = dev_bronze, silver = dev_silver, gold = dev_gold }");
    catalogs.allowOnly(LAYERS, "catalogs (one per layer)", Map.of());
    Map<Layer, String> byLayer = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      String catalog = catalogs.nonBlank(layer.key(), "the catalog of " + layer.key() + " tables, e.g. " + layer.key() + " = dev_" + layer.key());
      try {
        TableName.of(catalog, "schema", "table");
      } catch (IllegalArgumentException e) {
        throw catalogs.error(
            layer.key(),
            "catalog '" + catalog + "' is not a valid catalog name: it may only contain letters, digits, '_'"
                + " and '-' (1 to 255 characters), e.g. " + layer.key() + " = dev_" + layer.key());
      }
      byLayer.put(layer, catalog);
    }
    Optional<String> master = env.optionalString("master", "a Spark master, e.g. master = \"local[*]\"");
    Map<String, String> sparkConf =
        env.stringMap("spark-conf", "a map of Spark settings, e.g. spark-conf { \"spark.sql.shuffle.partitions\" = \"4\" }");
    try {
      String eventLog = env.nonBlank("event-log", "auto, off or a catalog.schema.table name, e.g. event-log = \"ops.pipelines.event_log\"");
      return new Environment(name, platform, byLayer, warehouse, checkpoints, landing, master, sparkConf, eventLog);
    } catch (IllegalArgumentException e) {
      throw env.error(e.getMessage());
    }
  }

  private String location(Section env, String key, String expect) {
    String value = env.nonBlank(key, expect);
    try {
      return Paths.resolve(value, baseDir);
    } catch (IllegalArgumentException e) {
      throw env.error(key, "'" + value + "' is not a valid path or URI: expected " + expect);
    }
  }
}
