package io.medallion.cli;

import io.medallion.config.ConfigLoader;
import io.medallion.config.LoadedPipeline;
import io.medallion.platform.Platform;
import io.medallion.report.QualityReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/** {@code medallion report}: writes the data-quality report of a pipeline (see {@link QualityReport}). */
final class ReportCommand {
  static final String OPTIONS = "--pipeline P --env E [--out report.html]";

  private final PrintStream out;

  ReportCommand(PrintStream out) {
    this.out = out;
  }

  void execute(String[] args) {
    CommandArgs a = CommandArgs.parse(args, Set.of("--pipeline", "--env", "--out", "--conf-dir"), OPTIONS);
    LoadedPipeline loaded = ConfigLoader.load(Path.of(a.value("--conf-dir", CommandArgs.confDir())),
        a.required("--pipeline", "a name under <conf-dir>/pipelines"),
        a.required("--env", "a name under <conf-dir>/env, e.g. local"));
    Platform platform = Platform.choose(loaded.environment().platform(), System.getenv());
    SparkSession spark = Sessions.obtain(loaded.environment(), platform,
        "medallion report " + loaded.pipeline().name() + " (" + loaded.environment().name() + ")");
    platform.prepareCatalogs(spark, loaded.environment());
    Path file = QualityReport.write(spark, loaded.pipeline(), loaded.environment(), Path.of(a.value("--out", "report.html")));
    out.println("Wrote the data-quality report " + file.toAbsolutePath() + " (open it in a browser; it needs no network).");
  }
}
