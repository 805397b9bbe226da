package io.medallion.run;

import io.medallion.MedallionException;
import io.medallion.pipeline.TableRef;
import java.util.List;

/**
 * Every error the runner raises, made in one place: each says what is wrong, where in the config,
 * and how to fix it. A refused full refresh always says that nothing was dropped.
 */
final class RunErrors {
  private RunErrors() {}

  static MedallionException unknownColumn(String origin, TableRef table, String key, String column,
      List<String> columns) {
    return new MedallionException(origin + ": pipeline." + table + "." + key + ": column '" + column
        + "' is not produced by " + table + ". Its columns are " + columns + ". Name one of them,"
        + " or add the column to the table's SQL.");
  }

  static MedallionException continuousTableFailed(Throwable cause) {
    return new MedallionException("A continuous table of the run failed: "
        + io.medallion.internal.Secrets.redact(String.valueOf(cause)) + ". The run stopped its other streams;"
        + " fix the cause and run it again (a job's retry starts them all).", cause);
  }

  static MedallionException interruptedWhileContinuous(InterruptedException e) {
    return new MedallionException("The run was interrupted while its continuous tables ran; their"
        + " streams were stopped. Run it again to resume them from their checkpoints.", e);
  }

  static MedallionException maxConcurrentTables(int n) {
    return new MedallionException("At most " + n + " tables at once: the limit must be 1 or more (1 runs"
        + " the tables one after another). Leave it out to run every ready table at once.");
  }

  static MedallionException inputNotWritten(String pipeline, String env, TableRef table, Object name, TableRef input,
      Object inputName) {
    return new MedallionException(table + " (" + name + ") reads " + input + " (" + inputName + "), which this run does"
        + " not write (--only) and no earlier run has written yet. Nothing was run. Run " + input + " first (medallion run"
        + " --pipeline " + pipeline + " --env " + env + " --only " + input + "), or run without --only.");
  }

  static MedallionException unknownTable(String option, TableRef ref, String pipeline, List<TableRef> tables) {
    return new MedallionException(option + " " + ref + ": pipeline '" + pipeline
        + "' has no such table. Its tables: " + tables);
  }

  static MedallionException checkpointNotDeleted(TableRef ref, Object table, String checkpoint, Exception e) {
    return new MedallionException("Full refresh of " + ref + ": dropped " + table + " but could not"
        + " delete its checkpoint " + checkpoint + ": " + e.getMessage() + ". Delete it by hand"
        + " before the next run.", e);
  }

  static MedallionException resetDisabled(TableRef ref, String property, String origin) {
    return new MedallionException("Full refresh of " + ref + " refused: the table sets \"" + property
        + "\" = \"false\" (" + origin + ": pipeline." + ref + ".properties). Remove the property to"
        + " allow it. Nothing was dropped.");
  }

  static MedallionException resetLosesData(TableRef ref, String reason, String property, String origin) {
    return new MedallionException("Full refresh of " + ref + " refused: it drops the table and its"
        + " checkpoint and reads the source again from the start, but " + reason + ", so the data"
        + " would be lost for good. Nothing was dropped. If that is what you want, set properties { \""
        + property + "\" = \"true\" } on pipeline." + ref + " (" + origin + "), or run with"
        + " --allow-reset (RunOptions.allowReset).");
  }

  static MedallionException missingSourcePath(TableRef ref, String path, String origin, String allowMissing) {
    return new MedallionException("Table " + ref + ": the source path " + path + " does not exist,"
        + " so the table reads no rows. Fix pipeline." + ref + ".source.path (" + origin + ") if it"
        + " is a typo; if the folder appears only later, set source.options { " + allowMissing
        + " = true }.");
  }
}
