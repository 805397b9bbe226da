// Databricks notebook source
// MAGIC %md
// MAGIC # Inspect the event log and the quarantine of a table
// MAGIC
// MAGIC Attach the medallion job jar to the cluster, fill in the widgets and run all. Reads only: the
// MAGIC pipeline's event log (one row per run and per micro-batch: rows in and out, per-expectation
// MAGIC counts, check results, errors) and the table's quarantine table (`<table>_quarantine`, the
// MAGIC rejected rows with the reasons in `_errors`). The last cell shows the data-quality report.

// COMMAND ----------

dbutils.widgets.text("conf_dir", "/Workspace/Shared/medallion/conf", "Config folder")
dbutils.widgets.text("pipeline", "retail", "Pipeline")
dbutils.widgets.text("env", "dev", "Environment")
dbutils.widgets.text("table", "silver.orders", "Table (layer.table)")

// COMMAND ----------

import io.medallion.config.{ConfigLoader, Defaults}
import io.medallion.pipeline.TableRef
import io.medallion.report.QualityReport
import java.nio.file.Paths

val loaded = ConfigLoader.load(
  Paths.get(dbutils.widgets.get("conf_dir")), dbutils.widgets.get("pipeline"), dbutils.widgets.get("env"))
val pipeline = loaded.pipeline
val env = loaded.environment
val table = TableRef.parse(dbutils.widgets.get("table"))
val eventLog = env.eventLogTable(pipeline).get.quoted
val quarantineTable = env.quarantineName(pipeline, table, Defaults.reference.quarantineSuffix)
val quarantine = quarantineTable.quoted
println(s"${table} is ${env.tableName(pipeline, table)}; event log ${eventLog}; quarantine ${quarantine}")

// COMMAND ----------

// MAGIC %md ## Micro-batches of the table, newest first

// COMMAND ----------

display(spark.sql(s"""
  SELECT timestamp, origin.run_id, origin.batch_id, details.flow_progress.status,
         details.flow_progress.metrics.num_input_rows AS rows_in,
         details.flow_progress.metrics.num_output_rows AS rows_out,
         details.flow_progress.data_quality.dropped_records AS dropped,
         details.flow_progress.data_quality.quarantined_records AS quarantined,
         details.flow_progress.data_quality.warned_records AS warned,
         error.message AS error
  FROM ${eventLog}
  WHERE event_type = 'flow_progress' AND origin.dataset_name = '${table}'
  ORDER BY timestamp DESC"""))

// COMMAND ----------

// MAGIC %md ## Expectations per run: passed and failed rows

// COMMAND ----------

display(spark.sql(s"""
  SELECT origin.run_id, min(timestamp) AS started, e.name, e.action,
         sum(e.passed_records) AS passed, sum(e.failed_records) AS failed
  FROM ${eventLog} LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e
  WHERE event_type = 'flow_progress' AND origin.dataset_name = '${table}'
  GROUP BY origin.run_id, e.name, e.action
  ORDER BY started DESC, failed DESC"""))

// COMMAND ----------

// MAGIC %md ## Quarantined rows and why

// COMMAND ----------

if (spark.catalog.tableExists(quarantineTable.toString)) {
  display(spark.sql(s"""
    SELECT e.rule, e.action, count(*) AS rows
    FROM ${quarantine} LATERAL VIEW explode(_errors) x AS e
    GROUP BY e.rule, e.action ORDER BY rows DESC"""))
  display(spark.table(quarantine).orderBy(org.apache.spark.sql.functions.col("_quarantined_at").desc).limit(100))
} else {
  println(s"${table} has no quarantine table: none of its expectations quarantines, or nothing was quarantined yet.")
}

// COMMAND ----------

// MAGIC %md ## The data-quality report of the whole pipeline

// COMMAND ----------

displayHTML(QualityReport.html(spark, pipeline, env))
