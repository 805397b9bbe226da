package io.medallion.config;

import io.medallion.internal.Suggestions;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.WriteMode;
import java.nio.file.Path;
import java.util.List;

/**
 * Every error reading the configuration raises, made in one place. Each is a
 * {@link ConfigurationException}: the file, the line where known, the config path, the problem
 * and the fix. {@link Section#error} builds the errors about one key through {@link #at}.
 */
final class ConfigErrors {
  private ConfigErrors() {}

  /** A problem at a known place: {@code problem} says what is wrong and how to fix it. */
  static ConfigurationException at(String file, int line, String path, String problem) {
    return new ConfigurationException(file, line, path, problem);
  }

  /** A problem at a config path of a file, line unknown. */
  static ConfigurationException at(String file, String path, String problem) {
    return new ConfigurationException(file, path, problem);
  }

  /** A pipeline or environment named but not found; paths are absolute, so the message says where it looked. */
  static ConfigurationException noSuchName(Path file, String kind, String name, Path dir, Path workingDir,
      List<String> available) {
    return new ConfigurationException(file.toAbsolutePath().toString(), "", "no " + kind + " '" + name
        + "': the file does not exist. " + (available.isEmpty()
            ? "There are no " + kind + " files (*.conf) in " + dir.toAbsolutePath()
                + " (a relative configuration directory, e.g. --conf-dir, is relative to the working"
                + " directory " + workingDir + ")."
            : "Available " + kind + "s: " + String.join(", ", available) + "."
                + Suggestions.didYouMean(name, available)));
  }

  static ConfigurationException noSuchFile(String file, String kind, Path dir, List<String> available) {
    return new ConfigurationException(file, "", "the " + kind + " file does not exist"
        + (available.isEmpty() ? "." : ". Files in " + dir + ": "
            + String.join(", ", available.stream().map(n -> n + ".conf").toList()) + "."));
  }

  static ConfigurationException sharedPipelineName(String file, String name, Path other) {
    return new ConfigurationException(file, "pipeline.name", "pipeline name '" + name
        + "' is also the name of " + other + "; the two would share checkpoints (<checkpoint-root>/"
        + name + "/...) and corrupt each other's progress. Give each pipeline its own name.");
  }

  static ConfigurationException unreadable(String file, Exception e) {
    return new ConfigurationException(file, "", "cannot read the file: " + e.getMessage());
  }

  static ConfigurationException unresolvedSubstitution(String where, int line, String path,
      String expression, String target, String files, String suggestion) {
    return new ConfigurationException(where, line, path, "cannot resolve " + expression + ": '"
        + target + "' is not a key of " + files + ", nor a JVM system property or environment"
        + " variable." + suggestion + " Fix the name, define the key, or write ${?" + target
        + "} where the value is optional.");
  }

  static ConfigurationException syntax(String where, int line, String problem) {
    return new ConfigurationException(where, line, "", "HOCON syntax error: " + problem);
  }

  static ConfigurationException definedTwiceInFile(String file, int line, String table, int first) {
    return new ConfigurationException(file, line, "pipeline." + table, "table " + table
        + " is defined twice in this file, at line " + first + " and at line " + line + "; HOCON"
        + " would merge the two silently. Keep one definition: move the settings of line " + line
        + " into the one at line " + first + " (or remove them).");
  }

  static ConfigurationException nameCollision(String origin, TableRef ref, String who, String other,
      Object name, String env, String fix) {
    return new ConfigurationException(origin, "pipeline." + ref, who + " and " + other
        + " would both be " + name + " in environment '" + env + "'; " + fix);
  }

  static IllegalArgumentException cdcRepeated(String option, List<String> set, List<String> spec) {
    return new IllegalArgumentException(option + "(" + String.join(", ", set) + ") differs from the cdc spec's "
        + option + " " + spec + ": a CDC table's " + option + " are its spec's; remove " + option
        + "(...) or make it the same");
  }

  static IllegalArgumentException snapshotFolderReadsNoTable(String option) {
    return new IllegalArgumentException("this table's snapshots come from the folder of its cdc spec"
        + " (FromSnapshot.folder), so it reads no table: remove " + option + "(...), or use"
        + " FromSnapshot.fromTable() to read the snapshots from the table's from");
  }

  /** Why a CDC target takes no write mode (the file's message and the builder's begin alike). */
  static final String CDC_MODE = "a CDC target applies its changes by MERGE (updates and deletes included),"
      + " so it has no write mode and is never append-only";

  static IllegalArgumentException cdcWithMode(WriteMode mode) {
    return new IllegalArgumentException(CDC_MODE + ": remove mode(" + mode + ") (a streaming table that reads"
        + " this one must use Execution.BATCH)");
  }

  static IllegalArgumentException snapshotStreaming() {
    return new IllegalArgumentException("a from-snapshot table reads whole snapshots in batch on each run:"
        + " remove execution(STREAMING) (or use Execution.BATCH)");
  }

  static ConfigurationException silverWithoutFrom(String origin, TableRef ref) {
    return new ConfigurationException(origin, "pipeline." + ref + ".from",
        "a silver table needs the table it reads: call from(\"bronze.<table>\")");
  }

  static IllegalArgumentException triggerOnBatch(TableRef ref) {
    return new IllegalArgumentException("a trigger applies only to streaming tables, and " + ref
        + " has execution BATCH: remove the trigger or use Execution.STREAMING");
  }

  static IllegalArgumentException goldHasNoTrigger() {
    return new IllegalArgumentException("gold tables are recomputed in batch and have no trigger");
  }

  static IllegalArgumentException incompleteLoadedPipeline() {
    return new IllegalArgumentException("a loaded pipeline needs a pipeline and an environment");
  }
}
