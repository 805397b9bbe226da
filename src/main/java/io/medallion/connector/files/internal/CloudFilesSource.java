package io.medallion.connector.files.internal;

import io.medallion.connector.files.internal.CloudFilesOptions.CleanSource;
import io.medallion.connector.files.internal.CloudFilesOptions.Discovery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Dataset$;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.streaming.ReadAllAvailable;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.ReadMaxFiles;
import org.apache.spark.sql.connector.read.streaming.ReportsSourceMetrics;
import org.apache.spark.sql.connector.read.streaming.SupportsAdmissionControl;
import org.apache.spark.sql.connector.read.streaming.SupportsTriggerAvailableNow;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation$;
import org.apache.spark.sql.execution.streaming.Offset;
import org.apache.spark.sql.execution.streaming.Source;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The {@code cloudFiles} stream: discovers files under a root (full listing, incremental listing
 * or S3 event notifications), numbers them in the {@link DiscoveryLog} in the checkpoint, and plans
 * each micro-batch as a range of that log read through Spark's file scan (so {@code _metadata},
 * column pruning and file packing are Spark's own).
 *
 * <p><b>Offsets and exactly-once.</b> An offset is a sequence number in the log. Files are written
 * to the log before any offset covers them, and a batch {@code (start, end]} always means the same
 * files, so a batch re-run after a crash reads exactly what it read before; with Delta as the sink
 * (idempotent per batch) every file is ingested once. Files discovered but not yet in a committed
 * batch stay in the log and are read by later batches: nothing is lost by a crash between
 * discovery and commit.
 *
 * <p><b>Discovery cost.</b> Discovery runs only when fewer than {@code maxFilesPerTrigger} files
 * are waiting. Incremental listing lists only after the last path seen (S3 {@code StartAfter}).
 * Full listings and notifications check paths against {@link SeenFiles}, an on-disk index, so
 * memory does not grow with the number of files ever seen; a restart does not read the log.
 *
 * <p><b>cleanSource.</b> DELETE or MOVE a file once the batch that read it is committed and its
 * retention ({@code cloudFiles.cleanSource.retentionDuration}) has passed. Spark asks for the next
 * offset only after the previous batch committed, so cleaning happens there (and in {@link
 * #commit}); a crash between a commit and the cleaning is made good by the next start. A file
 * whose size or modification time differs from what discovery recorded is not touched: its new
 * content was never read (metric {@code numCleanSkippedChangedFiles}).
 */
public final class CloudFilesSource implements Source, SupportsAdmissionControl,
    SupportsTriggerAvailableNow, ReportsSourceMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(CloudFilesSource.class);
  private static final int APPEND_CHUNK = 10_000;

  private final SparkSession spark;
  private final SparkSession scanSession;
  private final String root;
  private final String metadataPath;
  private final CloudFilesOptions options;
  private final StructType schema;
  private final StructType partitions;
  private final Configuration conf;
  private final DiscoveryLog log;
  private final FileLister lister;
  private final Optional<FileNotifications> notifications;
  private final ReadFormat format;
  private final ReadFormat.Counters counters;
  private final Optional<GlobPattern> glob;
  private final CleanupState cleanup;
  private SeenFiles seen;
  private long availableNowEnd = -1;
  private long committedSeq;
  private long lastFullListingAt;
  // metrics
  private long discoveredTotal;
  private long overwritesIgnored;
  private long cleanSkippedChanged;
  private long emptyFiles;
  private long lastBatchFiles;
  private long lastBatchBytes;
  private long lastDiscoveryMs;

  public CloudFilesSource(SparkSession spark, String metadataPath, String root, CloudFilesOptions options,
      StructType schema, StructType partitions, Optional<FileNotifications> notifications) {
    this.spark = spark;
    this.partitions = partitions;
    this.metadataPath = metadataPath;
    this.options = options;
    this.schema = schema;
    this.conf = spark.sessionState().newHadoopConf();
    this.log = DiscoveryLog.open(new Path(metadataPath, "files"), conf);
    try {
      Path r = new Path(root);
      this.root = r.getFileSystem(conf).makeQualified(r).toString();
      this.lister = FileListers.forRoot(this.root, conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cloudFiles: cannot reach " + root + ": " + e.getMessage(), e);
    }
    this.notifications = notifications;
    this.counters = ReadFormat.Counters.register(spark, "cloudFiles");
    this.format = new ReadFormat(options, counters);
    this.glob = options.pathGlobFilter().map(GlobPattern::new);
    this.scanSession = spark.cloneSession();
    tunePacking(scanSession, options, this.root);
    this.cleanup = new CleanupState(new Path(metadataPath, "files"), conf);
    this.lastFullListingAt = cleanup.lastFullListingAt();
    options.moveDestination().ifPresent(this::checkMoveDestination);
    this.committedSeq = -1;
  }

  @Override
  public StructType schema() {
    return schema;
  }

  // ------------------------------------------------------------------ offsets

  @Override
  public Option<Offset> getOffset() {
    throw new UnsupportedOperationException("latestOffset(Offset, ReadLimit) is used instead");
  }

  @Override
  public ReadLimit getDefaultReadLimit() {
    return ReadLimit.maxFiles(options.maxFilesPerTrigger());
  }

  @Override
  public void prepareForTriggerAvailableNow() {
    discover(true);
    availableNowEnd = log.lastSeq();
    LOG.info("cloudFiles {}: Trigger.AvailableNow reads files up to #{}", root, availableNowEnd);
  }

  @Override
  public org.apache.spark.sql.connector.read.streaming.Offset latestOffset(
      org.apache.spark.sql.connector.read.streaming.Offset startOffset, ReadLimit limit) {
    long start = CloudFilesOffset.seqOf(startOffset, log.logId());
    // Spark asks for the next offset only once the batch ending at start is committed (a batch
    // left uncommitted by a crash is re-run before this is called), so its files may be cleaned.
    committedSeq = Math.max(committedSeq, start);
    boolean all = limit instanceof ReadAllAvailable;
    int maxFiles = limit instanceof ReadMaxFiles m ? m.maxFiles() : options.maxFilesPerTrigger();
    if (availableNowEnd < 0 && (all || log.lastSeq() - start < maxFiles)) {
      discover(all);
    }
    clean(committedSeq);
    long last = availableNowEnd >= 0 ? Math.min(availableNowEnd, log.lastSeq()) : log.lastSeq();
    if (last <= start) {
      return startOffset == null ? null : startOffset;
    }
    long end = all ? last : Math.min(last, start + maxFiles);
    if (!all && options.maxBytesPerTrigger().isPresent()) {
      long budget = options.maxBytesPerTrigger().get();
      long[] state = {0, start}; // bytes so far, last seq taken
      log.read(start, end, (seq, e) -> {
        if (state[1] == seq - 1 && (state[1] == start || state[0] + e.size() <= budget)) {
          state[0] += e.size();
          state[1] = seq;
        }
      });
      end = state[1];
    }
    return new CloudFilesOffset(end, log.logId());
  }

  @Override
  public Dataset<Row> getBatch(Option<Offset> start, Offset end) {
    long from = start.isDefined() ? CloudFilesOffset.seqOf(start.get(), log.logId()) : -1;
    long to = CloudFilesOffset.seqOf(end, log.logId());
    List<FileEntry> files = to > from ? log.entries(from, to) : List.of();
    long bytes = 0;
    for (FileEntry f : files) {
      bytes += f.size();
      if (f.size() == 0) {
        emptyFiles++;
      }
    }
    lastBatchFiles = files.size();
    lastBatchBytes = bytes;
    BatchFileIndex index = new BatchFileIndex(root, files, partitions,
        spark.sessionState().conf().sessionLocalTimeZone());
    HadoopFsRelation relation = new HadoopFsRelation(index, partitions, Partitions.without(schema, partitions),
        Option.empty(), format, ReadFormat.toScala(options.readerOptions()), scanSession);
    LogicalRelation plan = LogicalRelation$.MODULE$.apply(relation, true);
    return Dataset$.MODULE$.ofRows(spark, plan);
  }

  /**
   * Small files are packed into few tasks: Spark charges each file an "open cost" (4 MB by
   * default) when it fills tasks, which turns 100,000 one-line files into ~3,000 tasks and as many
   * tiny output files. Local and HDFS files open cheaply, so their open cost is taken as 64 KB;
   * object stores keep Spark's 4 MB. {@code cloudFiles.openCostInBytes} overrides both.
   */
  private static void tunePacking(SparkSession scanSession, CloudFilesOptions options, String root) {
    long openCost = options.openCostInBytes() > 0 ? options.openCostInBytes()
        : isObjectStore(root) ? 4L << 20 : 64L << 10;
    scanSession.conf().set("spark.sql.files.openCostInBytes", Long.toString(openCost));
  }

  private static boolean isObjectStore(String path) {
    String scheme = new Path(path).toUri().getScheme();
    return scheme != null && List.of("s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs")
        .contains(scheme.toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public void commit(Offset end) {
    long seq = CloudFilesOffset.seqOf(end, log.logId());
    committedSeq = Math.max(committedSeq, seq);
    clean(committedSeq);
    log.compact(committedSeq);
  }

  @Override
  public void stop() {
    if (seen != null) {
      seen.close();
      seen = null;
    }
    notifications.ifPresent(FileNotifications::close);
    try {
      lister.close();
    } catch (IOException e) {
      LOG.debug("closing the lister", e);
    }
  }

  // ------------------------------------------------------------------ discovery

  private void discover(boolean everything) {
    long t0 = System.nanoTime();
    long before = log.lastSeq();
    try {
      switch (options.discovery()) {
        case INCREMENTAL_LISTING -> {
          incremental();
          if (backfillDue()) {
            fullListing();
          }
        }
        case NOTIFICATIONS -> {
          if (backfillDue() || (lastFullListingAt == 0 && options.includeExistingFiles())) {
            fullListing();
          }
          fromQueue(everything);
        }
        default -> fullListing();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cloudFiles: cannot list " + root + ": " + e.getMessage()
          + ". Check the path and the credentials for it.", e);
    }
    discoveredTotal += log.lastSeq() - before;
    lastDiscoveryMs = (System.nanoTime() - t0) / 1_000_000;
    LOG.info("cloudFiles {}: discovered {} new file(s) in {} ms ({})", root, log.lastSeq() - before,
        lastDiscoveryMs, options.discovery());
  }

  private boolean backfillDue() {
    return options.backfillInterval().isPresent()
        && System.currentTimeMillis() - lastFullListingAt >= options.backfillInterval().get().toMillis();
  }

  private boolean accept(FileEntry e) {
    if (glob.isPresent()) {
      String name = e.path().substring(e.path().lastIndexOf('/') + 1);
      if (!glob.get().matches(name)) {
        return false;
      }
    }
    if (options.modifiedAfter().isPresent() && e.modificationTime() <= options.modifiedAfter().get()) {
      return false;
    }
    if (options.modifiedBefore().isPresent() && e.modificationTime() >= options.modifiedBefore().get()) {
      return false;
    }
    if (!options.includeExistingFiles() && e.modificationTime() < log.createdAt()) {
      return false;
    }
    return true;
  }

  private void incremental() throws IOException {
    List<FileEntry> chunk = new ArrayList<>();
    String[] position = {log.listedUpTo().orElse(null)};
    lister.list(Optional.ofNullable(position[0]), e -> {
      position[0] = e.path();
      if (accept(e)) {
        chunk.add(e);
        if (chunk.size() >= APPEND_CHUNK) {
          append(chunk, Optional.of(position[0]));
        }
      }
    });
    append(chunk, Optional.ofNullable(position[0]));
  }

  private void fullListing() throws IOException {
    SeenFiles index = seen();
    List<FileEntry> chunk = new ArrayList<>();
    Map<String, Boolean> inChunk = new HashMap<>();
    long[] overwritten = {0};
    lister.list(Optional.empty(), e -> {
      if (!accept(e) || inChunk.containsKey(e.path())) {
        return;
      }
      Optional<FileEntry> known = index.get(e.path());
      if (known.isPresent()) {
        if (unchanged(known.get(), e)) {
          return;
        }
        overwritten[0]++;
        if (!options.allowOverwrites()) {
          if (overwritten[0] <= 10) {
            LOG.warn("cloudFiles: {} changed since it was ingested (size {} -> {}); not read again"
                + " (cloudFiles.allowOverwrites = false)", e.path(), known.get().size(), e.size());
          }
          return;
        }
      }
      chunk.add(e);
      inChunk.put(e.path(), Boolean.TRUE);
      if (chunk.size() >= APPEND_CHUNK) {
        append(chunk, Optional.empty());
        inChunk.clear();
      }
    });
    append(chunk, Optional.empty());
    overwritesIgnored += options.allowOverwrites() ? 0 : overwritten[0];
    lastFullListingAt = System.currentTimeMillis();
    if (options.discovery() != Discovery.FULL_LISTING) {
      cleanup.recordFullListing(lastFullListingAt); // the backfill clock survives restarts
    }
  }

  /**
   * Whether a listed file is the one already in the log. In notification mode a file found through
   * its S3 event carries the event's time (when S3 finished the upload), while a listing shows the
   * object's LastModified (when the upload started; for a multipart upload, when it was initiated),
   * which is earlier. So there a listed time not after the known one is the same object; an
   * overwrite starts after the first upload finished and shows a later time. Elsewhere both times
   * come from listings and must be equal.
   */
  private boolean unchanged(FileEntry known, FileEntry listed) {
    if (known.size() != listed.size()) {
      return false;
    }
    return options.discovery() == Discovery.NOTIFICATIONS
        ? listed.modificationTime() <= known.modificationTime()
        : listed.modificationTime() == known.modificationTime();
  }

  private void fromQueue(boolean everything) {
    FileNotifications queue = notifications.orElseThrow();
    SeenFiles index = seen();
    int budget = everything ? Integer.MAX_VALUE : Math.max(options.maxFilesPerTrigger(), 1000);
    int received = 0;
    while (received < budget) {
      FileNotifications.Received r = queue.poll(Math.min(1000, budget - received));
      if (r.messages() == 0) {
        break; // the queue is drained (messages without files are acked below)
      }
      received += Math.max(1, r.messages());
      List<FileEntry> fresh = new ArrayList<>();
      for (FileEntry e : r.files()) {
        if (accept(e) && index.get(e.path()).isEmpty()
            && fresh.stream().noneMatch(f -> f.path().equals(e.path()))) {
          fresh.add(e);
        }
      }
      append(fresh, Optional.empty());
      r.ack().run(); // only after the files are durably in the log
    }
  }

  private void append(List<FileEntry> chunk, Optional<String> listedUpTo) {
    if (chunk.isEmpty()) {
      return;
    }
    long last = log.append(List.copyOf(chunk), listedUpTo);
    if (seen != null) {
      seen.added(chunk, last);
    }
    chunk.clear();
  }

  private SeenFiles seen() {
    if (seen == null) {
      seen = SeenFiles.open(new Path(metadataPath, "files").toString() + "@" + log.logId());
    }
    long replayed = seen.catchUp(log);
    if (replayed > 0) {
      LOG.info("cloudFiles {}: file index cache rebuilt from the checkpoint ({} entries)", root, replayed);
    }
    return seen;
  }

  // ------------------------------------------------------------------ cleanSource

  private void checkMoveDestination(String destination) {
    Path dest = new Path(destination);
    try {
      String qualified = dest.getFileSystem(conf).makeQualified(dest).toString();
      if ((qualified + "/").startsWith(root.endsWith("/") ? root : root + "/")) {
        throw new IllegalArgumentException(CloudFilesOptions.CLEAN_SOURCE_MOVE_DESTINATION + " = "
            + destination + " is inside the source path " + root + ": moved files would be"
            + " discovered again. Choose a directory outside it.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void clean(long upTo) {
    if (options.cleanSource() == CleanSource.OFF || upTo <= cleanup.cleanedUpTo()) {
      return;
    }
    long retention = options.cleanRetention().toMillis();
    long now = System.currentTimeMillis();
    long limit = cleanup.cleanedUpTo();
    for (DiscoveryLog.Segment s : log.segments()) {
      if (s.first() > upTo || s.discoveredAt() + retention > now) {
        break;
      }
      limit = Math.min(upTo, s.last());
    }
    if (limit <= cleanup.cleanedUpTo()) {
      return;
    }
    long[] done = {0, 0, 0};
    log.read(cleanup.cleanedUpTo(), limit, (seq, e) -> {
      try {
        Path p = new Path(e.path());
        FileSystem fs = p.getFileSystem(conf);
        // cleanSource acts by path: only on the content that was read, i.e. the size and time
        // recorded at discovery. A file overwritten since is left alone (its new content is unread).
        org.apache.hadoop.fs.FileStatus current;
        try {
          current = fs.getFileStatus(p);
        } catch (java.io.FileNotFoundException gone) {
          return;
        }
        if (!unchanged(e, new FileEntry(e.path(), current.getLen(), current.getModificationTime()))) {
          done[2]++;
          LOG.warn("cloudFiles: cleanSource {} skipped {}: it changed since it was read (size {} -> {},"
              + " modified {} -> {}); its new content was not ingested, so it is left in place",
              options.cleanSource(), e.path(), e.size(), current.getLen(), e.modificationTime(),
              current.getModificationTime());
          return;
        }
        if (options.cleanSource() == CleanSource.DELETE) {
          if (fs.delete(p, false)) {
            done[0]++;
          }
        } else {
          String relative = e.path().startsWith(root) ? e.path().substring(root.length()) : p.getName();
          Path target = new Path(options.moveDestination().get() + (relative.startsWith("/") ? "" : "/") + relative);
          FileSystem tfs = target.getFileSystem(conf);
          tfs.mkdirs(target.getParent());
          if (fs.rename(p, target)) {
            done[0]++;
          }
        }
      } catch (IOException ex) {
        done[1]++;
        LOG.warn("cloudFiles: cleanSource {} failed for {}: {}", options.cleanSource(), e.path(), ex.getMessage());
      }
    });
    cleanup.recordCleaned(limit);
    cleanSkippedChanged += done[2];
    LOG.info("cloudFiles {}: cleanSource {} {} file(s) up to #{} ({} failed, {} changed since read and kept)",
        root, options.cleanSource(), done[0], limit, done[1], done[2]);
  }

  // ------------------------------------------------------------------ metrics

  @Override
  public Map<String, String> metrics(Optional<org.apache.spark.sql.connector.read.streaming.Offset> latestConsumed) {
    long consumed = latestConsumed.map(o -> CloudFilesOffset.seqOf(o, log.logId())).orElse(-1L);
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("numFilesOutstanding", Long.toString(Math.max(0, log.lastSeq() - consumed)));
    m.put("numFilesDiscovered", Long.toString(log.lastSeq() + 1));
    m.put("numFilesInLastBatch", Long.toString(lastBatchFiles));
    m.put("numBytesInLastBatch", Long.toString(lastBatchBytes));
    m.put("numListRequests", Long.toString(lister.listRequests()));
    m.put("numQueueRequests", Long.toString(notifications.map(FileNotifications::requests).orElse(0L)));
    m.put("lastDiscoveryMs", Long.toString(lastDiscoveryMs));
    m.put("numOverwrittenFilesIgnored", Long.toString(overwritesIgnored));
    m.put("numEmptyFiles", Long.toString(emptyFiles));
    m.put("numCleanSkippedChangedFiles", Long.toString(cleanSkippedChanged));
    m.put("numUnreadableFiles", Long.toString(counters.unreadableFiles().value()));
    m.put("numCorruptRecords", Long.toString(counters.corruptRecords().value()));
    m.put("numRescuedRecords", Long.toString(counters.rescuedRecords().value()));
    return m;
  }

  @Override
  public String toString() {
    return "CloudFilesSource[" + options.format() + " " + root + "]";
  }

  /** Small state beside the log: how far cleanSource got, when the last full listing ran. */
  static final class CleanupState {
    private final Path file;
    private final FileSystem fs;
    private final org.apache.spark.sql.execution.streaming.CheckpointFileManager manager;
    private long cleanedUpTo = -1;
    private long lastFullListingAt;

    CleanupState(Path dir, Configuration conf) {
      this.file = new Path(dir, "state.json");
      try {
        this.fs = file.getFileSystem(conf);
        this.manager = org.apache.spark.sql.execution.streaming.CheckpointFileManager$.MODULE$.create(dir, conf);
        if (fs.exists(file)) {
          try (var in = fs.open(file)) {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
            cleanedUpTo = n.path("cleanedUpTo").asLong(-1);
            lastFullListingAt = n.path("lastFullListingAt").asLong(0);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    long cleanedUpTo() {
      return cleanedUpTo;
    }

    long lastFullListingAt() {
      return lastFullListingAt;
    }

    void recordCleaned(long seq) {
      cleanedUpTo = seq;
      write();
    }

    void recordFullListing(long at) {
      lastFullListingAt = at;
      write();
    }

    private void write() {
      try {
        var out = manager.createAtomic(file, true);
        out.write(("{\"cleanedUpTo\":" + cleanedUpTo + ",\"lastFullListingAt\":" + lastFullListingAt + "}")
            .getBytes(StandardCharsets.UTF_8));
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
