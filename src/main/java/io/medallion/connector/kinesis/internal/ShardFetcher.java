package io.medallion.connector.kinesis.internal;

import java.util.List;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Reads one shard from a position, page by page, at a bounded rate: consecutive GetRecords calls
 * are at least {@code minFetchPeriod} apart, and after a page of B bytes the next call waits until
 * B / {@code maxFetchRate} has passed (per shard). Used the same way by the driver (to find a
 * batch's end) and by executors (to read the batch), so both see the same records.
 */
final class ShardFetcher {
  /** One GetRecords page. {@code endOfShard}: the shard is closed and fully read. */
  record Page(List<Record> records, boolean endOfShard, boolean caughtUp) {}

  private final KinesisApi api;
  private final String shardId;
  private ShardPosition position;
  private String iterator;
  private long nextCallAtMs;

  ShardFetcher(KinesisApi api, String shardId, ShardPosition start) {
    this.api = api;
    this.shardId = shardId;
    this.position = start;
  }

  Page next(int limit) {
    KinesisOptions o = api.options();
    KinesisApi.sleep(nextCallAtMs - System.currentTimeMillis());
    GetRecordsResponse response;
    try {
      if (iterator == null) {
        iterator = api.iterator(shardId, position);
      }
      response = api.records(shardId, iterator, limit);
    } catch (ExpiredIteratorException e) {
      // Iterators live 5 minutes; start again after the last record returned.
      iterator = api.iterator(shardId, position);
      response = api.records(shardId, iterator, limit);
    }
    long bytes = 0;
    for (Record r : response.records()) {
      bytes += r.data().asByteArrayUnsafe().length + r.partitionKey().length();
    }
    long rateWaitMs = (long) (bytes / (o.maxFetchRateMbPerSecond() * 1_000_000.0) * 1000.0);
    nextCallAtMs = System.currentTimeMillis() + Math.max(o.minFetchPeriodMs(), rateWaitMs);
    List<Record> records = response.records();
    if (!records.isEmpty()) {
      position = ShardPosition.after(records.get(records.size() - 1).sequenceNumber());
    }
    iterator = response.nextShardIterator();
    Long behind = response.millisBehindLatest();
    // kinesalite always answers MillisBehindLatest=0, so a full page never counts as caught up.
    return new Page(records, iterator == null,
        records.size() < limit && (behind == null || behind == 0L));
  }
}
