package io.medallion.connector.kinesis.internal;

import org.apache.spark.sql.connector.read.InputPartition;

/** One shard's part of a batch: the records after {@code from} up to and including {@code to}. */
record KinesisInputPartition(String shardId, ShardPosition from, ShardPosition to)
    implements InputPartition {}
