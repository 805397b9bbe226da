package io.medallion.connector.kinesis.internal;

import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** A Kinesis stream as a micro-batch-readable table with the Databricks source's columns. */
public final class KinesisTable implements SupportsRead, ScanBuilder, Scan {
  /** The columns, in the Databricks Kinesis source's order and types. */
  public static final StructType SCHEMA = new StructType()
      .add("partitionKey", DataTypes.StringType)
      .add("data", DataTypes.BinaryType)
      .add("stream", DataTypes.StringType)
      .add("shardId", DataTypes.StringType)
      .add("sequenceNumber", DataTypes.StringType)
      .add("approximateArrivalTimestamp", DataTypes.TimestampType);

  private final KinesisOptions options;

  public KinesisTable(KinesisOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return "kinesis:" + options.streamName();
  }

  @Override
  public StructType schema() {
    return SCHEMA;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.MICRO_BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap ignored) {
    return this;
  }

  @Override
  public Scan build() {
    return this;
  }

  @Override
  public StructType readSchema() {
    return SCHEMA;
  }

  @Override
  public String description() {
    return "Kinesis stream " + options.streamName() + " (" + options.location() + ")";
  }

  @Override
  public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
    return new KinesisMicroBatchStream(options, checkpointLocation);
  }
}
