package io.medallion.report.internal;

import java.util.List;
import java.util.Optional;

/** What the data-quality report shows, read from the event log and the quarantine tables. */
public record ReportData(String pipeline, String environment, String eventLog, String generatedAt, List<TableData> tables) {
  /** One table of the pipeline. */
  public record TableData(
      String ref,
      String name,
      List<RunPoint> runs,
      List<RulePoint> rules,
      List<RuleTotal> topFailing,
      Optional<Quarantine> quarantine,
      List<FailedCheck> failedChecks,
      Optional<LastError> lastError) {}

  /** One run of one table: its batches summed (retried batches recorded as SKIPPED are left out). */
  public record RunPoint(String runId, String start, long batches, long rowsIn, long rowsOut, long dropped,
      long quarantined, long warned) {}

  /** One expectation in one run. */
  public record RulePoint(String rule, String runId, long passed, long failed) {}

  /** One expectation over every run. */
  public record RuleTotal(String rule, String action, long passed, long failed) {}

  /** The quarantine table: how many rows, and the latest few with their {@code _errors}. */
  public record Quarantine(String name, long rows, List<String> columns, List<List<String>> sample) {}

  /** A dataset check that failed (action warn) in some batch. */
  public record FailedCheck(String time, String runId, String name, String type, String observed, String message) {}

  /** The latest failure of the table's flow. */
  public record LastError(String time, String runId, String message) {}
}
