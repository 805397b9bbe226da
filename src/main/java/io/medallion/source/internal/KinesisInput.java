package io.medallion.source.internal;

import io.medallion.internal.Causes;
import io.medallion.source.SourceContext;
import io.medallion.MedallionException;
import io.medallion.internal.Secrets;
import io.medallion.source.KinesisSource;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.Platform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a {@link KinesisSource} with the platform's Kinesis source (medallion's own on open-source
 * Spark, the runtime's on Databricks: same option names and output columns) and turns records into
 * bronze rows with {@code _kinesis_*} columns.
 */
final class KinesisInput {
  /** Columns every Kinesis bronze row carries besides the value's. */
  static final List<String> METADATA = List.of(
      "_kinesis_stream", "_kinesis_shard_id", "_kinesis_sequence_number", "_kinesis_partition_key",
      "_kinesis_arrival_time", "_ingest_time");

  private KinesisInput() {}

  static Dataset<Row> read(SourceContext ctx, TableRef ref, KinesisSource source) {
    StructType schema = MessageValues.schema(ref, source.value(), source.valueSchema(), METADATA);
    Dataset<Row> raw;
    String format = ctx.platform().kinesisFormat();
    try {
      raw = ctx.spark().readStream().format(format)
          .options(sparkOptions(source, ctx.platform(), System.getenv())).load();
    } catch (Exception e) {
      throw SourceReadErrors.cannotReadKinesis(ref, source.streamName(), source.region(), e);
    }
    List<Column> metadata = List.of(
        functions.col("stream").as("_kinesis_stream"),
        functions.col("shardId").as("_kinesis_shard_id"),
        functions.col("sequenceNumber").as("_kinesis_sequence_number"),
        functions.col("partitionKey").as("_kinesis_partition_key"),
        functions.col("approximateArrivalTimestamp").as("_kinesis_arrival_time"),
        functions.current_timestamp().as("_ingest_time"));
    Map<String, Column> context = new LinkedHashMap<>();
    context.put("_stream", functions.col("stream"));
    context.put("_shard_id", functions.col("shardId"));
    context.put("_sequence_number", functions.col("sequenceNumber"));
    return MessageValues.decode(raw, functions.col("data"), source.value(), schema, context, metadata);
  }

  /**
   * The source options, Databricks' names: the user's, then stream, region and an access key pair
   * read now. Contains secrets: never log it.
   */
  static Map<String, String> sparkOptions(KinesisSource source, Platform platform, Map<String, String> processEnv) {
    Map<String, String> options = new LinkedHashMap<>(source.options());
    options.put("streamName", source.streamName());
    options.put("region", source.region());
    source.accessKey().ifPresent(r -> options.put("awsAccessKey", SecretValues.resolve(r, platform, processEnv)));
    source.secretKey().ifPresent(r -> options.put("awsSecretKey", SecretValues.resolve(r, platform, processEnv)));
    return options;
  }
}
