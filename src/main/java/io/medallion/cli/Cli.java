package io.medallion.cli;

import io.medallion.MedallionException;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunListener;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.platform.Platform;
import io.medallion.table.TableName;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * The medallion command line, usable from {@link Main} or embedded (it never exits the JVM and
 * never stops the session).
 */
public final class Cli {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: medallion <command> --pipeline <name|file.conf> --env <name|file.conf> [options]",
          "Commands:",
          "  run        run the pipeline's tables in dependency order",
          "  validate   load the config and resolve every source and SQL statement; moves no data",
          "  maintain   OPTIMIZE and VACUUM the pipeline's tables, quarantine tables and event log",
          "  bundle     write a Databricks Asset Bundle for the pipeline (" + BundleCommand.OPTIONS + ")",
          "  report     write the data-quality report, one HTML file (" + ReportCommand.OPTIONS + ")",
          "  sql        run one read-only query with the environment's catalogs: medallion sql \"<query>\" --env E",
          "  help       describe a command: medallion help <command> (or <command> --help)",
          "Options:",
          "  --conf-dir DIR        where pipelines/<name>.conf and env/<name>.conf are (default: conf,",
          "                        or $MEDALLION_CONF_DIR)",
          "  --only T              run only table T (layer.table, e.g. silver.orders); repeatable,",
          "                        or a layer (bronze, silver, gold) for all its tables",
          "  --full-refresh T      drop T's data and checkpoint first and recompute it; repeatable",
          "  --allow-reset         allow --full-refresh of tables whose source cannot be replayed",
          "                        (Kafka, Kinesis, cloudFiles.cleanSource): their old data is lost",
          "  --max-concurrent-tables N  run at most N tables at once (default: every table whose",
          "                        inputs are done; 1 runs them one after another)",
          "  --show-gold           print every gold table after the run",
          "  --quiet               print nothing while running (errors still go to stderr)",
          "  --json                print one JSON object per event (batch, table, run) instead of lines");

  private final PrintStream out;

  public Cli(PrintStream out) {
    this.out = out;
  }

  /** Runs one command; throws {@link MedallionException} with an actionable message on failure. */
  public RunResult execute(String... args) {
    if (Help.asked(args)) {
      Help.print(args, out);
      return new RunResult(List.of());
    }
    if (args.length > 0 && (args[0].equals("bundle") || args[0].equals("report") || args[0].equals("sql"))) {
      switch (args[0]) {
        case "bundle" -> new BundleCommand(out).execute(args);
        case "report" -> new ReportCommand(out).execute(args);
        default -> new SqlCommand(out).execute(args);
      }
      return new RunResult(List.of());
    }
    Args a = Args.parse(args);
    LoadedPipeline loaded = ConfFiles.load(a.confDir, a.pipeline, a.env);
    PipelineDefinition pipeline = loaded.pipeline();
    Environment env = loaded.environment();
    if (!a.quiet && !a.json) { // --json prints only JSON objects, --quiet nothing
      out.println(ConfFiles.roots(env));
    }
    Platform platform = Platform.choose(env.platform(), System.getenv());
    SparkSession spark = Sessions.obtain(env, platform, "medallion " + pipeline.name() + " (" + env.name() + ")");
    PipelineRunner runner = new PipelineRunner(spark, pipeline, env, platform);
    if (a.command.equals("maintain")) {
      new MaintainCommand(out).run(spark, pipeline, env, platform, only(a.only, pipeline));
      return new RunResult(List.of());
    }
    if (a.command.equals("validate")) {
      Map<TableRef, StructType> schemas = runner.validate();
      schemas.forEach((ref, schema) -> {
        out.println("ok  " + ref + " -> " + runner.tableName(ref) + " (" + schema.size() + " columns)");
        pipeline.table(ref).ifPresent(t -> snapshotRuleNote(t).ifPresent(note -> out.println("    note: " + note)));
      });
      out.println("Pipeline '" + pipeline.name() + "' is valid in environment '" + env.name() + "': "
          + schemas.size() + " tables, every source and SQL statement resolves.");
      return new RunResult(List.of());
    }
    Progress progress = new Progress(out, a.json ? Progress.Mode.JSON : a.quiet ? Progress.Mode.QUIET : Progress.Mode.LINES);
    RunOptions options = new RunOptions(known(only(a.only, pipeline), "--only", pipeline),
        known(refs(a.fullRefresh), "--full-refresh", pipeline), progress);
    if (a.allowReset) {
      options = options.allowReset();
    }
    if (a.maxConcurrentTables > 0) {
      options = options.maxConcurrentTables(a.maxConcurrentTables);
    }
    progress.runStarted(pipeline.name(), env.name(), platform.name(), spark.version());
    RunResult result;
    try {
      result = runner.run(options);
    } catch (RuntimeException e) {
      progress.runFailed(e);
      throw e;
    }
    Map<TableRef, TableName> quarantines = new java.util.HashMap<>();
    result.tables().forEach(r -> quarantines.put(r.ref(),
        env.quarantineName(pipeline, r.ref(), io.medallion.config.Defaults.reference().quarantineSuffix())));
    progress.runFinished(result, quarantines, env.eventLogTable(pipeline));
    if (a.showGold) {
      for (TableDefinition t : pipeline.topologicalOrder()) {
        if (t.ref().layer() == Layer.GOLD) {
          TableName name = runner.tableName(t.ref());
          out.println();
          out.println(name + ":");
          Dataset<Row> rows = spark.table(name.quoted());
          rows = rows.orderBy(Arrays.stream(rows.columns()).map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
          out.println(rows.showString(1000, 0, false));
        }
      }
    }
    return result;
  }

  private static Set<TableRef> only(List<String> values, PipelineDefinition pipeline) {
    Set<TableRef> refs = new LinkedHashSet<>();
    for (String v : values) {
      try {
        Layer layer = Layer.valueOf(v.trim().toUpperCase(java.util.Locale.ROOT));
        pipeline.tables().stream().map(TableDefinition::ref).filter(r -> r.layer() == layer).forEach(refs::add);
      } catch (IllegalArgumentException notALayer) {
        refs.add(ref(v, "--only"));
      }
    }
    return refs;
  }

  /** {@code refs}, each a table of {@code pipeline}, or a usage mistake naming its tables. */
  private static Set<TableRef> known(Set<TableRef> refs, String option, PipelineDefinition pipeline) {
    for (TableRef ref : refs) {
      if (pipeline.table(ref).isEmpty()) {
        throw CliErrors.unknownTable(option, ref, pipeline.name(), pipeline.tables().stream().map(TableDefinition::ref).toList());
      }
    }
    return refs;
  }

  private static Set<TableRef> refs(List<String> values) {
    Set<TableRef> refs = new LinkedHashSet<>();
    values.forEach(v -> refs.add(ref(v, "--full-refresh")));
    return refs;
  }

  private static TableRef ref(String value, String option) {
    try {
      return TableRef.parse(value);
    } catch (IllegalArgumentException e) {
      throw CliErrors.usage(option + ": " + e.getMessage());
    }
  }

  /** {@code --conf-dir}'s default: {@code $MEDALLION_CONF_DIR}, else {@code conf} (in the working directory). */
  static String defaultConfDir() {
    return System.getenv().getOrDefault("MEDALLION_CONF_DIR", "conf");
  }

  /** One paragraph for a person: the message of the exception that says what went wrong. */
  static String describe(Throwable e) {
    Throwable shown = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MedallionException) {
        shown = t;
        break;
      }
    }
    String message = shown.getMessage() == null ? shown.toString() : shown.getMessage();
    if (!(shown instanceof MedallionException)) {
      message = shown.getClass().getSimpleName() + ": " + message;
    }
    int cut = message.indexOf("\n\tat ");
    message = cut > 0 ? message.substring(0, cut) : message;
    return message;
  }

  /** Parsed command-line arguments. */
  static final class Args {
    String command;
    String pipeline;
    String env;
    String confDir = defaultConfDir();
    final List<String> only = new ArrayList<>();
    final List<String> fullRefresh = new ArrayList<>();
    boolean showGold;
    boolean quiet;
    boolean json;
    boolean allowReset;
    int maxConcurrentTables;

    static Args parse(String[] args) {
      Args a = new Args();
      List<String> list = Arrays.asList(args);
      if (list.isEmpty()) {
        throw CliErrors.usage("No command given.");
      }
      a.command = list.get(0);
      if (!a.command.equals("run") && !a.command.equals("validate") && !a.command.equals("maintain")) {
        throw CliErrors.usage("Unknown command '" + a.command + "': expected one of "
            + String.join(", ", Help.COMMANDS.keySet()) + " (medallion --help describes them).");
      }
      for (int i = 1; i < list.size(); i++) {
        String arg = list.get(i);
        switch (arg) {
          case "--pipeline" -> a.pipeline = value(list, ++i, arg);
          case "--env" -> a.env = value(list, ++i, arg);
          case "--conf-dir" -> a.confDir = value(list, ++i, arg);
          case "--only" -> a.only.addAll(Arrays.asList(value(list, ++i, arg).split(",")));
          case "--full-refresh" -> a.fullRefresh.addAll(Arrays.asList(value(list, ++i, arg).split(",")));
          case "--show-gold" -> a.showGold = true;
          case "--quiet" -> a.quiet = true;
          case "--json" -> a.json = true;
          case "--allow-reset" -> a.allowReset = true;
          case "--max-concurrent-tables" -> a.maxConcurrentTables = positive(value(list, ++i, arg), arg);
          default -> throw CliErrors.usage("Unknown option '" + arg + "'.");
        }
      }
      if (a.pipeline == null) {
        throw CliErrors.usage("Missing --pipeline (a name under <conf-dir>/pipelines, or a .conf file).");
      }
      if (a.env == null) {
        throw CliErrors.usage("Missing --env (a name under <conf-dir>/env, e.g. local, or a .conf file).");
      }
      return a;
    }

    private static int positive(String value, String option) {
      try {
        int n = Integer.parseInt(value.trim());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // the same message as for a number below 1
      }
      throw CliErrors.usage(option + " " + value + ": expected a whole number of 1 or more (1 runs the tables"
          + " one after another).");
    }

    private static String value(List<String> list, int i, String option) {
      if (i >= list.size() || list.get(i).startsWith("--")) {
        throw CliErrors.usage("Option " + option + " needs a value.");
      }
      return list.get(i);
    }
  }

  /**
   * For a snapshot CDC table with rules that drop or quarantine rows: such a row is missing from
   * the snapshot, so its key is deleted (docs/cdc.md). Empty for every other table.
   */
  static java.util.Optional<String> snapshotRuleNote(TableDefinition table) {
    if (!(table instanceof io.medallion.pipeline.SilverTable s)
        || !s.cdc().map(io.medallion.table.CdcSpec::snapshots).orElse(false)) {
      return java.util.Optional.empty();
    }
    List<String> rules = s.quality().expectations().stream()
        .filter(e -> e.action() == io.medallion.quality.Action.DROP || e.action() == io.medallion.quality.Action.QUARANTINE)
        .map(e -> e.name() + " (" + e.action().name().toLowerCase(java.util.Locale.ROOT) + ")").toList();
    return rules.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of("a row that " + String.join(", ", rules)
        + " sets aside is missing from the snapshot, so its key is deleted from " + s.ref()
        + " (closed in SCD type 2); use on-violation = fail to stop a bad snapshot instead");
  }
}
