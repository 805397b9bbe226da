package io.medallion.connector.kinesis.internal;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.unsafe.types.UTF8String;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Reads one shard's range (from, to] of a batch on an executor and stops exactly at {@code to}:
 * its sequence number, or the shard's end when {@code to} is {@code closed}.
 */
final class KinesisPartitionReader implements PartitionReader<InternalRow> {
  /** Caught-up pages in a row before an unreachable end counts as data loss. */
  private static final int MAX_EMPTY_PAGES = 3;

  private final KinesisOptions options;
  private final KinesisInputPartition partition;
  private final KinesisApi api;
  private final ShardFetcher fetcher;
  private final UTF8String stream;
  private final UTF8String shard;
  private Iterator<Record> page = List.<Record>of().iterator();
  private boolean done;
  private int emptyPages;
  private InternalRow current;

  KinesisPartitionReader(KinesisOptions options, KinesisInputPartition partition) {
    this.options = options;
    this.partition = partition;
    this.api = KinesisApi.create(options);
    this.fetcher = new ShardFetcher(api, partition.shardId(), partition.from());
    this.stream = UTF8String.fromString(options.streamName());
    this.shard = UTF8String.fromString(partition.shardId());
  }

  @Override
  public boolean next() {
    while (!page.hasNext()) {
      if (done) {
        return false;
      }
      fetch();
    }
    Record r = page.next();
    long micros = r.approximateArrivalTimestamp() == null ? 0L
        : Math.addExact(Math.multiplyExact(r.approximateArrivalTimestamp().getEpochSecond(),
            1_000_000L), r.approximateArrivalTimestamp().getNano() / 1_000L);
    current = new GenericInternalRow(new Object[] {
        UTF8String.fromString(r.partitionKey()), r.data().asByteArray(), stream, shard,
        UTF8String.fromString(r.sequenceNumber()), micros});
    return true;
  }

  private void fetch() {
    ShardFetcher.Page p = fetcher.next(options.maxRecordsPerFetch());
    List<Record> records = p.records();
    ShardPosition to = partition.to();
    if (to.kind() == ShardPosition.Kind.AFTER) {
      int keep = 0;
      while (keep < records.size()
          && ShardPosition.compareSequence(records.get(keep).sequenceNumber(), to.value()) <= 0) {
        keep++;
      }
      if (keep < records.size() || (keep > 0 && records.get(keep - 1).sequenceNumber()
          .equals(to.value()))) {
        done = true;
      }
      records = records.subList(0, keep);
    }
    page = records.iterator();
    if (done) {
      return;
    }
    if (p.endOfShard()) {
      done = true;
      if (to.kind() == ShardPosition.Kind.AFTER) {
        KinesisErrors.onDataLoss(options, partition.shardId(), "the shard ended before sequence number " + to.value());
      }
      return;
    }
    emptyPages = records.isEmpty() && p.caughtUp() ? emptyPages + 1 : 0;
    if (emptyPages >= MAX_EMPTY_PAGES) {
      done = true;
      KinesisErrors.onDataLoss(options, partition.shardId(), "the batch was planned up to " + to + " but reading after " + partition.from()
          + " reached the shard's tip without finding it");
    }
  }

  @Override
  public InternalRow get() {
    return current;
  }

  @Override
  public void close() {
    api.close();
  }
}
