package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import io.medallion.internal.Suggestions;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads pipeline and environment files (HOCON) into validated definitions. Stateless: static
 * methods only.
 *
 * <h2>Files</h2>
 *
 * A configuration directory holds {@code pipelines/<name>.conf} (one {@code pipeline { ... }}
 * each) and {@code env/<name>.conf} (one {@code env { ... }} each); the formats and every default
 * are documented in {@code reference.conf}. A pipeline file is resolved with its environment file
 * as fallback, so it can write {@code path = ${env.landing-root}/orders}.
 *
 * <h2>Substitutions</h2>
 *
 * {@code ${x}} and {@code ${?x}} look up, in order: the files' own keys, JVM system properties, and
 * environment variables. So {@code storage-root = ${?MEDALLION_STORAGE_ROOT}} can be overridden by
 * {@code export MEDALLION_STORAGE_ROOT=...} or {@code -DMEDALLION_STORAGE_ROOT=...}.
 *
 * <h2>Paths</h2>
 *
 * {@code warehouse-root}, {@code checkpoint-root}, {@code landing-root} and a files source's
 * {@code path} that are relative local paths are made absolute against a base directory (the
 * working directory unless given); URIs with a scheme ({@code s3a://}, {@code dbfs:/},
 * {@code file:/}, {@code abfss://}) are kept as they are.
 *
 * <h2>Errors</h2>
 *
 * Reading is strict and eager: an unknown key, a value of the wrong type, a missing required key,
 * a bad name or reference, an unresolved substitution or a syntax error fails here, at start-up,
 * with a {@link ConfigurationException} naming the file, line, config path and what is expected.
 * No typesafe-config exception escapes.
 */
public final class ConfigLoader {
  private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{\\??\\s*([^}]*?)\\s*\\}");

  private ConfigLoader() {}

  // ---- environments ----

  /** Reads an environment file, resolving relative paths against the working directory. */
  public static Environment loadEnvironment(Path envFile) {
    return loadEnvironment(envFile, workingDir());
  }

  /**
   * Reads an environment file, {@code env { ... }}.
   *
   * @param baseDir the directory relative local paths are resolved against
   * @throws ConfigurationException for any mistake, or a missing file (listing the files there)
   */
  public static Environment loadEnvironment(Path envFile, Path baseDir) {
    return readEnvironment(envFile, parseEnvironment(envFile), baseDir);
  }

  private static Environment readEnvironment(Path envFile, Config raw, Path baseDir) {
    String file = envFile.toString();
    Config resolved = resolve(raw, file, List.of(new Source(file, raw)));
    try {
      return new EnvironmentReader(baseDir.toAbsolutePath(), Defaults.reference())
          .read(Section.root(file, resolved.root()));
    } catch (ConfigException e) { // not expected: the reader checks types itself
      throw translate(e, file, List.of());
    }
  }

  // ---- pipelines ----

  /** Reads a pipeline file and its environment file, relative paths against the working directory. */
  public static LoadedPipeline loadPipeline(Path pipelineFile, Path envFile) {
    return loadPipeline(pipelineFile, envFile, workingDir());
  }

  /**
   * Reads a pipeline file, {@code pipeline { ... }}, resolved with the environment file as
   * fallback, and the environment file itself.
   *
   * @param baseDir the directory relative local paths are resolved against
   * @throws ConfigurationException for any mistake in either file, or a missing file
   */
  public static LoadedPipeline loadPipeline(Path pipelineFile, Path envFile, Path baseDir) {
    Config envRaw = parseEnvironment(envFile);
    Environment environment = readEnvironment(envFile, envRaw, baseDir);
    String file = pipelineFile.toString();
    Config raw = parse(pipelineFile, "pipeline");
    checkDuplicateTables(pipelineFile);
    Section.root(file, raw.root())
        .allowOnly(
            List.of("pipeline"),
            "a pipeline file (it holds one pipeline { ... })",
            Map.of(
                "env", "the environment belongs in the environment file (" + envFile + "), not the pipeline file"));
    Config merged = raw.withFallback(envRaw);
    Config resolved =
        resolve(merged, file, List.of(new Source(file, raw), new Source(envFile.toString(), envRaw)));
    PipelineReader reader = new PipelineReader(file, baseDir.toAbsolutePath(), Defaults.reference());
    try {
      PipelineDefinition pipeline = reader.read(Section.root(file, resolved.root()));
      NameCollisions.check(pipeline, environment);
      return new LoadedPipeline(pipeline, environment);
    } catch (ConfigException e) { // not expected: the reader checks types itself
      throw translate(e, file, List.of());
    } catch (ConfigurationException e) {
      // Checks made by PipelineDefinition know the path, not the line: find it.
      throw e.origin().equals(file) && e.line().isEmpty() ? e.withLine(lineOf(resolved, e.path(), file)) : e;
    }
  }

  /**
   * Reads {@code <confDir>/pipelines/<pipelineName>.conf} with {@code <confDir>/env/<envName>.conf},
   * relative paths against the working directory.
   *
   * @throws ConfigurationException when a file is missing (listing the names available), or for
   *     any mistake in the files
   */
  public static LoadedPipeline load(Path confDir, String pipelineName, String envName) {
    return load(confDir, pipelineName, envName, workingDir());
  }

  /**
   * Reads {@code <confDir>/pipelines/<pipelineName>.conf} with {@code <confDir>/env/<envName>.conf}.
   *
   * @param baseDir the directory relative local paths are resolved against
   */
  public static LoadedPipeline load(Path confDir, String pipelineName, String envName, Path baseDir) {
    Path pipelineFile = named(confDir, "pipelines", "pipeline", pipelineName);
    Path envFile = named(confDir, "env", "environment", envName);
    LoadedPipeline loaded = loadPipeline(pipelineFile, envFile, baseDir);
    checkUniqueName(confDir, pipelineFile, loaded.pipeline().name());
    return loaded;
  }

  /**
   * The file of a pipeline name, {@code <confDir>/pipelines/<name>.conf}.
   *
   * @throws ConfigurationException when there is no such file (listing the names available)
   */
  public static Path pipelineFile(Path confDir, String name) {
    return named(confDir, "pipelines", "pipeline", name);
  }

  /**
   * The file of an environment name, {@code <confDir>/env/<name>.conf}.
   *
   * @throws ConfigurationException when there is no such file (listing the names available)
   */
  public static Path environmentFile(Path confDir, String name) {
    return named(confDir, "env", "environment", name);
  }

  /** The pipeline names of a configuration directory: {@code pipelines/*.conf}, sorted. */
  public static List<String> availablePipelines(Path confDir) {
    return names(confDir.resolve("pipelines"));
  }

  /** The environment names of a configuration directory: {@code env/*.conf}, sorted. */
  public static List<String> availableEnvironments(Path confDir) {
    return names(confDir.resolve("env"));
  }

  /**
   * The Spark settings to apply when medallion creates the SparkSession itself
   * ({@code medallion.session.spark-conf} of {@code reference.conf}: Delta's SQL extension and
   * catalog). Apply an environment's {@link Environment#sparkConf()} after these.
   */
  public static Map<String, String> sessionConf() {
    return Defaults.reference().sessionConf();
  }

  // ---- files ----

  private static Path named(Path confDir, String dir, String kind, String name) {
    Path file = confDir.resolve(dir).resolve(name + ".conf");
    if (name.isBlank() || name.contains("/") || name.contains("\\") || !Files.isRegularFile(file)) {
      List<String> available = names(confDir.resolve(dir));
      throw ConfigErrors.noSuchName(file, kind, name, confDir.resolve(dir), workingDir(), available);
    }
    return file;
  }

  private static List<String> names(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".conf"))
          .map(n -> n.substring(0, n.length() - ".conf".length()))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Config parseEnvironment(Path envFile) {
    Config raw = parse(envFile, "environment");
    Section.root(envFile.toString(), raw.root())
        .allowOnly(List.of("env"), "an environment file (it holds one env { ... })", Map.of());
    // The defaults under env, so that a pipeline can refer to ${env.platform} too.
    return raw.withFallback(Defaults.reference().env().atKey("env"));
  }

  private static Config parse(Path path, String kind) {
    String file = path.toString();
    if (!Files.isRegularFile(path)) {
      Path dir = path.toAbsolutePath().getParent();
      List<String> available = dir == null ? List.of() : names(dir);
      throw ConfigErrors.noSuchFile(file, kind, dir, available);
    }
    try {
      return ConfigFactory.parseFile(
          path.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
    } catch (ConfigException e) {
      throw translate(e, file, List.of());
    }
  }

  /**
   * Two pipeline files with the same pipeline name would share checkpoints and table locks
   * ({@code <checkpoint-root>/<name>/...}): refused, naming the other file.
   */
  private static void checkUniqueName(Path confDir, Path pipelineFile, String name) {
    for (String other : availablePipelines(confDir)) {
      Path otherFile = confDir.resolve("pipelines").resolve(other + ".conf");
      if (otherFile.equals(pipelineFile)) {
        continue;
      }
      try {
        Config c = ConfigFactory.parseFile(otherFile.toFile());
        if (c.hasPath("pipeline.name") && name.equals(c.getValue("pipeline.name").unwrapped())) {
          throw ConfigErrors.sharedPipelineName(pipelineFile.toString(), name, otherFile);
        }
      } catch (ConfigException e) {
        // another file with a mistake of its own: reported when that pipeline is loaded
      }
    }
  }

  private static void checkDuplicateTables(Path pipelineFile) {
    try {
      DuplicateTables.check(pipelineFile.toString(), Files.readString(pipelineFile));
    } catch (IOException e) {
      throw ConfigErrors.unreadable(pipelineFile.toString(), e);
    }
  }

  // ---- substitutions and typesafe errors ----

  /** Where raw (unresolved) configuration came from, to find a bad substitution's path. */
  private record Source(String file, Config raw) {}

  private static Config resolve(Config raw, String file, List<Source> sources) {
    try {
      // System properties are a fallback for substitutions only: never a source of env or
      // pipeline keys (-Denv=prod must not turn into a key). resolveWith(source) would be the
      // direct way but fails on repeated keys with ${?X} overrides (typesafe-config 1.4.3).
      Config properties =
          ConfigFactory.parseProperties(
                  (Properties) System.getProperties().clone(),
                  ConfigParseOptions.defaults().setOriginDescription("system properties"))
              .withoutPath("env")
              .withoutPath("pipeline")
              .withoutPath("medallion");
      return raw.withFallback(properties).resolve();
    } catch (ConfigException e) {
      throw translate(e, file, sources);
    }
  }

  private static ConfigurationException translate(ConfigException e, String file, List<Source> sources) {
    ConfigOrigin origin = e.origin();
    String where = origin != null && origin.filename() != null ? origin.filename() : file;
    int line = origin != null ? origin.lineNumber() : -1;
    String problem = e.getMessage();
    if (origin != null && problem.startsWith(origin.description() + ": ")) {
      problem = problem.substring(origin.description().length() + 2);
    }
    if (e instanceof ConfigException.UnresolvedSubstitution) {
      Matcher m = SUBSTITUTION.matcher(problem);
      if (m.find()) {
        String expression = m.group();
        String target = m.group(1);
        String path = "";
        for (Source s : sources) {
          if (s.file().equals(where)) {
            path = findPath(s.raw().root(), "", where, line, target).orElse("");
          }
        }
        String suggestion = suggestion(target, sources);
        return ConfigErrors.unresolvedSubstitution(where, line, path, expression, target,
            sources.stream().map(Source::file).distinct().collect(Collectors.joining(" or ")), suggestion);
      }
    }
    if (e instanceof ConfigException.Parse) { // after UnresolvedSubstitution, which extends Parse
      return ConfigErrors.syntax(where, line, problem);
    }
    return ConfigErrors.at(where, line, "", problem);
  }

  /** "Did you mean" for a substitution path: the closest key of the object it points into. */
  private static String suggestion(String target, List<Source> sources) {
    List<String> parts;
    try {
      parts = ConfigUtil.splitPath(target);
    } catch (ConfigException e) {
      return "";
    }
    String last = parts.get(parts.size() - 1);
    List<String> candidates = new ArrayList<>();
    for (Source s : sources) {
      try {
        ConfigValue v = s.raw().root();
        for (String p : parts.subList(0, parts.size() - 1)) {
          v = v instanceof ConfigObject o ? o.get(p) : null;
        }
        if (v instanceof ConfigObject o) {
          candidates.addAll(o.keySet());
        }
      } catch (ConfigException e) {
        // an unresolved object on the way: no suggestion from this file
      }
    }
    String prefix = parts.size() > 1 ? String.join(".", parts.subList(0, parts.size() - 1)) + "." : "";
    return Suggestions.closest(last, candidates).map(c -> " Did you mean ${" + prefix + c + "}?").orElse("");
  }

  /** The config path of the value written at {@code line} of {@code file} that uses {@code target}. */
  private static Optional<String> findPath(ConfigValue v, String path, String file, int line, String target) {
    try {
      if (v instanceof ConfigObject o) {
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
          String p = path.isEmpty() ? ConfigUtil.joinPath(e.getKey()) : path + "." + ConfigUtil.joinPath(e.getKey());
          Optional<String> found = findPath(e.getValue(), p, file, line, target);
          if (found.isPresent()) {
            return found;
          }
        }
        return Optional.empty();
      }
      if (v instanceof ConfigList l) {
        for (ConfigValue item : l) {
          if (findPath(item, path, file, line, target).isPresent()) {
            return Optional.of(path);
          }
        }
        return Optional.empty();
      }
      ConfigOrigin o = v.origin();
      boolean here = o != null && file.equals(o.filename()) && o.lineNumber() == line;
      return here && v.render().contains(target) ? Optional.of(path) : Optional.empty();
    } catch (ConfigException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** The line of {@code path} (or of its closest existing parent) in {@code file}. */
  private static int lineOf(Config config, String path, String file) {
    if (path.isEmpty()) {
      return -1;
    }
    try {
      List<String> parts = new ArrayList<>(ConfigUtil.splitPath(path));
      while (!parts.isEmpty()) {
        String p = ConfigUtil.joinPath(parts);
        if (config.hasPathOrNull(p)) {
          ConfigValue v = config.getValue(p);
          ConfigOrigin o = v.origin();
          if (o != null && file.equals(o.filename()) && v.valueType() != ConfigValueType.NULL) {
            return o.lineNumber();
          }
        }
        parts.remove(parts.size() - 1);
      }
    } catch (ConfigException e) {
      // no line then
    }
    return -1;
  }

  private static Path workingDir() {
    return Path.of("").toAbsolutePath();
  }
}
