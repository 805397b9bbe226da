package io.medallion.run.internal;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.table.RefreshState;
import io.medallion.table.TableName;
import io.medallion.table.TableVersion;
import java.util.TreeMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a table whose inputs have not changed since its last successful run.
 *
 * <p>After a silver or gold table ran successfully, the runner records next to its checkpoint
 * ({@code <checkpoint>/_medallion_inputs}) the Delta table id and version of each input as they
 * were <em>before</em> the table ran, the table's own id and version after it, and a fingerprint
 * of its definition (SQL, keys, mode, rules, layout). The next run compares: same fingerprint, same
 * input versions and the table itself untouched means recomputing would write the same rows, so
 * the table is skipped. The check reads only the tables' Delta logs (milliseconds).
 *
 * <p>Never skipped: bronze tables (their input is not a Delta table; a stream with nothing new
 * runs no batch anyway), tables with a continuous trigger, tables whose SQL reads tables outside
 * the pipeline by name or calls a non-deterministic function ({@code current_date()},
 * {@code rand()}, ...), and tables that are refreshed ({@code --full-refresh} deletes the
 * checkpoint and with it the record). A crash between a table's commit and its record only makes
 * the next run recompute it.
 */
public final class UnchangedInputs {
  private static final Logger LOG = LoggerFactory.getLogger(UnchangedInputs.class);
  private static final String FILE = "_medallion_inputs";
  /** Words after which a SQL statement names a relation. */
  private static final Pattern RELATION = Pattern.compile("(?i)\\b(?:from|join)\\s+([^\\s(),;]+)");
  private static final Pattern VOLATILE = Pattern.compile(
      "(?i)\\b(current_date|current_timestamp|now|localtimestamp|rand|randn|random|uuid|shuffle|"
          + "monotonically_increasing_id|input_file_name|current_timezone)\\s*\\(|\\bcurrent_(date|timestamp)\\b");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}]+}");
  private static final Pattern CTE = Pattern.compile("(?i)(?:\\bwith|,)\\s*([A-Za-z_][A-Za-z0-9_]*)\\s+as\\s*\\(");

  private final SparkSession spark;
  private final PipelineDefinition pipeline;
  private final Environment env;

  public UnchangedInputs(SparkSession spark, PipelineDefinition pipeline, Environment env) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.env = env;
  }

  /**
   * The state a table would be recorded with if it ran now (its inputs' current versions), or
   * empty when the table is never skipped.
   */
  public Optional<State> before(TableDefinition table) {
    if (!eligible(table)) {
      return Optional.empty();
    }
    Map<String, String> inputs = new TreeMap<>();
    for (TableRef input : table.inputs()) {
      TableName name = env.tableName(pipeline, input);
      Optional<TableVersion> v = TableVersion.current(spark, name);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      inputs.put(name.toString(), v.get().toString());
    }
    return Optional.of(new State(fingerprint(table), inputs));
  }

  /**
   * What a table was computed from.
   *
   * @param fingerprint of the table's definition
   * @param versions {@code <tableId>@<version>} of each input (and, once recorded, of the table itself) by name
   */
  public record State(String fingerprint, Map<String, String> versions) {
    public State {
      versions = Map.copyOf(versions);
    }

    String encode() {
      StringBuilder sb = new StringBuilder("medallion-inputs/1\nfp=").append(fingerprint).append('\n');
      new TreeMap<>(versions).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
      return sb.toString();
    }

    static Optional<State> parse(String text) {
      String[] lines = text.split("\n");
      if (lines.length < 2 || !lines[0].equals("medallion-inputs/1") || !lines[1].startsWith("fp=")) {
        return Optional.empty();
      }
      Map<String, String> versions = new TreeMap<>();
      for (int i = 2; i < lines.length; i++) {
        int eq = lines[i].lastIndexOf('=');
        if (eq > 0) {
          versions.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
      }
      return Optional.of(new State(lines[1].substring(3), versions));
    }
  }

  /**
   * True when {@code before} (from {@link #before}) matches the record of the table's last
   * successful run and the table has not been written since.
   */
  public boolean unchanged(TableDefinition table, State before) {
    Optional<State> last = read(table.ref());
    if (last.isEmpty()) {
      return false;
    }
    Optional<State> now = withTarget(before, table.ref());
    return now.isPresent() && now.get().equals(last.get());
  }

  /** Records a successful run of the table whose inputs were at {@code before} when it started. */
  public void record(TableDefinition table, State before) {
    Optional<State> state = withTarget(before, table.ref());
    if (state.isEmpty()) {
      return;
    }
    writeText(file(table.ref()), state.get().encode(), "the input versions of " + table.ref());
  }

  /**
   * True when the pipeline's definitions are exactly those of the last run whose up-front
   * validation passed in this environment: the run then does not plan every table a second time
   * (each table's rules are still bound to its columns when it runs, before it writes).
   */
  public boolean validatedBefore() {
    return readText(validatedFile()).map(pipelineFingerprint()::equals).orElse(false);
  }

  /** Records that the current definitions passed validation. */
  public void recordValidated() {
    writeText(validatedFile(), pipelineFingerprint(), "the validated definitions");
  }

  private String pipelineFingerprint() {
    return RefreshState.fingerprint(pipeline.toString(), env.toString(), implementationVersion());
  }

  private Path validatedFile() {
    return new Path(env.checkpointRoot() + "/" + pipeline.name(), "_medallion_validated");
  }

  private Optional<State> withTarget(State before, TableRef ref) {
    TableName target = env.tableName(pipeline, ref);
    Optional<TableVersion> self = TableVersion.current(spark, target);
    if (self.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> all = new TreeMap<>(before.versions());
    all.put("self:" + target, self.get().toString());
    return Optional.of(new State(before.fingerprint(), all));
  }

  private Optional<State> read(TableRef ref) {
    return readText(file(ref)).flatMap(State::parse);
  }

  private Optional<String> readText(Path file) {
    try {
      FileSystem fs = file.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fs.exists(file)) {
        return Optional.empty();
      }
      try (var in = fs.open(file)) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private void writeText(Path file, String text, String what) {
    try {
      FileSystem fs = file.getFileSystem(spark.sessionState().newHadoopConf());
      try (FSDataOutputStream out = fs.create(file, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException | RuntimeException e) {
      // Not fatal: without the record the next run does the work again.
      LOG.warn("Could not record {} in {}: {}; the next run does the work again", what, file, e.getMessage());
    }
  }

  private Path file(TableRef ref) {
    return new Path(env.checkpointOf(pipeline, ref), FILE);
  }

  /**
   * Silver tables with terminating triggers whose SQL reads only pipeline tables, deterministically.
   * Gold tables are not: their stage skips them itself when their inputs did not change (and says
   * so in its own words), refreshing them incrementally otherwise (see docs/gold.md).
   */
  static boolean eligible(TableDefinition table) {
    if (!(table instanceof SilverTable s) || !s.trigger().terminates()) {
      return false;
    }
    String sql = s.effectiveSql();
    return !table.inputs().isEmpty() && readsOnlyPlaceholders(sql) && !VOLATILE.matcher(sql).find();
  }

  /** True if every relation the SQL names after FROM or JOIN is a placeholder or a CTE of its own. */
  static boolean readsOnlyPlaceholders(String sql) {
    String text = sql.replaceAll("--[^\\n]*", " ").replaceAll("(?s)/\\*.*?\\*/", " ");
    Set<String> ctes = new java.util.HashSet<>();
    Matcher cte = CTE.matcher(text);
    while (cte.find()) {
      ctes.add(cte.group(1).toLowerCase(Locale.ROOT));
    }
    Matcher m = RELATION.matcher(text);
    while (m.find()) {
      String rel = m.group(1);
      if (!PLACEHOLDER.matcher(rel).matches() && !ctes.contains(rel.replace("`", "").toLowerCase(Locale.ROOT))) {
        return false;
      }
    }
    return true;
  }

  /** What the table computes: its whole definition (SQL, keys, mode, rules, layout). */
  static String fingerprint(TableDefinition table) {
    return RefreshState.fingerprint(table.toString(), implementationVersion());
  }

  private static String implementationVersion() {
    Package p = UnchangedInputs.class.getPackage();
    return p == null ? "" : String.valueOf(p.getImplementationVersion());
  }
}
