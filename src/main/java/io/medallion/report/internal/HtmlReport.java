package io.medallion.report.internal;

import io.medallion.internal.Json;
import io.medallion.report.internal.ReportData.FailedCheck;
import io.medallion.report.internal.ReportData.Quarantine;
import io.medallion.report.internal.ReportData.RuleTotal;
import io.medallion.report.internal.ReportData.RunPoint;
import io.medallion.report.internal.ReportData.TableData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the report as one self-contained HTML file: styles and script inline, charts drawn as
 * inline SVG by the script from the data embedded in the page; no network access at all. The
 * numbers are in plain HTML tables too (with {@code data-k} attributes naming each figure), so the
 * page is usable without the charts and checkable by a test.
 */
public final class HtmlReport {
  private HtmlReport() {}

  public static String render(ReportData data) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
        .append("<title>").append(esc("Data quality: " + data.pipeline() + " (" + data.environment() + ")")).append("</title>\n")
        .append("<style>").append(resource("report.css")).append("</style></head><body>\n");
    b.append("<header><h1>Data quality of pipeline <code>").append(esc(data.pipeline())).append("</code> in <code>")
        .append(esc(data.environment())).append("</code></h1><p>From the event log <code>").append(esc(data.eventLog()))
        .append("</code> and the quarantine tables, ").append(esc(data.generatedAt())).append(".</p>\n<nav>");
    for (TableData t : data.tables()) {
      b.append("<a href=\"#").append(anchor(t.ref())).append("\">").append(esc(t.ref())).append("</a> ");
    }
    b.append("</nav></header>\n");
    for (TableData t : data.tables()) {
      table(b, t);
    }
    b.append("<script type=\"application/json\" id=\"medallion-data\">").append(Json.write(chartData(data)))
        .append("</script>\n<script>").append(resource("report.js")).append("</script>\n</body></html>\n");
    return b.toString();
  }

  private static void table(StringBuilder b, TableData t) {
    long in = t.runs().stream().mapToLong(RunPoint::rowsIn).sum();
    long out = t.runs().stream().mapToLong(RunPoint::rowsOut).sum();
    long dropped = t.runs().stream().mapToLong(RunPoint::dropped).sum();
    long quarantined = t.runs().stream().mapToLong(RunPoint::quarantined).sum();
    long warned = t.runs().stream().mapToLong(RunPoint::warned).sum();
    b.append("<section class=\"table\" id=\"").append(anchor(t.ref())).append("\" data-table=\"").append(esc(t.ref())).append("\">\n")
        .append("<h2>").append(esc(t.ref())).append(" <small>").append(esc(t.name())).append("</small></h2>\n")
        .append("<div class=\"totals\">");
    total(b, "runs", "runs", t.runs().size());
    total(b, "rows in", "rows-in", in);
    total(b, "rows out", "rows-out", out);
    total(b, "dropped", "dropped", dropped);
    total(b, "quarantined", "quarantined", quarantined);
    total(b, "warned", "warned", warned);
    b.append("</div>\n");
    if (t.lastError().isPresent()) {
      var e = t.lastError().get();
      b.append("<div class=\"error\" data-k=\"last-error\"><b>Last error</b> (").append(esc(e.time())).append(", run ")
          .append(esc(shortId(e.runId()))).append("): <pre>").append(esc(e.message())).append("</pre></div>\n");
    }
    b.append("<div class=\"charts\"><figure><figcaption>Runs over time: rows in and out</figcaption>")
        .append("<div class=\"chart\" data-chart=\"runs\" data-for=\"").append(esc(t.ref())).append("\"></div></figure>");
    if (!t.rules().isEmpty()) {
      b.append("<figure><figcaption>Pass rate of each expectation per run</figcaption>")
          .append("<div class=\"chart\" data-chart=\"rules\" data-for=\"").append(esc(t.ref())).append("\"></div></figure>");
    }
    b.append("</div>\n<h3>Runs</h3>");
    if (t.runs().isEmpty()) {
      b.append("<p class=\"none\">No run recorded yet.</p>\n");
    } else {
      b.append("<table class=\"runs\"><thead><tr><th>started</th><th>run</th><th>batches</th><th>rows in</th>")
          .append("<th>rows out</th><th>dropped</th><th>quarantined</th><th>warned</th></tr></thead><tbody>\n");
      for (RunPoint r : t.runs()) {
        b.append("<tr data-run=\"").append(esc(r.runId())).append("\"><td>").append(esc(r.start())).append("</td><td>")
            .append(esc(shortId(r.runId()))).append("</td>");
        cell(b, "batches", r.batches());
        cell(b, "rows-in", r.rowsIn());
        cell(b, "rows-out", r.rowsOut());
        cell(b, "dropped", r.dropped());
        cell(b, "quarantined", r.quarantined());
        cell(b, "warned", r.warned());
        b.append("</tr>\n");
      }
      b.append("</tbody></table>\n");
    }
    if (!t.topFailing().isEmpty()) {
      b.append("<h3>Top failing rules</h3><table class=\"rules\"><thead><tr><th>expectation</th><th>action</th>")
          .append("<th>failed</th><th>passed</th><th>pass rate</th></tr></thead><tbody>\n");
      for (RuleTotal r : t.topFailing()) {
        long all = r.passed() + r.failed();
        b.append("<tr data-rule=\"").append(esc(r.rule())).append("\"><td>").append(esc(r.rule())).append("</td><td>")
            .append(esc(r.action())).append("</td>");
        cell(b, "failed", r.failed());
        cell(b, "passed", r.passed());
        b.append("<td>").append(all == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * r.passed() / all)).append("</td></tr>\n");
      }
      b.append("</tbody></table>\n");
    }
    if (t.quarantine().isPresent()) {
      Quarantine q = t.quarantine().get();
      b.append("<h3>Quarantine</h3><p><code>").append(esc(q.name())).append("</code> holds <b data-k=\"quarantine-rows\">")
          .append(q.rows()).append("</b> rows");
      if (!q.sample().isEmpty()) {
        b.append("; the latest ").append(q.sample().size()).append(":</p><div class=\"scroll\"><table class=\"sample\"><thead><tr>");
        q.columns().forEach(c -> b.append("<th").append(c.equals("_errors") ? " class=\"errors\"" : "").append(">").append(esc(c)).append("</th>"));
        b.append("</tr></thead><tbody>\n");
        for (List<String> row : q.sample()) {
          b.append("<tr>");
          for (int i = 0; i < row.size(); i++) {
            String v = row.get(i);
            b.append("<td").append(q.columns().get(i).equals("_errors") ? " class=\"errors\"" : "").append(">")
                .append(v == null ? "<i>null</i>" : esc(v)).append("</td>");
          }
          b.append("</tr>\n");
        }
        b.append("</tbody></table></div>\n");
      } else {
        b.append(".</p>\n");
      }
    }
    b.append("<h3>Failed checks</h3>");
    if (t.failedChecks().isEmpty()) {
      b.append("<p class=\"none\" data-k=\"failed-checks\">0</p>\n");
    } else {
      b.append("<table class=\"checks\" data-k=\"failed-checks\" data-count=\"").append(t.failedChecks().size())
          .append("\"><thead><tr><th>time</th><th>run</th><th>check</th><th>type</th><th>observed</th><th>message</th></tr></thead><tbody>\n");
      for (FailedCheck c : t.failedChecks()) {
        b.append("<tr><td>").append(esc(c.time())).append("</td><td>").append(esc(shortId(c.runId()))).append("</td><td>")
            .append(esc(c.name())).append("</td><td>").append(esc(c.type())).append("</td><td>").append(esc(c.observed()))
            .append("</td><td>").append(esc(c.message())).append("</td></tr>\n");
      }
      b.append("</tbody></table>\n");
    }
    b.append("</section>\n");
  }

  private static Map<String, Object> chartData(ReportData data) {
    Map<String, Object> tables = Json.object();
    for (TableData t : data.tables()) {
      List<Object> runs = new ArrayList<>();
      for (RunPoint r : t.runs()) {
        runs.add(List.of(r.runId(), r.start(), r.rowsIn(), r.rowsOut()));
      }
      Map<String, Object> rules = Json.object();
      for (var p : t.rules()) {
        @SuppressWarnings("unchecked")
        List<Object> points = (List<Object>) rules.computeIfAbsent(p.rule(), k -> new ArrayList<>());
        points.add(List.of(p.runId(), p.passed(), p.failed()));
      }
      Map<String, Object> entry = Json.object();
      entry.put("runs", runs);
      entry.put("rules", rules);
      tables.put(t.ref(), entry);
    }
    return tables;
  }

  private static void total(StringBuilder b, String label, String key, long value) {
    b.append("<div><span class=\"n\" data-k=\"total-").append(key).append("\">").append(value).append("</span><span>")
        .append(label).append("</span></div>");
  }

  private static void cell(StringBuilder b, String key, long value) {
    b.append("<td class=\"num\" data-k=\"").append(key).append("\">").append(value).append("</td>");
  }

  private static String shortId(String runId) {
    return runId == null ? "" : runId.length() > 8 ? runId.substring(0, 8) : runId;
  }

  private static String anchor(String ref) {
    return "t-" + ref.replaceAll("[^A-Za-z0-9_-]", "-");
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " next to " + HtmlReport.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
