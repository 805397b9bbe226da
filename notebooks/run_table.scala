// Databricks notebook source
// MAGIC %md
// MAGIC # Run one table of a medallion pipeline
// MAGIC
// MAGIC Attach the medallion job jar to the cluster (Libraries > Install new > JAR, or a Unity Catalog
// MAGIC volume path), put your `conf/` folder in the workspace or a volume, fill in the widgets and run
// MAGIC all. On Databricks the catalogs are Unity Catalog catalogs: the environment file's `catalogs`
// MAGIC must name catalogs you can write to. Nothing here stops the cluster's session.

// COMMAND ----------

dbutils.widgets.text("conf_dir", "/Workspace/Shared/medallion/conf", "Config folder")
dbutils.widgets.text("pipeline", "retail", "Pipeline")
dbutils.widgets.text("env", "dev", "Environment")
dbutils.widgets.text("table", "silver.orders", "Table (layer.table)")
dbutils.widgets.dropdown("full_refresh", "no", Seq("no", "yes"), "Full refresh")

// COMMAND ----------

import io.medallion.config.ConfigLoader
import io.medallion.pipeline.TableRef
import io.medallion.run.{PipelineRunner, RunOptions}
import java.nio.file.Paths

val loaded = ConfigLoader.load(
  Paths.get(dbutils.widgets.get("conf_dir")), dbutils.widgets.get("pipeline"), dbutils.widgets.get("env"))
val runner = new PipelineRunner(spark, loaded.pipeline, loaded.environment)
val table = TableRef.parse(dbutils.widgets.get("table"))

// Resolve every source and SQL statement first: fails fast with the config path of any mistake.
runner.validate()

// COMMAND ----------

var options = RunOptions.all().only(table)
if (dbutils.widgets.get("full_refresh") == "yes") options = options.fullRefresh(table)
val result = runner.run(options)
result.tables.forEach(t => println(t.summary))

// COMMAND ----------

display(spark.table(runner.tableName(table).quoted))
