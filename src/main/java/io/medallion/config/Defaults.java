package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.medallion.pipeline.Environment.PlatformChoice;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.Layer;
import io.medallion.table.TableSpec;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.WriteMode;
import io.medallion.quality.Action;
import io.medallion.quality.NullResult;
import java.util.EnumMap;
import java.util.Map;

/**
 * The defaults of {@code reference.conf} ({@code medallion.defaults}, {@code medallion.env},
 * {@code medallion.session}) as typed values, read once with the same strict rules as a pipeline
 * file. Pipelines built in code ({@link PipelineBuilder#pipeline}) and
 * {@link #localEnvironment} take their defaults from here, so they match what
 * a file gets. JVM system properties override {@code reference.conf}
 * ({@code -Dmedallion.defaults.silver.trigger=once}), as in any typesafe-config library.
 */
public final class Defaults {
  static final String ORIGIN = "reference.conf";
  private static volatile Defaults reference;

  private final Map<Layer, ConfigObject> layers = new EnumMap<>(Layer.class);
  private final ConfigObject env;
  private final Map<Layer, Execution> execution = new EnumMap<>(Layer.class);
  private final Map<Layer, Trigger> trigger = new EnumMap<>(Layer.class);
  private final Map<Layer, TableSpec> spec = new EnumMap<>(Layer.class);
  private final WriteMode mode;
  private final io.medallion.pipeline.GoldTable.Refresh goldRefresh;
  private final Map<String, Map<String, String>> sourceOptions = new java.util.HashMap<>();
  private final PlatformChoice platform;
  private final Map<String, String> sparkConf;
  private final Map<String, String> sessionConf;
  private final ConfigObject expectationDefaults;
  private final ConfigObject checkDefaults;
  private final ConfigObject cdcDefaults;
  private final Action expectationAction;
  private final NullResult nullResult;
  private final Action checkAction;
  private final String quarantineSuffix;
  private final java.time.Duration runLockStaleAfter;

  private Defaults(Config config) {
    Section root = Section.root(ORIGIN, config.root());
    Section medallion = root.section("medallion", "the medallion section");
    Section defaults = medallion.section("defaults", "the table defaults");
    for (Layer layer : Layer.values()) {
      Section s = defaults.section(layer.key(), "the defaults of " + layer.key() + " tables");
      ConfigObject object = (ConfigObject) config.getValue(s.path());
      layers.put(layer, object);
      Section d = Section.defaults(ORIGIN, s.path(), object);
      spec.put(layer, PipelineReader.spec(d));
      if (layer != Layer.GOLD) {
        Execution e = PipelineReader.execution(d);
        execution.put(layer, e);
        trigger.put(layer, PipelineReader.trigger(d, e));
      }
    }
    goldRefresh = Section.defaults(ORIGIN, "medallion.defaults.gold", layers.get(Layer.GOLD))
        .choice("refresh", PipelineReader.REFRESHES);
    mode = PipelineReader.mode(Section.defaults(ORIGIN, "medallion.defaults.silver", layers.get(Layer.SILVER)));
    Section sources = medallion.section("sources", "the source defaults per type");
    for (String type : sources.keys()) {
      Section t = sources.section(type, "the defaults of " + type + " sources");
      sourceOptions.put(type, Map.copyOf(t.stringMap("options", "a map of reader options")));
    }
    Section quality = medallion.section("quality", "the data-quality defaults");
    Section expectation = quality.section("expectation", "the expectation defaults");
    expectationDefaults = (ConfigObject) config.getValue(expectation.path());
    expectationAction = expectation.choice("on-violation", QualityReader.ACTIONS);
    nullResult = expectation.choice("null-result", QualityReader.NULL_RESULTS);
    cdcDefaults = (ConfigObject) config.getValue(medallion.section("cdc", "the AUTO CDC defaults").path());
    Section check = quality.section("check", "the dataset check defaults");
    checkDefaults = (ConfigObject) config.getValue(check.path());
    checkAction = check.choice("on-violation", QualityReader.CHECK_ACTIONS);
    quarantineSuffix = quality.nonBlank("quarantine-suffix", "a table name suffix, e.g. \"_quarantine\"");
    runLockStaleAfter = medallion.section("run", "the run settings").duration("lock-stale-after");
    Section envSection = medallion.section("env", "the environment defaults");
    env = (ConfigObject) config.getValue(envSection.path());
    platform = envSection.choice("platform", EnvironmentReader.PLATFORMS);
    sparkConf = envSection.stringMap("spark-conf", "a map of Spark settings");
    sessionConf =
        medallion
            .section("session", "the session settings")
            .stringMap("spark-conf", "a map of Spark settings");
  }

  /**
   * The defaults of the {@code reference.conf} files on medallion's class path, merged and read
   * once per JVM.
   *
   * @throws ConfigurationException if a default is invalid (e.g. overridden by a system property
   *     with a value that does not parse)
   */
  public static Defaults reference() {
    Defaults d = reference;
    if (d == null) {
      synchronized (Defaults.class) {
        if (reference == null) {
          Config config;
          try {
            config = ConfigFactory.defaultReference(Defaults.class.getClassLoader());
          } catch (ConfigException e) {
            throw ConfigErrors.at(ORIGIN, "", e.getMessage());
          }
          reference = new Defaults(config);
        }
        d = reference;
      }
    }
    return d;
  }

  /** How gold tables are refreshed unless they say ({@code auto}). */
  public io.medallion.pipeline.GoldTable.Refresh goldRefresh() {
    return goldRefresh;
  }

  /** The default execution of bronze or silver tables ({@code streaming}); gold is always batch. */
  public Execution execution(Layer layer) {
    return layer == Layer.GOLD ? Execution.BATCH : execution.get(layer);
  }

  /**
   * The default trigger of bronze or silver tables ({@code available-now}).
   *
   * @throws IllegalArgumentException for gold, which has no trigger (it is recomputed in batch)
   */
  public Trigger trigger(Layer layer) {
    if (layer == Layer.GOLD) {
      throw ConfigErrors.goldHasNoTrigger();
    }
    return trigger.get(layer);
  }

  /** The default write mode of silver tables ({@code upsert}). */
  public WriteMode mode() {
    return mode;
  }

  /** The default layout of a table of the layer (no comment, no partitions, no properties). */
  public TableSpec spec(Layer layer) {
    return spec.get(layer);
  }

  /**
   * The options every bronze source of a type starts with ({@code medallion.sources.<type>.options}:
   * {@code recursiveFileLookup = true} for files, {@code startingOffsets = earliest} for kafka).
   */
  public Map<String, String> sourceOptions(String type) {
    return sourceOptions.getOrDefault(type, Map.of());
  }

  /** The default platform choice ({@code auto}). */
  public PlatformChoice platform() {
    return platform;
  }

  /** The default extra Spark settings of an environment (none). */
  public Map<String, String> environmentSparkConf() {
    return sparkConf;
  }

  /**
   * The Spark settings medallion applies when it creates the session itself
   * ({@code medallion.session.spark-conf}: the Delta SQL extension and catalog).
   */
  public Map<String, String> sessionConf() {
    return sessionConf;
  }

  /** The default action of an expectation ({@code warn}, as DLT's {@code expect}). */
  public Action expectationAction() {
    return expectationAction;
  }

  /** What a NULL expectation result means by default ({@code pass}, as in DLT). */
  public NullResult nullResult() {
    return nullResult;
  }

  /** The default action of a dataset check ({@code fail}). */
  public Action checkAction() {
    return checkAction;
  }

  /** The suffix of quarantine table names ({@code _quarantine}). */
  public String quarantineSuffix() {
    return quarantineSuffix;
  }

  /**
   * How long a run lock may go without a heartbeat before another run takes it over
   * ({@code medallion.run.lock-stale-after}, 2 minutes): the lock of a run that crashed.
   */
  public java.time.Duration runLockStaleAfter() {
    return runLockStaleAfter;
  }

  /**
   * {@link io.medallion.pipeline.Environment#local} with this platform and these Spark settings
   * ({@code medallion.env}): the environment named {@code local} under {@code root}.
   */
  public io.medallion.pipeline.Environment localEnvironment(java.nio.file.Path root) {
    return io.medallion.pipeline.Environment.local(root, platform, sparkConf);
  }

  /** The raw {@code medallion.quality.expectation} object, the fallback of every rule in a file. */
  /** {@code medallion.cdc}: the defaults of a silver table's {@code cdc} block. */
  ConfigObject cdcDefaults() {
    return cdcDefaults;
  }

  ConfigObject expectationDefaults() {
    return expectationDefaults;
  }

  /** The raw {@code medallion.quality.check} object, the fallback of every check in a file. */
  ConfigObject checkDefaults() {
    return checkDefaults;
  }

  /** The raw defaults object of a layer, the fallback of every table of that layer in a file. */
  ConfigObject layer(Layer layer) {
    return layers.get(layer);
  }

  /** The raw {@code medallion.env} object, the fallback of {@code env} in an environment file. */
  ConfigObject env() {
    return env;
  }
}
