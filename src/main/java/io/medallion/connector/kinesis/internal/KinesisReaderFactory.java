package io.medallion.connector.kinesis.internal;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** Sent to executors; each reader builds its own client from the options. */
final class KinesisReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final KinesisOptions options;

  KinesisReaderFactory(KinesisOptions options) {
    this.options = options;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new KinesisPartitionReader(options, (KinesisInputPartition) partition);
  }
}
