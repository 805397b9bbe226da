package io.medallion.connector.kinesis.internal;

import io.medallion.internal.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.CompositeReadLimit;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.ReadMaxRows;
import org.apache.spark.sql.connector.read.streaming.SupportsTriggerAvailableNow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The micro-batch stream of one Kinesis stream.
 *
 * <h2>Offsets</h2>
 * A {@link KinesisOffset} maps every shard Kinesis lists (closed ones included) to a {@link
 * ShardPosition}: {@code after:<seq>} (every record up to and including {@code seq} was consumed),
 * {@code trim_horizon} / {@code at_timestamp:<ms>} (nothing consumed yet; reading starts there),
 * or {@code closed} (the shard was closed by a reshard and read to its end). The initial offset is
 * computed once and persisted next to the source's checkpoint ({@code initial-offset.json}), so a
 * query that crashes before its first commit restarts from the same positions; {@code latest} is
 * pinned as {@code at_timestamp:<now on the driver>}.
 *
 * <h2>Exactly-once: the driver decides each batch's end</h2>
 * {@link #latestOffset} reads each readable shard on the driver from the batch's start position
 * (GetRecords, AFTER_SEQUENCE_NUMBER) until it is caught up, the batch's record limit is reached,
 * {@code maxFetchDuration} has passed, or (under Trigger.AvailableNow) a record arrived after the
 * trigger started; the last sequence number seen becomes the shard's end. Spark writes that offset
 * to its offset log before running the batch. Executors then read each shard's half-open range
 * (start, end] again and stop at the end sequence number, so a batch re-run after a crash reads
 * exactly the same records (Kinesis records are immutable and sequence numbers increase within a
 * shard). The price is that every record is fetched twice (driver and executor); the driver keeps
 * only counts and sequence numbers, never the data.
 *
 * <h2>Resharding</h2>
 * Shards are listed each batch. A new shard (a split or merge child) enters the offset as {@code
 * trim_horizon}, but is read only once each parent is {@code closed} in the batch's start offset
 * (or is no longer listed): a parent's last records are therefore always in an earlier batch than
 * its children's first, and per-partition-key order holds across splits and merges. A shard
 * becomes {@code closed} when GetRecords returns no next iterator.
 *
 * <h2>Data loss</h2>
 * If a shard that is not read to its end disappears from the listing (it expired past the
 * retention period, or the stream was re-created), or an executor cannot reach a batch's planned
 * end sequence number (its records expired), the query fails naming the shard, unless {@code
 * failOnDataLoss=false}: then the shard is dropped (or its task ends early) with a warning. Records
 * trimmed from a shard that is still listed are not detected: Kinesis silently starts an iterator
 * at the trim horizon.
 *
 * <h2>Triggers</h2>
 * Processing-time and Trigger.Once use {@code maxRecordsPerTrigger} (as {@link ReadMaxRows}) when
 * set. Trigger.AvailableNow records the time it was prepared; batches then read records that
 * arrived up to that time, and the query stops when no shard has more of them.
 */
public final class KinesisMicroBatchStream implements MicroBatchStream,
    SupportsTriggerAvailableNow {
  private static final Logger LOG = LoggerFactory.getLogger(KinesisMicroBatchStream.class);
  private static final String INITIAL_OFFSET_FILE = "initial-offset.json";

  private final KinesisOptions options;
  private final String checkpointLocation;
  private KinesisApi api;
  private ExecutorService planners;
  private volatile Instant availableNowUntil;

  public KinesisMicroBatchStream(KinesisOptions options, String checkpointLocation) {
    this.options = options;
    this.checkpointLocation = checkpointLocation;
  }

  private synchronized KinesisApi api() {
    if (api == null) {
      api = KinesisApi.create(options);
    }
    return api;
  }

  @Override
  public Offset initialOffset() {
    Path file = new Path(checkpointLocation, INITIAL_OFFSET_FILE);
    Configuration conf = SparkSession.active().sessionState().newHadoopConf();
    try {
      FileSystem fs = file.getFileSystem(conf);
      if (fs.exists(file)) {
        try (FSDataInputStream in = fs.open(file)) {
          return KinesisOffset.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
              options.streamName());
        }
      }
      KinesisOffset initial = computeInitialOffset();
      Path tmp = new Path(checkpointLocation, "." + INITIAL_OFFSET_FILE + ".tmp");
      try (FSDataOutputStream out = fs.create(tmp, true)) {
        out.write(initial.json().getBytes(StandardCharsets.UTF_8));
      }
      if (!fs.rename(tmp, file)) {
        throw new IOException("cannot rename " + tmp + " to " + file);
      }
      LOG.info("Kinesis source {}: initial offset {}", options, initial.json());
      return initial;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write the Kinesis source's initial offset "
          + file + ": " + e.getMessage() + ". Fix: make the checkpoint location writable.", e);
    }
  }

  private KinesisOffset computeInitialOffset() {
    ShardPosition start;
    switch (options.initialPosition()) {
      case TRIM_HORIZON:
        start = ShardPosition.TRIM;
        break;
      case AT_TIMESTAMP:
        start = ShardPosition.atTimestamp(options.initialTimestamp());
        break;
      default:
        start = ShardPosition.atTimestamp(Instant.now());
        break;
    }
    Map<String, ShardPosition> shards = new TreeMap<>();
    for (Shard shard : api().listShards()) {
      shards.put(shard.shardId(), start);
    }
    return new KinesisOffset(options.streamName(), shards);
  }

  @Override
  public ReadLimit getDefaultReadLimit() {
    return options.maxRecordsPerTrigger() == Long.MAX_VALUE ? ReadLimit.allAvailable()
        : ReadLimit.maxRows(options.maxRecordsPerTrigger());
  }

  @Override
  public void prepareForTriggerAvailableNow() {
    availableNowUntil = Instant.now();
    LOG.info("Kinesis source {}: Trigger.AvailableNow reads records that arrived until {}",
        options.streamName(), availableNowUntil);
  }

  @Override
  public Offset latestOffset() {
    throw new UnsupportedOperationException(
        "latestOffset(Offset, ReadLimit) is the one to call on this source");
  }

  @Override
  public Offset latestOffset(Offset startOffset, ReadLimit limit) {
    KinesisOffset start = (KinesisOffset) startOffset;
    Map<String, ShardPosition> next = new TreeMap<>(start.shards());
    Map<String, Shard> listed = new LinkedHashMap<>();
    for (Shard shard : api().listShards()) {
      listed.put(shard.shardId(), shard);
      next.putIfAbsent(shard.shardId(), ShardPosition.TRIM);
    }
    for (Map.Entry<String, ShardPosition> e : start.shards().entrySet()) {
      if (!listed.containsKey(e.getKey())) {
        next.remove(e.getKey()); // expired: fine if it was read to the end
        if (e.getValue().kind() != ShardPosition.Kind.CLOSED) {
          KinesisErrors.onDataLoss(options, e.getKey(), "the shard is no longer listed but was read only up to "
              + e.getValue());
        }
      }
    }
    List<String> readable = new ArrayList<>();
    for (Shard shard : listed.values()) {
      if (next.get(shard.shardId()).kind() != ShardPosition.Kind.CLOSED
          && parentDone(next, shard.parentShardId())
          && parentDone(next, shard.adjacentParentShardId())) {
        readable.add(shard.shardId());
      }
    }
    if (!readable.isEmpty()) {
      long total = maxRows(limit);
      long perShard = total == Long.MAX_VALUE ? Long.MAX_VALUE
          : Math.max(1, (total + readable.size() - 1) / readable.size());
      Map<String, Future<ShardPosition>> plans = new LinkedHashMap<>();
      for (String shardId : readable) {
        ShardPosition from = next.get(shardId);
        plans.put(shardId, planners().submit(() -> planShard(shardId, from, perShard)));
      }
      for (Map.Entry<String, Future<ShardPosition>> plan : plans.entrySet()) {
        next.put(plan.getKey(), await(plan.getValue()));
      }
    }
    KinesisOffset end = new KinesisOffset(options.streamName(), next);
    return end.equals(start) ? start : end;
  }

  /** A parent is done if it has none, it is read to its end, or it expired (not in the map). */
  private static boolean parentDone(Map<String, ShardPosition> positions, String parent) {
    if (parent == null) {
      return true;
    }
    ShardPosition p = positions.get(parent);
    return p == null || p.kind() == ShardPosition.Kind.CLOSED;
  }

  /** Reads {@code shardId} from {@code from} to find this batch's end for it (see class doc). */
  private ShardPosition planShard(String shardId, ShardPosition from, long limit) {
    ShardFetcher fetcher = new ShardFetcher(api(), shardId, from);
    long deadline = System.currentTimeMillis() + options.maxFetchDurationMs();
    Instant until = availableNowUntil;
    long count = 0;
    String last = null;
    while (true) {
      ShardFetcher.Page page =
          fetcher.next((int) Math.min(options.maxRecordsPerFetch(), limit - count));
      for (Record r : page.records()) {
        if (until != null && r.approximateArrivalTimestamp() != null
            && r.approximateArrivalTimestamp().isAfter(until)) {
          return last == null ? from : ShardPosition.after(last);
        }
        last = r.sequenceNumber();
        count++;
      }
      if (page.endOfShard()) {
        return ShardPosition.END;
      }
      if (count >= limit || page.caughtUp() || System.currentTimeMillis() >= deadline) {
        return last == null ? from : ShardPosition.after(last);
      }
    }
  }

  private static long maxRows(ReadLimit limit) {
    if (limit instanceof ReadMaxRows) {
      return ((ReadMaxRows) limit).maxRows();
    }
    if (limit instanceof CompositeReadLimit) {
      long rows = Long.MAX_VALUE;
      for (ReadLimit l : ((CompositeReadLimit) limit).getReadLimits()) {
        rows = Math.min(rows, maxRows(l));
      }
      return rows;
    }
    return Long.MAX_VALUE;
  }

  private synchronized ExecutorService planners() {
    if (planners == null) {
      planners = Executors.newFixedThreadPool(8, DaemonThreads.named("kinesis-planner-" + options.streamName()));
    }
    return planners;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      throw KinesisErrors.interrupted("planning a Kinesis batch");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public InputPartition[] planInputPartitions(Offset startOffset, Offset endOffset) {
    KinesisOffset start = (KinesisOffset) startOffset;
    KinesisOffset end = (KinesisOffset) endOffset;
    List<InputPartition> partitions = new ArrayList<>();
    for (Map.Entry<String, ShardPosition> e : end.shards().entrySet()) {
      ShardPosition from = start.shards().getOrDefault(e.getKey(), ShardPosition.TRIM);
      ShardPosition to = e.getValue();
      boolean moved = !Objects.equals(from, to) && from.kind() != ShardPosition.Kind.CLOSED
          && (to.kind() == ShardPosition.Kind.AFTER || to.kind() == ShardPosition.Kind.CLOSED);
      if (moved) {
        partitions.add(new KinesisInputPartition(e.getKey(), from, to));
      }
    }
    return partitions.toArray(new InputPartition[0]);
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new KinesisReaderFactory(options);
  }

  @Override
  public Offset deserializeOffset(String json) {
    return KinesisOffset.parse(json, options.streamName());
  }

  @Override
  public void commit(Offset end) {
    // Kinesis keeps no consumer state: the checkpoint is the only record of progress.
  }

  @Override
  public synchronized void stop() {
    if (planners != null) {
      planners.shutdownNow();
      planners = null;
    }
    if (api != null) {
      api.close();
      api = null;
    }
  }

  @Override
  public String toString() {
    return "KinesisMicroBatchStream[" + options + "]";
  }
}
