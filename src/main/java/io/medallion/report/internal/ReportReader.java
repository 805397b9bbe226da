package io.medallion.report.internal;

import io.medallion.config.Defaults;
import io.medallion.internal.Secrets;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.report.internal.ReportData.FailedCheck;
import io.medallion.report.internal.ReportData.LastError;
import io.medallion.report.internal.ReportData.Quarantine;
import io.medallion.report.internal.ReportData.RulePoint;
import io.medallion.report.internal.ReportData.RuleTotal;
import io.medallion.report.internal.ReportData.RunPoint;
import io.medallion.report.internal.ReportData.TableData;
import io.medallion.table.TableName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads what the report shows from the event log and the quarantine tables, and nothing else (the
 * catalogs must be usable: on open-source Spark, registered). A few small queries, collected to the
 * driver: the event log has a row per batch, not per record.
 */
public final class ReportReader {
  /** Quarantined rows shown per table. */
  public static final int SAMPLE_ROWS = 10;

  private final SparkSession spark;

  public ReportReader(SparkSession spark) {
    this.spark = spark;
  }

  public ReportData read(PipelineDefinition pipeline, Environment env) {
    TableName log = env.eventLogTable(pipeline).orElseThrow(() -> ReportErrors.noEventLog(pipeline.name(), env.name()));
    if (!spark.catalog().tableExists(log.toString())) {
      throw ReportErrors.eventLogMissing(pipeline.name(), env.name(), log.toString());
    }
    String flows = "(SELECT * FROM " + log.quoted() + " WHERE event_type = 'flow_progress'"
        + " AND origin.pipeline_name = " + literal(pipeline.name()) + ")";
    List<TableData> tables = new ArrayList<>();
    for (TableDefinition t : pipeline.topologicalOrder()) {
      String ref = t.ref().toString();
      String mine = "(SELECT * FROM " + flows + " WHERE origin.dataset_name = " + literal(ref) + ")";
      tables.add(new TableData(ref, env.tableName(pipeline, t.ref()).toString(), runs(mine), rules(mine),
          topFailing(mine), quarantine(env.quarantineName(pipeline, t.ref(), Defaults.reference().quarantineSuffix())), failedChecks(mine),
          lastError(log, pipeline.name(), ref)));
    }
    return new ReportData(pipeline.name(), env.name(), log.toString(), Instant.now().toString(), tables);
  }

  private List<RunPoint> runs(String mine) {
    List<RunPoint> runs = new ArrayList<>();
    for (Row r : spark.sql("SELECT origin.run_id, CAST(min(details.flow_progress.start_time) AS STRING), count(*),"
        + " coalesce(sum(details.flow_progress.metrics.num_input_rows), 0),"
        + " coalesce(sum(details.flow_progress.metrics.num_output_rows), 0),"
        + " coalesce(sum(details.flow_progress.data_quality.dropped_records), 0),"
        + " coalesce(sum(details.flow_progress.data_quality.quarantined_records), 0),"
        + " coalesce(sum(details.flow_progress.data_quality.warned_records), 0)"
        + " FROM " + mine + " WHERE details.flow_progress.status <> 'SKIPPED'"
        + " GROUP BY origin.run_id ORDER BY 2, 1").collectAsList()) {
      runs.add(new RunPoint(r.getString(0), r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5),
          r.getLong(6), r.getLong(7)));
    }
    return runs;
  }

  private List<RulePoint> rules(String mine) {
    List<RulePoint> points = new ArrayList<>();
    for (Row r : spark.sql("SELECT e.name, origin.run_id, sum(e.passed_records), sum(e.failed_records),"
        + " min(details.flow_progress.start_time) AS t"
        + " FROM " + mine + " LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
        + " WHERE details.flow_progress.status <> 'SKIPPED'"
        + " GROUP BY e.name, origin.run_id ORDER BY e.name, t, origin.run_id").collectAsList()) {
      points.add(new RulePoint(r.getString(0), r.getString(1), r.getLong(2), r.getLong(3)));
    }
    return points;
  }

  private List<RuleTotal> topFailing(String mine) {
    List<RuleTotal> totals = new ArrayList<>();
    for (Row r : spark.sql("SELECT e.name, first(e.action), sum(e.passed_records), sum(e.failed_records)"
        + " FROM " + mine + " LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
        + " WHERE details.flow_progress.status <> 'SKIPPED'"
        + " GROUP BY e.name ORDER BY 4 DESC, 1").collectAsList()) {
      totals.add(new RuleTotal(r.getString(0), r.getString(1), r.getLong(2), r.getLong(3)));
    }
    return totals;
  }

  private List<FailedCheck> failedChecks(String mine) {
    List<FailedCheck> checks = new ArrayList<>();
    for (Row r : spark.sql("SELECT CAST(timestamp AS STRING), origin.run_id, c.name, c.type, c.observed, c.message"
        + " FROM " + mine + " LATERAL VIEW explode(details.flow_progress.data_quality.checks) x AS c"
        + " WHERE NOT c.passed ORDER BY timestamp DESC LIMIT 50").collectAsList()) {
      checks.add(new FailedCheck(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
          r.getString(5)));
    }
    return checks;
  }

  private Optional<LastError> lastError(TableName log, String pipeline, String ref) {
    List<Row> rows = spark.sql("SELECT CAST(timestamp AS STRING), origin.run_id, coalesce(error.message, message)"
        + " FROM " + log.quoted() + " WHERE origin.pipeline_name = " + literal(pipeline)
        + " AND error IS NOT NULL AND coalesce(origin.dataset_name, error.dataset_name) = " + literal(ref)
        + " ORDER BY timestamp DESC LIMIT 1").collectAsList();
    return rows.stream().findFirst()
        .map(r -> new LastError(r.getString(0), r.getString(1), Secrets.redact(r.getString(2))));
  }

  private Optional<Quarantine> quarantine(TableName name) {
    if (!spark.catalog().tableExists(name.toString())) {
      return Optional.empty();
    }
    long count = spark.table(name.quoted()).count();
    var sample = spark.table(name.quoted());
    if (List.of(sample.columns()).contains("_quarantined_at")) {
      sample = sample.orderBy(sample.col("_quarantined_at").desc());
    }
    List<String> columns = new ArrayList<>(List.of(sample.columns()));
    if (columns.remove("_errors")) { // the reasons first: the row's own columns can be many
      columns.add(0, "_errors");
      sample = sample.selectExpr(columns.stream().map(c -> "`" + c.replace("`", "``") + "`").toArray(String[]::new));
    }
    List<List<String>> rows = new ArrayList<>();
    for (Row r : sample.limit(SAMPLE_ROWS).collectAsList()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        values.add(r.isNullAt(i) ? null : text(r.get(i)));
      }
      rows.add(values);
    }
    return Optional.of(new Quarantine(name.toString(), count, columns, rows));
  }

  /** A cell as text; a struct or array as Spark prints it, an {@code _errors} entry as {@code rule (action): expression}. */
  private static String text(Object v) {
    if (v instanceof scala.collection.Seq<?> seq) {
      List<String> items = new ArrayList<>();
      scala.collection.JavaConverters.seqAsJavaList(seq).forEach(i -> items.add(text(i)));
      return String.join("; ", items);
    }
    if (v instanceof Row row) {
      if (row.schema() != null && List.of(row.schema().fieldNames()).containsAll(List.of("rule", "action", "expression"))) {
        return row.getAs("rule") + " (" + row.getAs("action") + "): " + row.getAs("expression");
      }
      return row.toString();
    }
    String s = String.valueOf(v);
    return s.length() > 200 ? s.substring(0, 197) + "..." : s;
  }

  private static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
