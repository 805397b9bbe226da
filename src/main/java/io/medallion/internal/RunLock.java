package io.medallion.internal;

import io.medallion.MedallionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per table of a pipeline in one environment: a lock file per table,
 * {@code <checkpoint-root>/<pipeline>/_medallion_locks/<table>.lock} (say {@code silver.orders.lock}),
 * created with Hadoop's {@code create(overwrite = false)} (atomic on local file systems, HDFS, DBFS
 * and ABFS), holding the owner (run id, host, process, start). A run locks the tables it writes (its
 * selection, and the streaming tables a full refresh resets with them), so runs of different tables
 * of one pipeline go on side by side: a continuous bronze run beside a scheduled run of silver and
 * gold, or a Databricks job's independent tasks. While the lock is held, a daemon thread touches its
 * files every quarter of {@code staleAfter}; a file older than {@code staleAfter} belongs to a run
 * that crashed and is taken over with a warning.
 *
 * <p>{@code maintain} takes the same locks ({@link Activity#MAINTAIN}) for tables runs rewrite: its
 * OPTIMIZE and the removal of superseded CDC changes rewrite files a run's MERGE reads, and Delta
 * fails one of two such commits on a conflict; the one that comes second fails at once with a
 * message naming the other. A table runs only append to is maintained beside a run that holds it
 * (the {@code besideARun} tables of {@link #acquire(Configuration, String, String, Collection, Set,
 * Duration, Activity)}).
 *
 * <p>On S3 ({@code s3a://}) Hadoop 3.3 cannot create a file atomically only if it is absent: the
 * lock reads its own file back after writing it, which narrows but does not close the window of two
 * runs starting within the same second. See docs/reliability.md.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  /** The folder of the lock files in {@code <checkpoint-root>/<pipeline>/}. */
  public static final String FOLDER = "_medallion_locks";
  /**
   * The one lock of a whole pipeline that medallion took before per-table locks (up to commit
   * {@code 61b7c93}): honoured while its holder's heartbeat is fresh, so that a run of an upgraded
   * job never writes beside a (continuous) run of the version before it.
   */
  static final String EARLIER_FILE = "_medallion_run.lock";

  /** What holds a lock: a run of the pipeline, or its {@code maintain}. */
  public enum Activity {
    /** A run ({@code medallion run}, {@code PipelineRunner.run}). */
    RUN("run"),
    /** {@code medallion maintain}. */
    MAINTAIN("maintain");

    private final String word;

    Activity(String word) {
      this.word = word;
    }

    /** How the lock file names it: {@code run} or {@code maintain}. */
    public String word() {
      return word;
    }

    /** The activity named at the start of a lock file's owner. */
    static Activity of(String owner) {
      return owner.startsWith(MAINTAIN.word + " ") ? MAINTAIN : RUN;
    }
  }

  /** A table's lock is held by another run or {@code maintain} ({@link #holder()}). */
  public static final class Held extends MedallionException {
    private static final long serialVersionUID = 1L;
    private final Activity holder;

    Held(String message, Activity holder) {
      super(message);
      this.holder = holder;
    }

    /** What holds the lock. */
    public Activity holder() {
      return holder;
    }
  }

  private final FileSystem fs;
  private final List<Path> paths;
  private final List<String> tables;
  private final String owner;
  private final ScheduledExecutorService heartbeat;

  private RunLock(FileSystem fs, List<Path> paths, List<String> tables, String owner, Duration staleAfter) {
    this.fs = fs;
    this.paths = List.copyOf(paths);
    this.tables = List.copyOf(tables);
    this.owner = owner;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("medallion-run-lock"));
    long every = Math.max(1, staleAfter.toMillis() / 4);
    heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** The lock file of {@code table} (as {@code silver.orders}) of a pipeline whose checkpoints live under {@code checkpointRoot}. */
  public static Path file(String checkpointRoot, String pipeline, String table) {
    return new Path(checkpointRoot + "/" + pipeline + "/" + FOLDER + "/" + table + ".lock");
  }

  /**
   * Takes the locks of {@code tables} (as {@code silver.orders}) of a pipeline in the environment
   * whose checkpoints live under {@code checkpointRoot}, for {@code activity}: all of them, or none.
   *
   * @throws Held when another run or a {@code maintain} holds one of them, naming it, its table and
   *     its lock file
   */
  public static RunLock acquire(Configuration hadoopConf, String checkpointRoot, String pipeline,
      Collection<String> tables, Duration staleAfter, Activity activity) {
    return acquire(hadoopConf, checkpointRoot, pipeline, tables, Set.of(), staleAfter, activity);
  }

  /**
   * {@link #acquire(Configuration, String, String, Collection, Duration, Activity)}, except that a
   * table of {@code besideARun} whose lock a run holds is left to that run and not locked (a
   * {@code maintain} of a table runs only append to goes on beside it, a continuous run's, say); a
   * free lock is taken all the same, so that no run drops the table ({@code --full-refresh}) while it
   * is maintained. {@link #tables()} lists the tables locked.
   */
  public static RunLock acquire(Configuration hadoopConf, String checkpointRoot, String pipeline,
      Collection<String> tables, Set<String> besideARun, Duration staleAfter, Activity activity) {
    String owner = activity.word() + " " + UUID.randomUUID() + " on host " + host() + ", process "
        + ManagementFactory.getRuntimeMXBean().getName() + ", started " + Instant.now();
    List<Path> taken = new ArrayList<>();
    List<String> locked = new ArrayList<>();
    FileSystem fs;
    try {
      fs = new Path(checkpointRoot).getFileSystem(hadoopConf);
    } catch (IOException e) {
      throw LockErrors.cannotCreate(pipeline, file(checkpointRoot, pipeline, "<table>"), e);
    }
    refuseAnEarlierVersionsRun(fs, new Path(checkpointRoot + "/" + pipeline + "/" + EARLIER_FILE), pipeline, staleAfter,
        activity);
    List<Busy> busy = new ArrayList<>();
    List<String> sorted = List.copyOf(new TreeSet<>(tables));
    // All at once: on an object store each file costs a few requests of tens of milliseconds.
    List<CompletableFuture<Optional<Busy>>> found =
        atOnce(sorted, table -> take(fs, file(checkpointRoot, pipeline, table), owner, pipeline, table, staleAfter));
    RuntimeException failure = null;
    for (int i = 0; i < sorted.size(); i++) {
      String table = sorted.get(i);
      Optional<Busy> other;
      try {
        other = found.get(i).join();
      } catch (java.util.concurrent.CompletionException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
        if (failure == null) {
          failure = cause;
        } else {
          failure.addSuppressed(cause);
        }
        continue;
      }
      if (other.isEmpty()) {
        taken.add(file(checkpointRoot, pipeline, table));
        locked.add(table);
      } else if (other.get().holder() == Activity.RUN && besideARun.contains(table)) {
        LOG.info("Pipeline {}: a run holds the lock of {}; going on beside it", pipeline, table);
      } else {
        busy.add(other.get());
      }
    }
    if (failure != null) {
      release(fs, taken, owner);
      throw failure;
    }
    if (!busy.isEmpty()) { // all or none: the error names every held table and what can run now
      release(fs, taken, owner);
      List<String> free = sorted.stream().filter(t -> busy.stream().noneMatch(b -> b.table().equals(t))).toList();
      throw LockErrors.held(pipeline, busy, free, activity);
    }
    return new RunLock(fs, taken, locked, owner, staleAfter);
  }

  /** A table whose lock another run or {@code maintain} holds: its file, owner, heartbeat age and holder. */
  record Busy(String table, Path path, String owner, Duration age, Activity holder) {}

  /** Fails when a live run of an earlier version holds the lock of the whole pipeline ({@link #EARLIER_FILE}). */
  private static void refuseAnEarlierVersionsRun(FileSystem fs, Path earlier, String pipeline, Duration staleAfter,
      Activity activity) {
    Optional<Busy> holder;
    try {
      holder = holderOf(fs, earlier, "");
    } catch (IOException e) {
      throw LockErrors.cannotCreate(pipeline, earlier, e);
    }
    if (holder.isPresent() && alive(holder.get(), staleAfter)) {
      throw LockErrors.heldByAnEarlierVersion(pipeline, earlier, holder.get().owner(), holder.get().age(), activity);
    }
  }

  /** Takes the lock of {@code table}; returns who holds it instead when it is held. */
  private static Optional<Busy> take(FileSystem fs, Path path, String owner, String pipeline, String table,
      Duration staleAfter) {
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          write(fs, path, owner, false);
          String written = read(fs, path);
          if (!owner.equals(written)) { // another run wrote it in the same moment (S3)
            return Optional.of(new Busy(table, path, written, Duration.ZERO, Activity.of(written)));
          }
          return Optional.empty();
        } catch (FileAlreadyExistsException e) {
          Optional<Busy> other = holderOf(fs, path, table);
          if (other.isEmpty()) {
            continue; // released meanwhile: try again
          }
          if (alive(other.get(), staleAfter) || attempt > 0) {
            return other;
          }
          LOG.warn("Pipeline {}: taking over the lock {} of {}: {}", pipeline, path, other.get().owner(),
              deadOnThisHost(other.get().owner()) ? "its process no longer exists on this host"
                  : "its last heartbeat is " + other.get().age().toSeconds() + " s old (more than"
                      + " medallion.run.lock-stale-after = " + staleAfter.toSeconds() + " s), so that "
                      + other.get().holder().word() + " is gone");
          fs.delete(path, false);
        }
      }
    } catch (IOException e) {
      throw LockErrors.cannotCreate(pipeline, path, e);
    }
  }

  /** Who holds the lock file at {@code path}, with its heartbeat's age; empty when there is none. */
  private static Optional<Busy> holderOf(FileSystem fs, Path path, String table) throws IOException {
    try {
      FileStatus status = fs.getFileStatus(path);
      String owner = read(fs, path);
      Duration age = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - status.getModificationTime()));
      return Optional.of(new Busy(table, path, owner, age, Activity.of(owner)));
    } catch (java.io.FileNotFoundException none) {
      return Optional.empty();
    }
  }

  /** True while a holder's heartbeat is fresh and its process, when on this host, exists. */
  private static boolean alive(Busy holder, Duration staleAfter) {
    return holder.age().compareTo(staleAfter) <= 0 && !deadOnThisHost(holder.owner());
  }

  /**
   * True when the lock's owner ran on this host in a process that no longer exists (a run killed
   * with kill -9 and started again on the same machine need not wait for the lock to go stale).
   */
  static boolean deadOnThisHost(String owner) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile(" on host (.+?), process (\\d+)@(.+?), started ").matcher(owner);
    if (!m.find() || !m.group(1).equals(host())) {
      return false;
    }
    long pid = Long.parseLong(m.group(2));
    return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  /** Who holds the locks, as written in their files. */
  public String owner() {
    return owner;
  }

  /** The tables locked, in name order. */
  public List<String> tables() {
    return tables;
  }

  private void beat() {
    for (Path path : paths) {
      try {
        long now = System.currentTimeMillis();
        try {
          fs.setTimes(path, now, -1); // local, HDFS: touch without rewriting
        } catch (UnsupportedOperationException | IOException e) {
          // object stores: rewrite below
        }
        if (fs.getFileStatus(path).getModificationTime() >= now - 1000) {
          continue;
        }
        write(fs, path, owner, true); // S3: setTimes does nothing, a rewrite moves the time
      } catch (IOException | RuntimeException e) {
        LOG.warn("Run lock {}: heartbeat failed ({}); another run may take the lock over", path, e.toString());
      }
    }
  }

  /** Stops the heartbeat and deletes the lock files this run still owns. */
  @Override
  public void close() {
    heartbeat.shutdown();
    try {
      heartbeat.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    release(fs, paths, owner);
  }

  private static void release(FileSystem fs, List<Path> paths, String owner) {
    atOnce(paths, path -> {
      try {
        if (owner.equals(read(fs, path))) {
          fs.delete(path, false);
        }
      } catch (IOException e) {
        LOG.warn("Run lock {}: could not release it ({}); the next run takes it over once it is stale", path, e.toString());
      }
      return null;
    }).forEach(CompletableFuture::join);
  }

  /**
   * {@code work} applied to each item, on up to 16 threads at once (one item: on this thread); every
   * item's work has ended when this returns, successfully or not, in the items' order.
   */
  private static <I, T> List<CompletableFuture<T>> atOnce(List<I> items, java.util.function.Function<I, T> work) {
    if (items.size() <= 1) {
      List<CompletableFuture<T>> one = new ArrayList<>();
      for (I item : items) {
        try {
          one.add(CompletableFuture.completedFuture(work.apply(item)));
        } catch (RuntimeException e) {
          one.add(CompletableFuture.failedFuture(e));
        }
      }
      return one;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(items.size(), 16),
        DaemonThreads.numbered("medallion-run-lock-files-"));
    try {
      List<CompletableFuture<T>> all = items.stream()
          .map(item -> CompletableFuture.supplyAsync(() -> work.apply(item), pool)).toList();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((done, e) -> null).join();
      return all;
    } finally {
      pool.shutdown();
    }
  }

  private static void write(FileSystem fs, Path path, String owner, boolean overwrite) throws IOException {
    try (OutputStream out = fs.create(path, overwrite)) {
      out.write(owner.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The owner written in the file; read again when caught in the middle of a heartbeat's rewrite. */
  private static String read(FileSystem fs, Path path) throws IOException {
    String text = "";
    for (int attempt = 0; attempt < 20 && text.isEmpty(); attempt++) {
      try (InputStream in = fs.open(path)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.FileNotFoundException e) {
        throw e;
      } catch (IOException e) { // a checksum caught mid-rewrite
        if (attempt == 19) {
          throw e;
        }
      }
    }
    return text;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
