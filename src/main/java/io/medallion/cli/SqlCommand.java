package io.medallion.cli;

import io.medallion.MedallionException;
import io.medallion.config.LoadedPipeline;
import io.medallion.pipeline.SqlTemplate;
import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;
import scala.collection.JavaConverters;

/**
 * {@code medallion sql "<query>" --env E [--pipeline P]}: one read-only query with the
 * environment's catalogs registered, its result printed. With a pipeline, {@code {layer.table}}
 * names its tables as in the pipeline's own SQL. Anything but a query is refused before it runs.
 */
final class SqlCommand {
  static final String OPTIONS = "\"<query>\" --env <name|file.conf> [--pipeline <name|file.conf>] [--conf-dir DIR] [--limit N]";

  private static final Set<String> QUERY_STARTS = Set.of("SELECT", "WITH", "VALUES", "TABLE", "FROM", "(");
  private static final Pattern FIRST_WORD = Pattern.compile("^\\s*(\\(|[A-Za-z]+)");

  private final PrintStream out;

  SqlCommand(PrintStream out) {
    this.out = out;
  }

  void execute(String[] args) {
    String query = null;
    String pipeline = null;
    String env = null;
    String confDir = Cli.defaultConfDir();
    int limit = 1000;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--pipeline" -> pipeline = value(args, ++i, "--pipeline");
        case "--env" -> env = value(args, ++i, "--env");
        case "--conf-dir" -> confDir = value(args, ++i, "--conf-dir");
        case "--limit" -> limit = limit(value(args, ++i, "--limit"));
        default -> {
          if (args[i].startsWith("--") || query != null) {
            throw CliErrors.usage("Unknown option or second query '" + args[i] + "' of sql. Usage: medallion sql " + OPTIONS);
          }
          query = args[i];
        }
      }
    }
    if (query == null || query.isBlank()) {
      throw CliErrors.usage("Missing the query of sql. Usage: medallion sql " + OPTIONS);
    }
    if (env == null) {
      throw CliErrors.usage("Missing --env (whose catalogs the query reads). Usage: medallion sql " + OPTIONS);
    }
    Environment environment;
    String sql = query;
    if (pipeline != null) {
      LoadedPipeline loaded = ConfFiles.load(confDir, pipeline, env);
      environment = loaded.environment();
      sql = SqlTemplate.render(query, ref -> environment.tableName(loaded.pipeline(), ref).quoted());
    } else {
      environment = ConfFiles.environment(confDir, env);
    }
    Platform platform = Platform.choose(environment.platform(), System.getenv());
    SparkSession spark = Sessions.obtain(environment, platform, "medallion sql (" + environment.name() + ")");
    platform.prepareCatalogs(spark, environment);
    try {
      checkReadOnly(spark, sql);
    } catch (MedallionException e) {
      throw pipeline == null && TEMPLATE_NAME.matcher(query).find() ? CliErrors.templateWithoutPipeline(e) : e;
    }
    Dataset<Row> rows;
    try {
      rows = spark.sql(sql);
    } catch (Exception e) { // AnalysisException: checked, and Scala does not declare it
      if (e instanceof org.apache.spark.sql.AnalysisException a) {
        throw CliErrors.queryDoesNotResolve(a, environment.name());
      }
      throw e;
    }
    out.println(rows.showString(limit, 0, false));
  }

  /** A pipeline table name in braces, {@code {layer.table}}, which only {@code --pipeline} resolves. */
  private static final Pattern TEMPLATE_NAME = Pattern.compile("\\{\\s*(bronze|silver|gold)\\.\\w+\\s*}",
      Pattern.CASE_INSENSITIVE);

  /** Refuses anything that is not a query: the first keyword, then every node of the parsed plan. */
  static void checkReadOnly(SparkSession spark, String sql) {
    Matcher m = FIRST_WORD.matcher(stripComments(sql));
    String first = m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    LogicalPlan plan = null;
    if (QUERY_STARTS.contains(first)) {
      try {
        plan = spark.sessionState().sqlParser().parsePlan(sql);
      } catch (Exception e) { // ParseException: checked, and Scala does not declare it
        throw CliErrors.queryDoesNotParse(e);
      }
    }
    if (plan == null || writes(plan)) {
      throw CliErrors.notReadOnly(first);
    }
  }

  private static boolean writes(LogicalPlan root) {
    Deque<LogicalPlan> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      LogicalPlan p = todo.pop();
      if (p instanceof Command || p instanceof InsertIntoStatement || p instanceof ParsedStatement) {
        return true;
      }
      JavaConverters.seqAsJavaList(p.children()).forEach(todo::push);
      // Subqueries and CTE definitions sit in expressions and in With's definitions.
      JavaConverters.seqAsJavaList(p.innerChildren()).forEach(c -> {
        if (c instanceof LogicalPlan lp) {
          todo.push(lp);
        }
      });
    }
    return false;
  }

  private static String stripComments(String sql) {
    return sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)--.*$", " ");
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw CliErrors.usage("Option " + option + " needs a value.");
    }
    return args[i];
  }

  private static int limit(String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw CliErrors.usage("--limit takes a positive number of rows, not '" + value + "'.");
  }
}
