package io.medallion.bench;

import static org.apache.spark.sql.functions.expr;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationSuite;
import com.amazon.deequ.checks.CheckResult;
import com.amazon.deequ.constraints.ConstraintResult;
import io.medallion.config.Defaults;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.run.TableResult;
import io.medallion.quality.Action;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * The expectations benchmark of issue 5: one JVM, one session, the variants side by side.
 *
 * <ul>
 *   <li>a0: hand-written {@code spark.read.schema(ddl).json(input).write.format("delta").save(path)}
 *   <li>a: medallion bronze table, files source, declared schema, no expectations
 *   <li>b: the same bronze table with 20 row rules (8 warn, 6 drop, 6 quarantine)
 *   <li>bd (extra): b with its 6 quarantine rules as drop rules: the same target rows, no quarantine
 *       table, evaluated inline by the engine (shows what the quarantine path costs)
 *   <li>c: a0, then Deequ {@code VerificationSuite} with the 20 equivalent constraints over the written
 *       table, then the two filters and writes a user adds for the same tables as b (clean rows, and
 *       quarantined rows with their reasons)
 * </ul>
 *
 * <p>Each variant runs {@code --warmup} rounds, then {@code --rounds} measured rounds, interleaved
 * (a0, a, b, bd, c, a0, a, b, bd, c, ...). Every run writes to fresh tables (and checkpoints), which are deleted
 * after their rows are counted. Reported: median wall time, ratios to a, Spark jobs per run, rows.
 *
 * <p>Arguments: {@code --input DIR} (default target/bench/expectations/input), {@code --work DIR}
 * (target/bench/expectations/work), {@code --rounds 3}, {@code --warmup 1}, {@code --variants a0,a,b,bd,c},
 * {@code --execution streaming|batch} (medallion's bronze execution, default streaming, the library
 * default), {@code --deequ-cache true|false} (cache the raw table before Deequ and the filters,
 * default false), {@code --results FILE} (markdown table, default target/bench/expectations/results.md),
 * {@code --quiet-share 0.15} and {@code --quiet-wait 15}: before each run, wait (at most that many
 * seconds) until other processes use less than that share of the cores, since a parallel build on
 * the same machine distorts wall times; each run also reports this JVM's CPU seconds and the share
 * other processes used meanwhile. {@code --job-log true} prints every Spark job of each measured
 * run (seconds, tasks, description), to see where the time goes.
 */
public final class ExpectationsBenchmark {
  private final SparkSession spark;
  private final Args args;
  private final JobCounter counter = new JobCounter();
  private final Environment env;
  private final Map<String, List<Run>> runs = new LinkedHashMap<>();
  private Expected expected;
  private Map<String, Long> deequViolations = Map.of();
  private Map<String, Long> medallionViolations = Map.of();

  private ExpectationsBenchmark(SparkSession spark, Args args) {
    this.spark = spark;
    this.args = args;
    this.env = Defaults.reference().localEnvironment(args.work.resolve("medallion"));
    spark.sparkContext().addSparkListener(counter);
  }

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    long t0 = System.nanoTime();
    if (!Files.isDirectory(args.input)) {
      throw new IllegalArgumentException(
          "no input at " + args.input + ": run python3 bench/generate-expectations-data.py first");
    }
    Bench.deleteTree(args.work);
    SparkSession spark = Bench.session("medallion-bench-expectations", 4);
    try {
      new ExpectationsBenchmark(spark, args).run(t0);
    } finally {
      spark.stop();
    }
  }

  private void run(long t0) {
    System.out.printf(Locale.ROOT, "expectations benchmark: input %s (%d files, %.1f MB), variants %s, %d warm-up + %d measured rounds, medallion bronze %s%n",
        args.input, inputFiles().size(), inputBytes() / 1e6, args.variants, args.warmup, args.rounds,
        args.execution.name().toLowerCase(Locale.ROOT));
    expected = expected();
    System.out.printf(Locale.ROOT, "input: %,d rows; rules say target %,d rows (warn rows kept), quarantine %,d, dropped %,d%n",
        expected.rows, expected.target, expected.quarantine, expected.dropped);
    for (int round = 1 - args.warmup; round <= args.rounds; round++) {
      for (String v : args.variants) {
        Run r = runVariant(v, round);
        System.out.printf(Locale.ROOT, "%s %-2s %6.2f s  cpu %6.1f s  others %3.0f%%%s  jobs %3d  tasks %4d  target %,d  quarantine %s%s%n",
            round <= 0 ? "warm-up " : "round " + round + " ", v, r.seconds, r.cpuSeconds, 100 * r.foreignShare,
            r.waited < 0 ? " (never quiet)" : "", r.jobs, r.tasks, r.target,
            r.quarantine < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.quarantine),
            r.phases.isEmpty() ? "" : "  " + phases(r));
        if (round > 0) {
          runs.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
        }
      }
    }
    Bench.writeReport(args.results, report(Duration.ofNanos(System.nanoTime() - t0)));
  }

  // ---------------------------------------------------------------------------------------------
  // The variants

  private Run runVariant(String variant, int round) {
    String id = variant + "_" + (round <= 0 ? "w" + (1 - round) : "r" + round);
    Path dir = args.work.resolve(id);
    Map<String, Double> phases = new LinkedHashMap<>();
    Bench.Measured<Outcome> m = Bench.measure(spark, counter, args.quietShare, args.quietWait, () ->
        switch (variant) {
          case "a0" -> handWritten(dir);
          case "a" -> medallion(id, false, false);
          case "b" -> medallion(id, true, false);
          case "bd" -> medallion(id, true, true);
          case "c" -> deequ(dir, phases);
          default -> throw new IllegalArgumentException("unknown variant " + variant);
        });
    Outcome out = m.value();
    long target = count(out.target);
    long quarantine = out.quarantine == null ? -1 : count(out.quarantine);
    Run r = new Run(m.seconds(), m.cpuSeconds(), m.foreignShare(), m.waited(), m.jobs().jobs(),
        m.jobs().tasks(), m.jobs().taskSeconds(), target, quarantine, phases);
    if (args.jobLog && round > 0) {
      m.jobLog(counter).forEach(System.out::println);
    }
    out.cleanup.run();
    return r;
  }

  /** a0: what a user writes by hand for a bronze copy of the files. */
  private Outcome handWritten(Path dir) {
    String raw = dir.resolve("raw").toString();
    spark.read().schema(Rules.DDL).json(args.input.toString()).write().format("delta").save(raw);
    return new Outcome(() -> spark.read().format("delta").load(raw), null, () -> Bench.deleteTree(dir));
  }

  /**
   * a and b: a medallion pipeline with one bronze table, run with PipelineRunner. bd: b with its
   * quarantine rules as drop rules: the same target rows, no quarantine table, and the engine can
   * evaluate inline (counts observed on the write) instead of staged (batch held, counted, written twice).
   */
  private Outcome medallion(String id, boolean withRules, boolean quarantineAsDrop) {
    String name = "bench_" + id.toLowerCase(Locale.ROOT);
    FileSource source = new FileSource(args.input.toString(), "json", Optional.of(Rules.DDL), Map.of());
    PipelineDefinition pipeline =
        PipelineBuilder.pipeline(name)
            .schema(name)
            .bronze("orders", source, b -> {
              b.execution(args.execution);
              if (withRules) {
                Rules.ALL.forEach(r -> b.expect(quarantineAsDrop && r.action() == Action.QUARANTINE
                    ? new io.medallion.quality.Expectation(r.name(), r.expression(), Action.DROP,
                        r.expectation().nullResult(), r.expectation().group())
                    : r.expectation()));
              }
            })
            .build();
    PipelineRunner runner = new PipelineRunner(spark, pipeline, env);
    RunResult result = runner.run(RunOptions.all());
    TableResult t = result.tables().get(0);
    if (withRules && !quarantineAsDrop) {
      Map<String, Long> counts = new LinkedHashMap<>();
      t.quality().expectations().forEach(e -> counts.put(e.name(), e.failedRecords()));
      medallionViolations = counts;
    }
    String target = t.name().toString();
    String quarantine = target + "_quarantine";
    return new Outcome(
        () -> spark.table(target),
        () -> spark.table(quarantine),
        () -> {
          Bench.deleteTree(Path.of(env.warehouseOf(t.name().catalog())).resolve(name));
          Bench.deleteTree(Path.of(env.checkpointRoot()).resolve(name));
        });
  }

  /** c: a0, Deequ over the written table, then the filters and writes for the clean and quarantine tables. */
  private Outcome deequ(Path dir, Map<String, Double> phases) {
    String rawPath = dir.resolve("raw").toString();
    String cleanPath = dir.resolve("clean").toString();
    String quarantinePath = dir.resolve("quarantine").toString();
    long t = System.nanoTime();
    spark.read().schema(Rules.DDL).json(args.input.toString()).write().format("delta").save(rawPath);
    t = phase(phases, "write raw", t);

    Dataset<Row> raw = spark.read().format("delta").load(rawPath);
    if (args.deequCache) {
      raw = raw.cache();
    }
    VerificationResult result = new VerificationSuite().onData(raw).addCheck(Rules.deequCheck()).run();
    deequViolations = violations(result, expected);
    t = phase(phases, "deequ", t);

    String rejected = anyViolated(a -> a == Action.DROP || a == Action.QUARANTINE);
    String quarantined = anyViolated(a -> a == Action.QUARANTINE);
    raw.where("NOT (" + rejected + ")").write().format("delta").save(cleanPath);
    t = phase(phases, "write clean", t);
    raw.where(quarantined)
        .withColumn("_quarantine_reasons", expr(reasons()))
        .write().format("delta").save(quarantinePath);
    phase(phases, "write quarantine", t);
    if (args.deequCache) {
      raw.unpersist();
    }
    return new Outcome(
        () -> spark.read().format("delta").load(cleanPath),
        () -> spark.read().format("delta").load(quarantinePath),
        () -> Bench.deleteTree(dir));
  }

  private static String anyViolated(java.util.function.Predicate<Action> actions) {
    return Rules.ALL.stream().filter(r -> actions.test(r.action())).map(Rules.Rule::violatedSql)
        .collect(Collectors.joining(" OR "));
  }

  /** The names of the rules a row violates, as an array column (quarantine reasons). */
  private static String reasons() {
    return "filter(array("
        + Rules.ALL.stream().map(r -> "CASE WHEN " + r.violatedSql() + " THEN '" + r.name() + "' END")
            .collect(Collectors.joining(", "))
        + "), x -> x IS NOT NULL)";
  }

  /** Violations per constraint from Deequ's metrics (compliance or completeness x rows). */
  private static Map<String, Long> violations(VerificationResult result, Expected expected) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (CheckResult cr : JavaConverters.asJavaCollection(result.checkResults().values())) {
      List<ConstraintResult> crs = JavaConverters.seqAsJavaList(cr.constraintResults());
      for (int i = 0; i < crs.size() && i < Rules.ALL.size(); i++) {
        ConstraintResult c = crs.get(i);
        long v = -1;
        if (c.metric().isDefined() && c.metric().get().value().isSuccess()) {
          double share = ((Number) c.metric().get().value().get()).doubleValue();
          long rows = expected.deequRows.getOrDefault(Rules.ALL.get(i).name(), expected.rows);
          v = Math.round((1 - share) * rows);
        }
        out.put(Rules.ALL.get(i).name(), v);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // What the rules should give, computed once by plain SQL over the input (outside the timings)

  /**
   * @param perRule rows violating each rule
   * @param deequRows for rules whose Deequ constraint has a filter: the rows it keeps
   */
  private record Expected(long rows, long target, long quarantine, long dropped, Map<String, Long> perRule,
      Map<String, Long> deequRows) {}

  private Expected expected() {
    Dataset<Row> in = spark.read().schema(Rules.DDL).json(args.input.toString());
    List<org.apache.spark.sql.Column> aggs = new ArrayList<>();
    aggs.add(expr("count(*)").as("rows"));
    aggs.add(expr("count_if(NOT (" + anyViolated(a -> a == Action.DROP || a == Action.QUARANTINE) + "))").as("target"));
    aggs.add(expr("count_if(" + anyViolated(a -> a == Action.QUARANTINE) + ")").as("quarantine"));
    for (Rules.Rule r : Rules.ALL) {
      aggs.add(expr("count_if(" + r.violatedSql() + ")").as(r.name()));
      r.deequWhere().ifPresent(w -> aggs.add(expr("count_if(" + w + ")").as("where_" + r.name())));
    }
    Row row = in.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new org.apache.spark.sql.Column[0])).first();
    Map<String, Long> perRule = new LinkedHashMap<>();
    Map<String, Long> deequRows = new LinkedHashMap<>();
    for (Rules.Rule r : Rules.ALL) {
      perRule.put(r.name(), row.getLong(row.fieldIndex(r.name())));
      if (r.deequWhere().isPresent()) {
        deequRows.put(r.name(), row.getLong(row.fieldIndex("where_" + r.name())));
      }
    }
    long rows = row.getLong(0);
    long target = row.getLong(1);
    long quarantine = row.getLong(2);
    return new Expected(rows, target, quarantine, rows - target - quarantine, perRule, deequRows);
  }

  // ---------------------------------------------------------------------------------------------
  // The report

  private String report(Duration total) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "Expectations benchmark: %,d rows, %d files, %.1f MB JSON; %d measured rounds (+%d warm-up), interleaved;%n"
            + "%s; medallion bronze execution: %s; Deequ raw-table cache: %s%n%n",
        expected.rows, inputFiles().size(), inputBytes() / 1e6, args.rounds, args.warmup,
        Bench.machine(spark), args.execution.name().toLowerCase(Locale.ROOT), args.deequCache));
    b.append("| variant | wall s (median) | min-max | wall / a | CPU s (median) | CPU / a | others' CPU (max) | Spark jobs | tasks | target rows | quarantine rows |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    double a = median("a");
    double aCpu = medianCpu("a");
    for (String v : args.variants) {
      List<Run> rs = runs.get(v);
      Run last = rs.get(rs.size() - 1);
      boolean steady = rs.stream().allMatch(r -> r.target == last.target && r.quarantine == last.quarantine && r.jobs == last.jobs);
      b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f-%.2f | %s | %.1f | %s | %.0f%% | %d%s | %d | %,d | %s |%n",
          label(v), median(v),
          rs.stream().mapToDouble(r -> r.seconds).min().orElse(0),
          rs.stream().mapToDouble(r -> r.seconds).max().orElse(0),
          Double.isNaN(a) ? "-" : String.format(Locale.ROOT, "%.2f", median(v) / a),
          medianCpu(v),
          Double.isNaN(aCpu) ? "-" : String.format(Locale.ROOT, "%.2f", medianCpu(v) / aCpu),
          100 * rs.stream().mapToDouble(r -> r.foreignShare).max().orElse(0),
          last.jobs, steady ? "" : " (varies)", last.tasks, last.target,
          last.quarantine < 0 ? "-" : String.format(Locale.ROOT, "%,d", last.quarantine)));
    }
    if (runs.containsKey("c")) {
      b.append("\nc by phase (median s): ");
      Map<String, Double> phases = new LinkedHashMap<>();
      for (String p : runs.get("c").get(0).phases.keySet()) {
        phases.put(p, Bench.medianOf(runs.get("c").stream().map(r -> r.phases.getOrDefault(p, 0.0)).toList()));
      }
      b.append(phases.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
          .collect(Collectors.joining(", "))).append('\n');
    }
    b.append(String.format(Locale.ROOT, "%nExpected from the rules (plain SQL over the input): target %,d rows, quarantine %,d, dropped %,d.%n",
        expected.target, expected.quarantine, expected.dropped));
    for (String v : args.variants) {
      if (v.equals("a0") || v.equals("a")) {
        continue;
      }
      Run last = runs.get(v).get(runs.get(v).size() - 1);
      boolean noQuarantine = v.equals("bd");
      boolean same = last.target == expected.target && last.quarantine == (noQuarantine ? -1 : expected.quarantine);
      b.append(String.format(Locale.ROOT, "%s: %s%n", v, same
          ? (noQuarantine ? "same target row count as expected, no quarantine table (as intended)"
              : "same target and quarantine row counts as expected")
          : String.format(Locale.ROOT, "DIFFERENT: target %,d, quarantine %s", last.target,
              last.quarantine < 0 ? "(no table)" : String.format(Locale.ROOT, "%,d", last.quarantine))));
    }
    b.append("\n| rule | action | Deequ constraint | violating rows (SQL) | medallion (b, its metrics) | Deequ (c, from its metric) |\n");
    b.append("|---|---|---|---:|---:|---:|\n");
    for (Rules.Rule r : Rules.ALL) {
      long sql = expected.perRule.get(r.name());
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %s | %s |%n", r.name(), r.action().key(), r.deequKind(), sql,
          compared(medallionViolations.get(r.name()), sql), compared(deequViolations.get(r.name()), sql)));
    }
    b.append(String.format(Locale.ROOT, "%nTotal benchmark time %.0f s.%n", total.toMillis() / 1000.0));
    return b.toString();
  }

  private static String compared(Long value, long expected) {
    if (value == null) {
      return "-";
    }
    return String.format(Locale.ROOT, value == expected ? "%,d" : "%,d (DIFFERENT)", value);
  }

  private String label(String v) {
    return switch (v) {
      case "a0" -> "a0 hand-written JSON -> Delta";
      case "a" -> "a  medallion bronze, no rules";
      case "b" -> "b  medallion bronze, 20 rules";
      case "bd" -> "bd b, quarantine rules as drop";
      case "c" -> "c  a0 + Deequ + 2 filtered writes";
      default -> v;
    };
  }

  private double median(String v) {
    List<Run> rs = runs.get(v);
    return rs == null ? Double.NaN : Bench.medianOf(rs.stream().map(r -> r.seconds).toList());
  }

  private double medianCpu(String v) {
    List<Run> rs = runs.get(v);
    return rs == null ? Double.NaN : Bench.medianOf(rs.stream().map(r -> r.cpuSeconds).toList());
  }

  private static String phases(Run r) {
    return r.phases.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", ", "(", ")"));
  }

  private static long phase(Map<String, Double> phases, String name, long since) {
    long now = System.nanoTime();
    phases.put(name, (now - since) / 1e9);
    return now;
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  private long count(Supplier<Dataset<Row>> table) {
    try {
      return table.get().count();
    } catch (Exception e) {
      return -1; // e.g. no quarantine table (the engine did not write one)
    }
  }

  private List<Path> inputFiles() {
    try (Stream<Path> s = Files.list(args.input)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long inputBytes() {
    return inputFiles().stream().mapToLong(p -> p.toFile().length()).sum();
  }

  private record Outcome(Supplier<Dataset<Row>> target, Supplier<Dataset<Row>> quarantine, Runnable cleanup) {}

  /**
   * One run of one variant.
   *
   * @param seconds wall time
   * @param cpuSeconds CPU time of this JVM meanwhile (all threads)
   * @param foreignShare share of the machine's cores other processes used meanwhile
   * @param waited seconds waited for a quiet machine before the run (negative: it never got quiet)
   */
  private record Run(double seconds, double cpuSeconds, double foreignShare, double waited, long jobs, long tasks, double taskSeconds, long target, long quarantine,
      Map<String, Double> phases) {}

  private record Args(Path input, Path work, Path results, int rounds, int warmup, List<String> variants,
      Execution execution, boolean deequCache, double quietShare, double quietWait, boolean jobLog) {
    static Args parse(String[] argv) {
      Map<String, String> m = Bench.options(argv, List.of("input", "work", "results", "rounds", "warmup",
          "variants", "execution", "deequ-cache", "quiet-share", "quiet-wait", "job-log"));
      return new Args(
          Path.of(m.getOrDefault("input", "target/bench/expectations/input")).toAbsolutePath(),
          Path.of(m.getOrDefault("work", "target/bench/expectations/work")).toAbsolutePath(),
          Path.of(m.getOrDefault("results", "target/bench/expectations/results.md")).toAbsolutePath(),
          Integer.parseInt(m.getOrDefault("rounds", "3")),
          Integer.parseInt(m.getOrDefault("warmup", "1")),
          List.of(m.getOrDefault("variants", "a0,a,b,bd,c").split(",")),
          Execution.valueOf(m.getOrDefault("execution", "streaming").toUpperCase(Locale.ROOT)),
          Boolean.parseBoolean(m.getOrDefault("deequ-cache", "false")),
          Double.parseDouble(m.getOrDefault("quiet-share", "0.15")),
          Double.parseDouble(m.getOrDefault("quiet-wait", "15")),
          Boolean.parseBoolean(m.getOrDefault("job-log", "false")));
    }
  }
}
