package io.medallion.cli;

import io.medallion.MedallionException;
import io.medallion.config.ConfigLoader;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.PipelineRunner;
import io.medallion.pipeline.RunListener;
import io.medallion.pipeline.RunOptions;
import io.medallion.pipeline.RunResult;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.TableResult;
import io.medallion.platform.Platform;
import io.medallion.table.TableName;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
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
          "Options:",
          "  --conf-dir DIR        where pipelines/<name>.conf and env/<name>.conf are (default: conf,",
          "                        or $MEDALLION_CONF_DIR)",
          "  --only T              run only table T (layer.table, e.g. silver.orders); repeatable,",
          "                        or a layer (bronze, silver, gold) for all its tables",
          "  --full-refresh T      drop T's data and checkpoint first and recompute it; repeatable",
          "  --show-gold           print every gold table after the run");

  private final PrintStream out;

  public Cli(PrintStream out) {
    this.out = out;
  }

  /** Runs one command; throws {@link MedallionException} with an actionable message on failure. */
  public RunResult execute(String... args) {
    Args a = Args.parse(args);
    Path confDir = Paths.get(a.confDir);
    LoadedPipeline loaded = ConfigLoader.load(confDir, a.pipeline, a.env);
    PipelineDefinition pipeline = loaded.pipeline();
    Environment env = loaded.environment();
    Platform platform = Platform.choose(env.platform(), System.getenv());
    SparkSession spark = Sessions.obtain(env, platform, "medallion " + pipeline.name() + " (" + env.name() + ")");
    PipelineRunner runner = new PipelineRunner(spark, pipeline, env, platform);
    if (a.command.equals("maintain")) {
      new MaintainCommand(out).run(spark, pipeline, env, platform, only(a.only, pipeline));
      return new RunResult(List.of());
    }
    if (a.command.equals("validate")) {
      Map<TableRef, StructType> schemas = runner.validate();
      schemas.forEach((ref, schema) ->
          out.println("ok  " + ref + " -> " + runner.tableName(ref) + " (" + schema.size() + " columns)"));
      out.println("Pipeline '" + pipeline.name() + "' is valid in environment '" + env.name() + "': "
          + schemas.size() + " tables, every source and SQL statement resolves.");
      return new RunResult(List.of());
    }
    RunOptions options = new RunOptions(only(a.only, pipeline), refs(a.fullRefresh), new RunListener() {
      @Override
      public void tableFinished(TableResult r) {
        out.println(r.summary());
      }

      @Override
      public void fullRefreshed(TableRef ref, TableName name, String checkpoint, boolean cascaded) {
        out.println("Full refresh of " + ref + (cascaded ? " (it reads a refreshed table incrementally)" : "")
            + ": dropped table " + name + " and deleted checkpoint " + checkpoint);
      }
    });
    out.println("Running pipeline '" + pipeline.name() + "' in environment '" + env.name() + "' on "
        + platform.name() + " Spark " + spark.version());
    RunResult result = runner.run(options);
    out.println("Done: " + result.tables().size() + " tables.");
    for (TableResult r : result.tables()) {
      if (r.quality().quarantined() > 0) {
        TableName q = env.quarantineName(pipeline, r.ref());
        out.println("Quarantined: " + r.quality().quarantined() + " rows of " + r.ref() + " in " + q
            + " (reasons in _errors)");
      }
    }
    env.eventLogTable(pipeline).ifPresent(log -> out.println("Event log: " + log));
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

  private static Set<TableRef> refs(List<String> values) {
    Set<TableRef> refs = new LinkedHashSet<>();
    values.forEach(v -> refs.add(ref(v, "--full-refresh")));
    return refs;
  }

  private static TableRef ref(String value, String option) {
    try {
      return TableRef.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
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
  private static final class Args {
    String command;
    String pipeline;
    String env;
    String confDir = System.getenv().getOrDefault("MEDALLION_CONF_DIR", "conf");
    final List<String> only = new ArrayList<>();
    final List<String> fullRefresh = new ArrayList<>();
    boolean showGold;

    static Args parse(String[] args) {
      Args a = new Args();
      List<String> list = Arrays.asList(args);
      if (list.isEmpty()) {
        throw new UsageException("No command given.");
      }
      a.command = list.get(0);
      if (!a.command.equals("run") && !a.command.equals("validate") && !a.command.equals("maintain")) {
        throw new UsageException("Unknown command '" + a.command + "': expected run, validate or maintain.");
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
          default -> throw new UsageException("Unknown option '" + arg + "'.");
        }
      }
      if (a.pipeline == null) {
        throw new UsageException("Missing --pipeline (a name under <conf-dir>/pipelines, or a .conf file).");
      }
      if (a.env == null) {
        throw new UsageException("Missing --env (a name under <conf-dir>/env, e.g. local, or a .conf file).");
      }
      return a;
    }

    private static String value(List<String> list, int i, String option) {
      if (i >= list.size() || list.get(i).startsWith("--")) {
        throw new UsageException("Option " + option + " needs a value.");
      }
      return list.get(i);
    }
  }
}
