package io.medallion.report;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.report.internal.HtmlReport;
import io.medallion.report.internal.ReportErrors;
import io.medallion.report.internal.ReportReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The data-quality report of a pipeline in one environment: one self-contained HTML file (no
 * network, charts as inline SVG) showing per table its runs over time with rows in and out, the
 * pass rate of each expectation per run, the top failing rules, the quarantine count with the latest
 * quarantined rows and their {@code _errors}, failed dataset checks and the last error.
 *
 * <p>It reads the event log and the quarantine tables only, so it can be made at any time, by anyone
 * allowed to read them, without running anything. Retried micro-batches that the event log records
 * as {@code SKIPPED} are not counted. The environment's catalogs must be usable (on open-source
 * Spark, registered, e.g. by {@code Platform.prepareCatalogs}).
 */
public final class QualityReport {
  private QualityReport() {}

  /** The report's HTML. */
  public static String html(SparkSession spark, PipelineDefinition pipeline, Environment env) {
    return HtmlReport.render(new ReportReader(spark).read(pipeline, env));
  }

  /** Writes the report to {@code out} (parent folders created) and returns it. */
  public static Path write(SparkSession spark, PipelineDefinition pipeline, Environment env, Path out) {
    String html = html(spark, pipeline, env);
    try {
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.writeString(out, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ReportErrors.cannotWrite(out, e);
    }
    return out;
  }
}
