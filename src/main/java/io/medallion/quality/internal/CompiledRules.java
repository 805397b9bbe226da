package io.medallion.quality.internal;

import io.medallion.MedallionException;
import io.medallion.quality.Action;
import io.medallion.quality.CheckResult;
import io.medallion.quality.DatasetCheck;
import io.medallion.quality.Expectation;
import io.medallion.quality.ExpectationMetric;
import io.medallion.quality.NullResult;
import io.medallion.quality.QualityMetrics;
import io.medallion.quality.QualityRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A table's rules bound to the columns of its rows: every expectation becomes one bit of a
 * violation bit set computed in a single projection ({@link #flag}: one {@code LONG} column per 63
 * rules), every count an aggregate of one {@link #metrics()} list or a {@link RuleTally} of the
 * bits, so evaluating 1 or 50 rules costs the same number of Spark jobs.
 *
 * <p>Built by {@link #compile}, which checks each expression against the columns (it must
 * resolve, be boolean, row-level and deterministic) and each check's columns.
 */
public final class CompiledRules {
  /** The array of reasons a quarantined row carries. */
  public static final String ERRORS = "_errors";
  /** The micro-batch a quarantined row came from (-1 for a batch run). */
  public static final String BATCH_ID = "_batch_id";
  /** When the row was quarantined. */
  public static final String QUARANTINED_AT = "_quarantined_at";

  /** The bit-set columns: {@code __mq_b0} holds flags 0-62, {@code __mq_b1} flags 63-125, ... */
  static final String BITS = "__mq_b";
  static final int PER_COLUMN = 63;

  private final QualityRules rules;
  private final String dataset;
  private final List<String> columns;

  private CompiledRules(QualityRules rules, String dataset, List<String> columns) {
    this.rules = rules;
    this.dataset = dataset;
    this.columns = columns;
  }

  /**
   * Checks the rules against the columns of {@code rows} (analysis only, no data is read).
   *
   * @param dataset the table as {@code layer.table}
   * @param where for error messages: {@code <origin>: pipeline.<layer>.<table>}
   * @throws MedallionException naming the rule, the table, the config path and the columns
   */
  public static CompiledRules compile(QualityRules rules, String dataset, String where, Dataset<Row> rows) {
    StructType schema = rows.schema();
    List<String> columns = Arrays.asList(schema.fieldNames());
    for (Expectation e : rules.expectations()) {
      String path = where + "." + e.configKey();
      Dataset<Row> probe;
      try {
        probe = rows.select(functions.expr(e.expression()));
      } catch (Exception ex) { // AnalysisException and ParseException are checked in Scala only
        throw RuleErrors.doesNotResolve(path, e.expression(), e.name(), dataset, firstLine(ex), columns, ex);
      }
      DataType type = probe.schema().fields()[0].dataType();
      if (!type.equals(DataTypes.BooleanType)) {
        throw RuleErrors.notBoolean(path, e.expression(), e.name(), dataset, type.simpleString());
      }
      LogicalPlan plan = probe.queryExecution().analyzed();
      if (!(plan instanceof Project) || !plan.expressions().forall(x -> x.deterministic())) {
        throw RuleErrors.notRowLevel(path, e.expression(), e.name(), dataset);
      }
    }
    for (DatasetCheck c : rules.checks()) {
      String path = where + ".checks." + c.name();
      if (c instanceof DatasetCheck.NullShare n) {
        column(schema, n.column(), path, dataset, null);
      } else if (c instanceof DatasetCheck.Freshness f) {
        column(schema, f.column(), path, dataset, "a timestamp or date");
      } else if (c instanceof DatasetCheck.Unique u) {
        for (String col : u.columns()) {
          column(schema, col, path, dataset, null);
        }
      }
    }
    return new CompiledRules(rules, dataset, columns);
  }

  private static void column(StructType schema, String name, String path, String dataset, String kind) {
    StructField field = Arrays.stream(schema.fields())
        .filter(f -> f.name().equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(() -> RuleErrors.unknownColumn(path, name, dataset, Arrays.asList(schema.fieldNames())));
    if (kind != null && !(field.dataType().equals(DataTypes.TimestampType)
        || field.dataType().equals(DataTypes.DateType)
        || field.dataType().equals(DataTypes.TimestampNTZType))) {
      throw RuleErrors.notATime(path, name, dataset, field.dataType().simpleString(), kind);
    }
  }

  private static String firstLine(Exception e) {
    String msg = e instanceof org.apache.spark.sql.AnalysisException a ? a.getSimpleMessage() : e.getMessage();
    if (msg == null) {
      return e.getClass().getSimpleName();
    }
    int cut = msg.indexOf('\n');
    return io.medallion.internal.Suggestions.userColumnsOnly((cut > 0 ? msg.substring(0, cut) : msg).trim());
  }

  public QualityRules rules() {
    return rules;
  }

  /**
   * The flags, in bit order: one per expectation (violated), then one per null-share check (the
   * column is NULL), so a {@link RuleTally} counts both from the bits alone.
   */
  private List<Column> flagConditions() {
    List<Column> flags = new ArrayList<>();
    for (Expectation e : rules.expectations()) {
      flags.add(functions.coalesce(
          functions.not(AsciiRegex.inRule(functions.expr(e.expression()))),
          functions.lit(e.nullResult() == NullResult.VIOLATION)));
    }
    for (DatasetCheck.NullShare n : nullShares()) {
      flags.add(functions.col(quote(n.column())).isNull());
    }
    return flags;
  }

  /** The checks that are flags of their own (after the expectations' flags, in this order). */
  private List<DatasetCheck.NullShare> nullShares() {
    List<DatasetCheck.NullShare> out = new ArrayList<>();
    for (DatasetCheck c : rules.checks()) {
      if (c instanceof DatasetCheck.NullShare n) {
        out.add(n);
      }
    }
    return out;
  }

  /** How many bit-set columns {@link #flag} adds (counted, not built: masks ask for it often). */
  int bitColumns() {
    int flags = rules.expectations().size() + nullShares().size();
    return Math.max(1, (flags + PER_COLUMN - 1) / PER_COLUMN);
  }

  /** The rows with the bit set of their violations ({@link #BITS} columns, never NULL). */
  public Dataset<Row> flag(Dataset<Row> rows) {
    List<Column> out = new ArrayList<>();
    out.add(functions.col("*"));
    List<Column> flags = flagConditions();
    for (int c = 0; c < bitColumns(); c++) {
      Column bits = functions.lit(0L);
      for (int f = c * PER_COLUMN; f < Math.min(flags.size(), (c + 1) * PER_COLUMN); f++) {
        bits = bits.bitwiseOR(functions.when(flags.get(f), functions.lit(1L << (f % PER_COLUMN))).otherwise(0L));
      }
      out.add(bits.as(BITS + c));
    }
    return rows.select(out.toArray(new Column[0]));
  }

  /** Expectation {@code i} is violated. */
  private static Column violated(int i) {
    return functions.col(BITS + i / PER_COLUMN).bitwiseAND(functions.lit(1L << (i % PER_COLUMN))).notEqual(0L);
  }

  /** Per bit-set column, the bits of the expectations with {@code action}. */
  long[] mask(Action action) {
    long[] mask = new long[bitColumns()];
    List<Expectation> es = rules.expectations();
    for (int i = 0; i < es.size(); i++) {
      if (es.get(i).action() == action) {
        mask[i / PER_COLUMN] |= 1L << (i % PER_COLUMN);
      }
    }
    return mask;
  }

  private Column any(Action action) {
    Column c = functions.lit(false);
    long[] mask = mask(action);
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] != 0) {
        c = c.or(functions.col(BITS + i).bitwiseAND(functions.lit(mask[i])).notEqual(0L));
      }
    }
    return c;
  }

  /** Rows violating a fail rule. */
  public Column failed() {
    return any(Action.FAIL);
  }

  /** Rows that go to the quarantine table. */
  public Column quarantined() {
    return any(Action.QUARANTINE).and(functions.not(failed()));
  }

  /** Rows left out by drop rules only. */
  public Column dropped() {
    return any(Action.DROP).and(functions.not(any(Action.QUARANTINE))).and(functions.not(failed()));
  }

  /** Rows that reach the target. */
  public Column kept() {
    return functions.not(any(Action.DROP).or(any(Action.QUARANTINE)).or(failed()));
  }

  /** The target's rows: kept rows with their own columns only. */
  public Dataset<Row> target(Dataset<Row> flagged) {
    return flagged.where(kept()).select(originalColumns());
  }

  private Column[] originalColumns() {
    return columns.stream().map(c -> functions.col(quote(c))).toArray(Column[]::new);
  }

  private static String quote(String c) {
    return "`" + c.replace("`", "``") + "`";
  }

  /** The quarantine rows: their own columns plus {@code _errors}, {@code _batch_id}, {@code _quarantined_at}. */
  public Dataset<Row> quarantine(Dataset<Row> flagged, long batchId) {
    return flagged.where(quarantined()).select(quarantineColumns(batchId));
  }

  /**
   * The target's rows, as {@link #target}, while the rows with violations are counted by {@code
   * tally} and quarantined rows are set aside by {@code spill} (when not null) on the executors
   * during the same pass. The spilling function runs only for quarantined rows; {@link #quarantineOfSpilled}
   * turns what it set aside into quarantine rows.
   */
  public Dataset<Row> targetCounting(Dataset<Row> flagged, RuleTally tally, QuarantineSpill spill) {
    return spill == null ? targetCounting(flagged, tally, null, null)
        : targetCounting(flagged, tally, spill.sink(), spillColumns());
  }

  /**
   * The target's rows, as {@link #targetCounting}, while each quarantined row goes, as a row of the
   * quarantine table ({@link #quarantineSchema}: its columns, {@code _errors}, {@code _batch_id}
   * {@code batchId}, {@code _quarantined_at} {@code at}), to {@code sink}, a function of the caller's
   * that stores it and answers false. The quarantine row is made on the executor from the row's
   * columns and bit sets: its {@code _errors} in Java, not as 20 more expressions in the write's
   * generated code (which made Spark evaluate them, and the filter, outside whole-stage code).
   */
  public Dataset<Row> targetSettingAside(Dataset<Row> flagged, RuleTally tally, UDF1<Row, Boolean> sink,
      long batchId, Instant at) {
    int width = columns.size();
    List<Expectation> es = rules.expectations();
    String[][] reasons = new String[es.size()][];
    for (int i = 0; i < es.size(); i++) {
      reasons[i] = new String[] {es.get(i).name(), es.get(i).action().key(), es.get(i).expression()};
    }
    java.sql.Timestamp quarantinedAt = java.sql.Timestamp.from(at);
    UDF1<Row, Boolean> quarantining = spilled -> {
      Object[] values = new Object[width + 3];
      for (int i = 0; i < width; i++) {
        values[i] = spilled.get(i);
      }
      List<Row> errors = new ArrayList<>();
      for (int r = 0; r < reasons.length; r++) {
        if ((spilled.getLong(width + r / PER_COLUMN) & 1L << (r % PER_COLUMN)) != 0) {
          errors.add(RowFactory.create((Object[]) reasons[r]));
        }
      }
      values[width] = scala.collection.JavaConverters.asScalaBuffer(errors); // an array, as in any Row
      values[width + 1] = batchId;
      values[width + 2] = quarantinedAt;
      return sink.call(RowFactory.create(values));
    };
    return targetCounting(flagged, tally, quarantining, spillColumns());
  }

  private Dataset<Row> targetCounting(Dataset<Row> flagged, RuleTally tally, UDF1<Row, Boolean> sink,
      Column[] sunk) {
    Column keep = kept();
    if (sink != null) {
      org.apache.spark.sql.expressions.UserDefinedFunction collect =
          functions.udf(sink, DataTypes.BooleanType).asNondeterministic();
      keep = keep.or(functions.when(quarantined(), collect.apply(functions.struct(sunk))).otherwise(false));
    }
    // The tally comes first: Spark keeps a filter's conditions from the first non-deterministic
    // one on where they are, so it sees every row.
    return flagged.where(tally.count(bitColumns()).and(keep)).select(originalColumns());
  }

  /** The columns of the quarantine table for rows of {@code flagged}: see {@link #quarantine}. */
  public StructType quarantineSchema(Dataset<Row> flagged) {
    return flagged.select(quarantineColumns(0)).schema();
  }

  /** The columns a spilled row keeps: its own and its bit sets (the reasons are derived on reading). */
  private Column[] spillColumns() {
    List<Column> cols = new ArrayList<>(Arrays.asList(originalColumns()));
    for (int c = 0; c < bitColumns(); c++) {
      cols.add(functions.col(BITS + c));
    }
    return cols.toArray(new Column[0]);
  }

  /** The schema of the rows {@link #targetCounting} sets aside. */
  public StructType spillSchema(Dataset<Row> flagged) {
    return flagged.select(spillColumns()).schema();
  }

  /** The quarantine rows of a batch from the rows {@link #targetCounting} set aside. */
  public Dataset<Row> quarantineOfSpilled(Dataset<Row> spilled, long batchId) {
    return spilled.select(quarantineColumns(batchId));
  }

  /** A tally of this table's flags ({@link #targetCounting}); register it before the write. */
  public RuleTally tally(org.apache.spark.sql.SparkSession spark) {
    List<Integer> nullShareChecks = new ArrayList<>();
    for (int i = 0; i < rules.checks().size(); i++) {
      if (rules.checks().get(i) instanceof DatasetCheck.NullShare) {
        nullShareChecks.add(i);
      }
    }
    return new RuleTally(spark, rules.expectations().size(), nullShareChecks,
        mask(Action.QUARANTINE), mask(Action.FAIL), mask(Action.DROP), mask(Action.WARN));
  }

  /**
   * The aggregates a {@link RuleTally} does not give: the rows, and each freshness check's newest
   * value. Observed, they also end the write's first code-generated stage after the rule columns,
   * which keeps each stage's generated method small enough for the JVM to compile (one stage with
   * 20 rules, the filter and the spill ran interpreted, 2.6x slower).
   */
  public Column[] untalliedMetrics() {
    List<Column> m = new ArrayList<>();
    m.add(functions.count(functions.lit(1)).as("rows"));
    for (int i = 0; i < rules.checks().size(); i++) {
      if (rules.checks().get(i) instanceof DatasetCheck.Freshness f) {
        m.add(functions.max(functions.col(quote(f.column())).cast(DataTypes.TimestampType)).as("c" + i));
      }
    }
    return m.toArray(new Column[0]);
  }

  private Column[] quarantineColumns(long batchId) {
    List<Column> cols = new ArrayList<>(Arrays.asList(originalColumns()));
    List<Column> reasons = new ArrayList<>();
    List<Expectation> es = rules.expectations();
    for (int i = 0; i < es.size(); i++) {
      Expectation e = es.get(i);
      reasons.add(functions.when(violated(i), functions.struct(
          functions.lit(e.name()).as("rule"),
          functions.lit(e.action().key()).as("action"),
          functions.lit(e.expression()).as("expression"))));
    }
    cols.add(functions.array_compact(functions.array(reasons.toArray(new Column[0]))).as(ERRORS));
    cols.add(functions.lit(batchId).as(BATCH_ID));
    cols.add(functions.current_timestamp().as(QUARANTINED_AT));
    return cols.toArray(new Column[0]);
  }

  /** The values of a row of {@link #metrics()} by name, for {@link #evaluate}. */
  public static java.util.Map<String, Object> values(Row row) {
    java.util.Map<String, Object> m = new java.util.HashMap<>();
    String[] names = row.schema().fieldNames();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], row.get(i));
    }
    return m;
  }

  /** Every count of the rules and checks, as aggregates over flagged rows; read with {@link #evaluate}. */
  public Column[] metrics() {
    List<Column> m = new ArrayList<>();
    m.add(functions.count(functions.lit(1)).as("rows"));
    m.add(sum(dropped()).as("dropped"));
    m.add(sum(quarantined()).as("quarantined"));
    m.add(sum(failed()).as("failed"));
    m.add(sum(any(Action.WARN).and(kept())).as("warned"));
    for (int i = 0; i < rules.expectations().size(); i++) {
      m.add(sum(violated(i)).as("v" + i));
    }
    for (int i = 0; i < rules.checks().size(); i++) {
      DatasetCheck c = rules.checks().get(i);
      if (c instanceof DatasetCheck.NullShare n) {
        m.add(sum(functions.col(quote(n.column())).isNull()).as("c" + i));
      } else if (c instanceof DatasetCheck.Freshness f) {
        m.add(functions.max(functions.col(quote(f.column())).cast(DataTypes.TimestampType)).as("c" + i));
      }
    }
    return m.toArray(new Column[0]);
  }

  private static Column sum(Column condition) {
    return functions.coalesce(functions.sum(functions.when(condition, 1L).otherwise(0L)), functions.lit(0L));
  }

  /** True when counting duplicate keys needs an aggregation of its own (a unique check exists). */
  public boolean needsUniquePass() {
    return rules.checks().stream().anyMatch(c -> c instanceof DatasetCheck.Unique);
  }

  /** Duplicate key counts of each unique check over the kept rows (one job per unique check). */
  public long[] duplicates(Dataset<Row> flagged) {
    long[] out = new long[rules.checks().size()];
    Dataset<Row> kept = flagged.where(kept());
    for (int i = 0; i < rules.checks().size(); i++) {
      if (rules.checks().get(i) instanceof DatasetCheck.Unique u) {
        Column[] keys = u.columns().stream().map(c -> functions.col(quote(c))).toArray(Column[]::new);
        Row r = kept.groupBy(keys).count().where(functions.col("count").gt(1))
            .agg(functions.coalesce(functions.sum(functions.col("count")), functions.lit(0L))).first();
        out[i] = r.getLong(0);
      }
    }
    return out;
  }

  /**
   * The metrics of one batch from the row of {@link #metrics()} aggregates.
   *
   * @param duplicates from {@link #duplicates}, or null when there is no unique check
   */
  public Evaluation evaluate(java.util.Map<String, Object> m, long[] duplicates, Instant now) {
    long rows = (Long) m.get("rows");
    List<ExpectationMetric> ems = new ArrayList<>();
    List<Expectation> es = rules.expectations();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < es.size(); i++) {
      long violated = (Long) m.get("v" + i);
      ems.add(new ExpectationMetric(es.get(i).name(), dataset, es.get(i).action(), rows - violated, violated));
      if (es.get(i).action() == Action.FAIL && violated > 0) {
        failures.add(es.get(i).name());
      }
    }
    long dropped = (Long) m.get("dropped");
    long quarantined = (Long) m.get("quarantined");
    List<CheckResult> checks = new ArrayList<>();
    for (int i = 0; i < rules.checks().size(); i++) {
      checks.add(check(rules.checks().get(i), i, m, rows, dropped + quarantined, duplicates, now));
    }
    QualityMetrics metrics = new QualityMetrics(rows, dropped, quarantined, (Long) m.get("warned"), ems, checks);
    return new Evaluation(metrics, (Long) m.get("failed"), failures);
  }

  private static CheckResult check(DatasetCheck c, int i, java.util.Map<String, Object> m, long rows, long rejected, long[] duplicates, Instant now) {
    if (c instanceof DatasetCheck.RowCount rc) {
      boolean ok = rc.min().stream().allMatch(min -> rows >= min) && rc.max().stream().allMatch(max -> rows <= max);
      return result(c, ok, rows + " rows", "the batch has " + rows + " rows; expected " + bounds(rc.min(), rc.max()));
    } else if (c instanceof DatasetCheck.RejectedShare rs) {
      double share = rows == 0 ? 0 : (double) rejected / rows;
      return result(c, share <= rs.max(), share(share) + " of " + rows + " rows",
          rejected + " of " + rows + " rows (" + share(share) + ") were dropped or quarantined; at most "
              + share(rs.max()) + " may be");
    } else if (c instanceof DatasetCheck.NullShare ns) {
      long nulls = (Long) m.get("c" + i);
      double share = rows == 0 ? 0 : (double) nulls / rows;
      return result(c, share <= ns.max(), share(share) + " of " + rows + " rows",
          nulls + " of " + rows + " rows (" + share(share) + ") have a NULL " + ns.column() + "; at most "
              + share(ns.max()) + " may");
    } else if (c instanceof DatasetCheck.Unique u) {
      long dups = duplicates == null ? 0 : duplicates[i];
      return result(c, dups == 0, dups + " rows share a key",
          dups + " rows share their " + u.columns() + " with another row of the batch; expected each key once");
    } else {
      DatasetCheck.Freshness f = (DatasetCheck.Freshness) c;
      Object newest = m.get("c" + i);
      if (newest == null) {
        return result(c, true, rows == 0 ? "empty batch" : "no value", "");
      }
      Instant latest = ((java.sql.Timestamp) newest).toInstant();
      Duration age = Duration.between(latest, now);
      return result(c, age.compareTo(f.maxAge()) <= 0, "newest " + f.column() + " " + latest + " (" + human(age) + " old)",
          "the newest " + f.column() + " is " + latest + ", " + human(age) + " old; at most " + human(f.maxAge()) + " is allowed");
    }
  }

  private static CheckResult result(DatasetCheck c, boolean ok, String observed, String problem) {
    return new CheckResult(c.name(), c.type(), c.action(), ok, observed, ok ? "" : problem);
  }

  private static String bounds(OptionalLong min, OptionalLong max) {
    if (min.isPresent() && max.isPresent()) {
      return "between " + min.getAsLong() + " and " + max.getAsLong();
    }
    return min.isPresent() ? "at least " + min.getAsLong() : "at most " + max.getAsLong();
  }

  private static String share(double s) {
    return String.format(Locale.ROOT, "%.2f%%", s * 100);
  }

  private static String human(Duration d) {
    long s = d.getSeconds();
    if (s >= 86400) {
      return String.format(Locale.ROOT, "%.1f days", s / 86400.0);
    }
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%.1f hours", s / 3600.0);
    }
    return s + " s";
  }

  /** The rows violating a fail rule, for the error message of a failed update. */
  public Dataset<Row> failedRows(Dataset<Row> flagged) {
    return flagged.where(failed()).select(originalColumns());
  }

  /**
   * True when the rules can be evaluated while writing, without holding the batch: no fail rules,
   * no unique or failing checks (quarantine rows are collected on the same pass).
   */
  public boolean evaluableInline() {
    return !rules.has(Action.FAIL)
        && rules.checks().stream().noneMatch(c -> c.action() == Action.FAIL || c instanceof DatasetCheck.Unique);
  }

  /**
   * One batch's outcome.
   *
   * @param metrics counts and check results
   * @param failedRows rows violating fail rules
   * @param failedRules names of the fail rules violated
   */
  public record Evaluation(QualityMetrics metrics, long failedRows, List<String> failedRules) {
    /** The fail-action checks that did not pass. */
    public List<CheckResult> failedChecks() {
      return metrics.checks().stream().filter(c -> !c.passed() && c.action() == Action.FAIL).toList();
    }
  }
}
