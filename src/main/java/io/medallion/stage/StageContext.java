package io.medallion.stage;

import io.medallion.config.Defaults;
import io.medallion.eventlog.EventLog;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.Platform;
import io.medallion.table.TableName;
import org.apache.spark.sql.SparkSession;

/**
 * What a stage needs to know about the run it is part of.
 *
 * @param events where each batch's progress is recorded
 * @param runId the run's id in the event log
 * @param platform what differs between the Databricks Runtime and open-source Spark
 */
public record StageContext(
    SparkSession spark, PipelineDefinition pipeline, Environment env, EventLog events, String runId, Platform platform) {
  /** A context on open-source Spark that records no events (planning, validation). */
  public StageContext(SparkSession spark, PipelineDefinition pipeline, Environment env) {
    this(spark, pipeline, env, EventLog.off(spark), "", Platform.choose(Environment.PlatformChoice.OSS, java.util.Map.of()));
  }

  /** A context that records no events (planning, validation). */
  public StageContext(SparkSession spark, PipelineDefinition pipeline, Environment env, Platform platform) {
    this(spark, pipeline, env, EventLog.off(spark), "", platform);
  }

  /** The three-level name of a pipeline table. */
  public TableName nameOf(TableRef ref) {
    return env.tableName(pipeline, ref);
  }

  /** The three-level name of a table's quarantine table ({@code <table>_quarantine}). */
  public TableName quarantineOf(TableRef ref) {
    return env.quarantineName(pipeline, ref, Defaults.reference().quarantineSuffix());
  }

  /** The checkpoint directory of a streaming table. */
  public String checkpointOf(TableRef ref) {
    return env.checkpointOf(pipeline, ref);
  }

  /** The temporary view a stage binds an input table to while it runs. */
  public String viewOf(TableRef ref, String purpose) {
    return ("__medallion_" + purpose + "_" + pipeline.name() + "_" + ref.layer().key() + "_" + ref.name())
        .replace('-', '_');
  }
}
