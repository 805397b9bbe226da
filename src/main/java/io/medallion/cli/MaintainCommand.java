package io.medallion.cli;

import io.medallion.eventlog.EventLog;
import io.medallion.internal.RunLock;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.Platform;
import io.medallion.table.TableMaintenance;
import io.medallion.table.TableName;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * {@code medallion maintain}: OPTIMIZE and VACUUM ({@link TableMaintenance}) every existing table
 * of the pipeline (or those of {@code --only}), the stored changes of its CDC tables (SCD type 1
 * streaming or snapshot tables: superseded changes removed first), their quarantine tables and the
 * event log; one line and one {@code maintenance} event per table.
 *
 * <p>It holds the lock of each table it maintains ({@link RunLock}, {@link RunLock.Activity#MAINTAIN})
 * throughout. For a table that runs rewrite (an upsert or CDC table, a batch table, a gold table:
 * their MERGEs and replacements conflict with OPTIMIZE) a run that writes it never writes beside
 * it, and either one started while the other holds the lock fails at once, naming the other. A table
 * that runs only append to (streaming bronze, streaming silver with {@code mode = append}, with
 * their quarantine tables) is maintained beside a run that holds its lock: Delta commits an append
 * and an OPTIMIZE beside each other, so a continuous run's tables can be maintained while it runs.
 * When such a lock is free, it is taken all the same (no run may drop the table,
 * {@code --full-refresh}, while OPTIMIZE rewrites it). The event log, which every run appends to,
 * takes no lock.
 */
final class MaintainCommand {
  private final PrintStream out;

  MaintainCommand(PrintStream out) {
    this.out = out;
  }

  List<TableMaintenance.Report> run(SparkSession spark, PipelineDefinition pipeline, Environment env,
      Platform platform, Set<TableRef> only) {
    for (TableRef ref : only) {
      if (pipeline.table(ref).isEmpty()) {
        throw CliErrors.unknownTable("--only", ref, pipeline.name(),
            pipeline.tables().stream().map(TableDefinition::ref).toList());
      }
    }
    List<TableRef> selected = pipeline.topologicalOrder().stream().map(TableDefinition::ref)
        .filter(r -> only.isEmpty() || only.contains(r)).toList();
    // Tables runs only append to are maintained beside a run that writes them (an append and an
    // OPTIMIZE commit side by side); their free locks are taken all the same, so that no run drops
    // one (--full-refresh) while it is being optimized.
    Set<String> appended = selected.stream().filter(r -> !rewrittenByRuns(pipeline.table(r).orElseThrow()))
        .map(TableRef::toString).collect(java.util.stream.Collectors.toSet());
    try (RunLock lock = RunLock.acquire(spark.sessionState().newHadoopConf(), env.checkpointRoot(), pipeline.name(),
        selected.stream().map(TableRef::toString).toList(), appended,
        io.medallion.config.Defaults.reference().runLockStaleAfter(), RunLock.Activity.MAINTAIN)) {
      return maintainLocked(spark, pipeline, env, platform, only);
    }
  }

  /**
   * True for a table whose runs rewrite its rows (MERGE, replace) rather than only append: an
   * OPTIMIZE beside such a write makes Delta fail one of the two.
   */
  static boolean rewrittenByRuns(TableDefinition t) {
    if (t instanceof io.medallion.pipeline.BronzeTable b) {
      return b.execution() == Execution.BATCH;
    }
    if (t instanceof SilverTable s) {
      return s.cdc().isPresent() || s.mode() != io.medallion.pipeline.WriteMode.APPEND
          || s.execution() == Execution.BATCH;
    }
    return true; // gold: replaced, or refreshed by group
  }

  private List<TableMaintenance.Report> maintainLocked(SparkSession spark, PipelineDefinition pipeline, Environment env,
      Platform platform, Set<TableRef> only) {
    platform.prepareCatalogs(spark, env);
    EventLog events = EventLog.open(spark, pipeline, env);
    events.checkReady(); // maintenance is no hurry: a log that cannot be created fails it before any table
    String runId = EventLog.newRunId();
    List<TableMaintenance.Report> reports = new ArrayList<>();
    for (TableDefinition t : pipeline.topologicalOrder()) {
      if (!only.isEmpty() && !only.contains(t.ref())) {
        continue;
      }
      TableName name = env.tableName(pipeline, t.ref());
      maintain(spark, events, runId, t.ref().toString(), t.ref().toString(), name,
          () -> TableMaintenance.maintain(spark, t.ref().toString(), name, t.spec()), reports);
      if (t instanceof SilverTable s && s.cdc().isPresent()) {
        String label = t.ref() + " changes";
        maintain(spark, events, runId, label, t.ref().toString(), TableMaintenance.changesTable(name),
            () -> TableMaintenance.maintainChanges(spark, label, name, s.cdc().get(),
                s.cdc().get().snapshots() || s.execution() == Execution.STREAMING), reports);
      }
      TableName quarantine = env.quarantineName(pipeline, t.ref(), io.medallion.config.Defaults.reference().quarantineSuffix());
      maintain(spark, events, runId, t.ref() + " quarantine", t.ref().toString(), quarantine,
          () -> TableMaintenance.maintain(spark, t.ref() + " quarantine", quarantine, TableMaintenance.noSpec()), reports);
    }
    if (only.isEmpty()) {
      Optional<TableName> log = env.eventLogTable(pipeline);
      if (log.isPresent()) {
        events.flush(); // its own pending events first
        maintain(spark, events, runId, "event log", null, log.get(),
            () -> TableMaintenance.maintain(spark, "event log", log.get(), TableMaintenance.noSpec()), reports);
      }
    }
    events.flush();
    out.println("Maintained " + reports.size() + " table(s) of pipeline '" + pipeline.name() + "' in environment '"
        + env.name() + "'.");
    return reports;
  }

  /** Maintains {@code name} with {@code maintenance} if the table exists: its line, its event, its report. */
  private void maintain(SparkSession spark, EventLog events, String runId, String label, String dataset,
      TableName name, java.util.function.Supplier<TableMaintenance.Report> maintenance,
      List<TableMaintenance.Report> reports) {
    if (!spark.catalog().tableExists(name.toString())) {
      return;
    }
    TableMaintenance.Report r = maintenance.get();
    out.println(r.summary());
    events.tableEvent(runId, "maintenance", "INFO", dataset, name, "Maintenance of " + r.summary());
    reports.add(r);
  }
}
