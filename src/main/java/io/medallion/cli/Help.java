package io.medallion.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code medallion --help}, {@code medallion help}, {@code medallion help <command>} and
 * {@code medallion <command> --help}. A new command adds one entry to {@link #COMMANDS}.
 */
final class Help {
  /** Each command's synopsis and description, in the order {@code help} lists them. */
  static final Map<String, String> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("run", String.join("\n",
        "medallion run --pipeline <name|file.conf> --env <name|file.conf> [--conf-dir DIR] [--only T ...]",
        "              [--full-refresh T ...] [--allow-reset] [--max-concurrent-tables N] [--show-gold]",
        "              [--quiet | --json]",
        "Runs the pipeline's tables in dependency order and prints a line per table. It prints the",
        "resolved warehouse, checkpoint and landing roots first.",
        "  --only T           run only table T (layer.table, e.g. silver.orders) or a whole layer",
        "                     (bronze, silver, gold); comma-separated or repeated",
        "  --full-refresh T   drop T's data and checkpoint first and recompute it; repeatable",
        "  --allow-reset      allow --full-refresh of tables whose source cannot be replayed",
        "                     (Kafka, Kinesis, cloudFiles.cleanSource): their old data is lost",
        "  --max-concurrent-tables N",
        "                     run at most N tables at once; by default every table whose inputs",
        "                     are done starts at once (1 runs them one after another)",
        "  --show-gold        print every gold table after the run",
        "  --quiet            print nothing while running (errors still go to stderr)",
        "  --json             print one JSON object per event (batch, table, run) instead of lines"));
    COMMANDS.put("validate", String.join("\n",
        "medallion validate --pipeline <name|file.conf> --env <name|file.conf> [--conf-dir DIR]",
        "Loads the config and resolves every source, SQL statement, key and rule against the catalogs.",
        "Moves no data."));
    COMMANDS.put("maintain", String.join("\n",
        "medallion maintain --pipeline <name|file.conf> --env <name|file.conf> [--conf-dir DIR] [--only T ...]",
        "Runs OPTIMIZE (clustering, z-order-by, or compaction) and VACUUM (with the table's own",
        "delta.deletedFileRetentionDuration) on every existing table, its quarantine table, the stored",
        "changes of a CDC table and the event log; prints files and bytes before and after and writes",
        "a maintenance event per table. It holds the lock of each table it maintains: for a table runs",
        "rewrite (upsert, CDC, batch, gold) it fails at once while a run writes it, and a run of it",
        "started meanwhile fails naming it. Tables runs only append to are maintained beside a run."));
    COMMANDS.put("bundle", String.join("\n",
        "medallion bundle " + BundleCommand.OPTIONS,
        "Writes a Databricks Asset Bundle (databricks.yml and resources/<pipeline>.job.yml) whose",
        "spark_jar_task tasks run the pipeline per layer (default) or per table, each after the tasks",
        "of the tables it reads.",
        "--maintain-cron '0 0 3 * * ?' adds a job that runs maintain on that Quartz schedule (UTC)."));
    COMMANDS.put("report", String.join("\n",
        "medallion report " + ReportCommand.OPTIONS,
        "Writes the data-quality report of the pipeline: one self-contained HTML file read from the",
        "event log and the quarantine tables."));
    COMMANDS.put("sql", String.join("\n",
        "medallion sql " + SqlCommand.OPTIONS,
        "Runs one read-only query with the environment's catalogs registered and prints the result",
        "(at most --limit rows, default 1000), e.g. on a quarantine table or the event log. With",
        "--pipeline, {layer.table} names the pipeline's tables. Anything but a query is refused."));
  }

  static final String COMMON = String.join("\n",
      "--pipeline and --env take a name (<conf-dir>/pipelines/<name>.conf, <conf-dir>/env/<name>.conf)",
      "or a path to a .conf file. Relative paths, --conf-dir (default: conf, or $MEDALLION_CONF_DIR)",
      "and relative roots inside the environment are relative to the working directory.");

  private Help() {}

  /** True for {@code --help}, {@code -h}, {@code help ...} and {@code <command> --help}. */
  static boolean asked(String[] args) {
    if (args.length == 0) {
      return false;
    }
    if (args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      return true;
    }
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  /** Prints the help asked for by {@code args}: a command's, or the overview. */
  static void print(String[] args, PrintStream out) {
    String command = args[0].equals("help") ? (args.length > 1 ? args[1] : null)
        : args[0].startsWith("-") ? null : args[0];
    if (command == null) {
      out.println(Cli.USAGE);
      out.println();
      out.println(COMMON);
      out.println("'medallion help <command>' describes one command.");
      return;
    }
    String text = COMMANDS.get(command);
    if (text == null) {
      throw CliErrors.usage("No command '" + command + "': expected one of " + String.join(", ", COMMANDS.keySet()) + ".");
    }
    out.println(text);
    out.println();
    out.println(COMMON);
  }
}
