package io.medallion.source;

import io.medallion.platform.Platform;
import org.apache.spark.sql.SparkSession;

/**
 * What a source reader needs of the run it is part of.
 *
 * @param spark the session to read with
 * @param platform what differs between the Databricks Runtime and open-source Spark (formats,
 *     secrets)
 * @param checkpoint the checkpoint directory of the table the source fills (Auto Loader keeps its
 *     schema there)
 */
public record SourceContext(SparkSession spark, Platform platform, String checkpoint) {}
