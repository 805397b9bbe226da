package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.quality.QualityException;
import io.medallion.testkit.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code medallion report}: one self-contained HTML file that loads in headless Chromium without a
 * console message, whose numbers equal the event log's and whose charts are drawn.
 */
class QualityReportTest {
  @TempDir Path dir;

  @Test
  void theReportLoadsInChromiumAndShowsTheEventLogsNumbers() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    SparkSession spark = LocalSpark.session();
    ShopConf shop = new ShopConf(dir, "rep");
    shop.land("a", "5", null, "7", "b", "-1", "c", "150").land("d", "1", "e", "2").land("f", "3");
    shop.cli("run", "--quiet");
    shop.land("g", "-4", "h", "500");
    shop.cli("run", "--quiet");
    shop.land("i", "0"); // the fail rule stops this run
    assertThatThrownBy(() -> shop.cli("run", "--quiet")).isInstanceOf(QualityException.class).hasMessageContaining("not_free");

    Path html = dir.resolve("out/report.html");
    assertThat(shop.cli("report", "--out", html.toString())).contains("Wrote the data-quality report");
    String page = Files.readString(html);
    assertThat(page).doesNotContainPattern("(?i)(src|href)\\s*=\\s*\"(https?:)?//") // nothing fetched
        .doesNotContain("@import").doesNotContain("url(");
    Files.copy(html, Path.of("target/quality-report-test.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    HeadlessChromium.Page loaded = chromium.load(html, dir);
    assertThat(loaded.console()).as("console messages of the report").isEmpty();
    String dom = loaded.dom();
    assertThat(dom).contains("data-rendered=\"true\"");

    // Every run of the event log, with the same numbers.
    List<Row> runs = spark.sql("SELECT origin.run_id, count(*), coalesce(sum(details.flow_progress.metrics.num_input_rows), 0),"
        + " coalesce(sum(details.flow_progress.metrics.num_output_rows), 0),"
        + " coalesce(sum(details.flow_progress.data_quality.dropped_records), 0),"
        + " coalesce(sum(details.flow_progress.data_quality.quarantined_records), 0),"
        + " coalesce(sum(details.flow_progress.data_quality.warned_records), 0)"
        + " FROM rep_bronze.store.event_log WHERE event_type = 'flow_progress' AND origin.dataset_name = 'bronze.items'"
        + " AND details.flow_progress.status <> 'SKIPPED' GROUP BY origin.run_id").collectAsList();
    assertThat(runs).hasSize(3);
    long in = 0;
    for (Row r : runs) {
      String row = between(dom, "<tr data-run=\"" + r.getString(0) + "\">", "</tr>");
      assertThat(cell(row, "batches")).isEqualTo(r.getLong(1));
      assertThat(cell(row, "rows-in")).isEqualTo(r.getLong(2));
      assertThat(cell(row, "rows-out")).isEqualTo(r.getLong(3));
      assertThat(cell(row, "dropped")).isEqualTo(r.getLong(4));
      assertThat(cell(row, "quarantined")).isEqualTo(r.getLong(5));
      assertThat(cell(row, "warned")).isEqualTo(r.getLong(6));
      in += r.getLong(2);
      // its two bars in the chart, drawn by the page's script
      assertThat(dom).contains("data-run=\"" + r.getString(0) + "\" data-k=\"rows-in\" data-v=\"" + r.getLong(2) + "\"");
    }
    assertThat(cell(dom, "total-rows-in")).isEqualTo(in);
    assertThat(cell(dom, "total-runs")).isEqualTo(3);
    assertThat(count(dom, "<rect [^>]*data-run=")).isEqualTo(6);

    // Pass rates per rule and run, and the top failing rules, as the event log counts them.
    List<Row> rules = spark.sql("SELECT e.name, sum(e.passed_records), sum(e.failed_records)"
        + " FROM rep_bronze.store.event_log LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
        + " WHERE event_type = 'flow_progress' AND details.flow_progress.status <> 'SKIPPED' GROUP BY e.name").collectAsList();
    assertThat(rules).extracting(r -> r.getString(0)).containsExactlyInAnyOrder("has_id", "positive", "cheap", "not_free");
    for (Row r : rules) {
      String row = between(dom, "<tr data-rule=\"" + r.getString(0) + "\">", "</tr>");
      assertThat(cell(row, "passed")).isEqualTo(r.getLong(1));
      assertThat(cell(row, "failed")).isEqualTo(r.getLong(2));
    }
    long points = spark.sql("SELECT DISTINCT e.name, origin.run_id FROM rep_bronze.store.event_log"
        + " LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
        + " WHERE details.flow_progress.status <> 'SKIPPED' AND e.passed_records + e.failed_records > 0").count();
    assertThat(points).isGreaterThanOrEqualTo(4 * 2);
    assertThat(count(dom, "<circle [^>]*data-rule=")).isEqualTo(points);
    assertThat(dom).contains("data-rule=\"positive\"");

    // Quarantine, failed checks, last error.
    long quarantined = spark.table("rep_bronze.store.items_quarantine").count();
    assertThat(quarantined).isEqualTo(2);
    assertThat(cell(dom, "quarantine-rows")).isEqualTo(quarantined);
    assertThat(dom).contains("positive (quarantine): CAST(price AS DOUBLE) &gt;= 0");
    assertThat(between(dom, "data-k=\"failed-checks\"", "</table>")).contains("enough").contains("row-count");
    assertThat(between(dom, "data-k=\"last-error\"", "</div>")).contains("not_free");
  }

  private static String between(String text, String start, String end) {
    int i = text.indexOf(start);
    assertThat(i).as("the page contains %s", start).isNotNegative();
    return text.substring(i, text.indexOf(end, i));
  }

  private static long cell(String html, String key) {
    Matcher m = Pattern.compile("data-k=\"" + key + "\">(\\d+)<").matcher(html);
    assertThat(m.find()).as("a figure data-k=%s", key).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static long count(String text, String regex) {
    return Pattern.compile(regex).matcher(text).results().count();
  }
}
