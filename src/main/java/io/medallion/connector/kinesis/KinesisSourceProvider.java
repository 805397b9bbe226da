package io.medallion.connector.kinesis;

import io.medallion.connector.kinesis.internal.KinesisOptions;
import io.medallion.connector.kinesis.internal.KinesisTable;
import io.medallion.platform.Platform;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Structured Streaming (micro-batch) source for Amazon Kinesis Data Streams on open-source
 * Spark, a drop-in for the Databricks Runtime's {@code kinesis} source: same option names, same
 * columns ({@code partitionKey STRING, data BINARY, stream STRING, shardId STRING, sequenceNumber
 * STRING, approximateArrivalTimestamp TIMESTAMP}).
 *
 * <pre>
 * spark.readStream().format("kinesis")
 *     .option("streamName", "events").option("region", "us-east-1")
 *     .option("initialPosition", "trim_horizon")
 *     .load();
 * </pre>
 *
 * <p>Options (names case-insensitive): {@code streamName} (required, one stream), {@code region},
 * {@code endpoint}, {@code initialPosition} ({@code latest} default, {@code trim_horizon}, {@code
 * earliest}, {@code at_timestamp} as Databricks' JSON or an ISO-8601 instant), {@code
 * maxRecordsPerFetch}, {@code maxFetchRate}, {@code minFetchPeriod}, {@code maxFetchDuration},
 * {@code maxRecordsPerTrigger}, {@code failOnDataLoss}, {@code awsAccessKey}/{@code awsSecretKey},
 * {@code roleArn}/{@code roleExternalId}/{@code roleSessionName}/{@code stsEndpoint}, {@code
 * apiCallTimeout}, {@code maxThrottleRetries}. Defaults, offset semantics, exactly-once and
 * resharding are described in {@code docs/kinesis.md}. Reads are exactly-once with an idempotent
 * or transactional sink (Delta): each batch's end is decided and logged by the driver before
 * executors read it.
 *
 * <p><b>Short name.</b> The Databricks Runtime registers its own source as {@code kinesis}, and
 * Spark refuses a format name that two sources register. So this source's short name is {@code
 * kinesis} on open-source Spark and {@code medallion-kinesis} when the process runs on the
 * Databricks Runtime (environment variable {@code DATABRICKS_RUNTIME_VERSION} set), where {@code
 * format("kinesis")} keeps meaning the runtime's source. The full class name {@code
 * io.medallion.connector.kinesis.KinesisSourceProvider} is accepted as format everywhere.
 */
public final class KinesisSourceProvider implements TableProvider, DataSourceRegister {
  /** The short name on open-source Spark. */
  public static final String SHORT_NAME = "kinesis";
  /** The short name on the Databricks Runtime, which owns {@code kinesis}. */
  public static final String DATABRICKS_SHORT_NAME = "medallion-kinesis";

  private static final Logger LOG = LoggerFactory.getLogger(KinesisSourceProvider.class);

  @Override
  public String shortName() {
    return shortName(System.getenv());
  }

  /** The short name for a process environment (see the class comment). */
  static String shortName(Map<String, String> processEnv) {
    return Platform.runsOnDatabricks(processEnv) ? DATABRICKS_SHORT_NAME : SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return KinesisTable.SCHEMA;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning,
      Map<String, String> properties) {
    CaseInsensitiveStringMap options = new CaseInsensitiveStringMap(properties);
    KinesisOptions parsed = KinesisOptions.parse(options);
    for (String ignored : KinesisOptions.ignoredOptions()) {
      if (options.containsKey(ignored)) {
        LOG.warn("Kinesis source: option {} (Databricks) has no effect here; see"
            + " docs/kinesis.md", ignored);
      }
    }
    return new KinesisTable(parsed);
  }
}
