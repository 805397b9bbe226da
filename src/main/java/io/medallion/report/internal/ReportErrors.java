package io.medallion.report.internal;

import io.medallion.MedallionException;
import java.nio.file.Path;

/** Every error of the data-quality report, each saying the problem, the cause and the fix. */
public final class ReportErrors {
  private ReportErrors() {}

  /** The environment turns the event log off. */
  public static MedallionException noEventLog(String pipeline, String env) {
    return new MedallionException("Pipeline '" + pipeline + "' has no event log in environment '" + env
        + "' (env.event-log = off), and the report is made from it. Set event-log = auto, run the pipeline,"
        + " then make the report.");
  }

  /** The event log does not exist yet. */
  public static MedallionException eventLogMissing(String pipeline, String env, String table) {
    return new MedallionException("The event log " + table + " of pipeline '" + pipeline + "' in environment '"
        + env + "' does not exist: the pipeline has not run there yet. Run it (medallion run --pipeline "
        + pipeline + " --env " + env + "), then make the report.");
  }

  /** The report file could not be written. */
  public static MedallionException cannotWrite(Path file, Exception cause) {
    return new MedallionException("Cannot write the report " + file + ": " + cause.getMessage()
        + ". Choose a writable path with --out.", cause);
  }
}
