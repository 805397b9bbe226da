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
import java.util.UUID;
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
 * One run of a pipeline at a time in one environment: a lock file
 * {@code <checkpoint-root>/<pipeline>/_medallion_run.lock} created with Hadoop's
 * {@code create(overwrite = false)} (atomic on local file systems, HDFS, DBFS and ABFS), holding
 * the owner (run id, host, process, start). While the run lasts, a daemon thread rewrites the file
 * every quarter of {@code staleAfter}; a lock whose file is older than {@code staleAfter} belongs to
 * a run that crashed and is taken over with a warning.
 *
 * <p>{@code maintain} takes the same lock ({@link Activity#MAINTAIN}) for tables runs rewrite: its
 * OPTIMIZE and the removal of superseded CDC changes rewrite files a run's MERGE reads, and Delta
 * fails one of two such commits on a conflict; the one that comes second fails at once with a
 * message naming the other. A {@code maintain} of tables runs only append to goes on beside a run
 * ({@link #acquireUnlessARunHoldsIt}).
 *
 * <p>On S3 ({@code s3a://}) Hadoop 3.3 cannot create a file atomically only if it is absent: the
 * lock reads its own file back after writing it, which narrows but does not close the window of two
 * runs starting within the same second. See docs/reliability.md.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  /** The lock file's name in {@code <checkpoint-root>/<pipeline>/}. */
  public static final String FILE = "_medallion_run.lock";

  /** What holds the lock: a run of the pipeline, or its {@code maintain}. */
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

    /** The activity named at the start of a lock file's owner; a run for files written before maintain took the lock. */
    static Activity of(String owner) {
      return owner.startsWith(MAINTAIN.word + " ") ? MAINTAIN : RUN;
    }
  }

  /** The lock is held by another run or {@code maintain} ({@link #holder()}). */
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
  private final Path path;
  private final String owner;
  private final ScheduledExecutorService heartbeat;

  private RunLock(FileSystem fs, Path path, String owner, Duration staleAfter) {
    this.fs = fs;
    this.path = path;
    this.owner = owner;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "medallion-run-lock");
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1, staleAfter.toMillis() / 4);
    heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the lock of a pipeline in the environment whose checkpoints live under
   * {@code checkpointRoot}, for a run.
   *
   * @throws MedallionException when another run or a {@code maintain} holds it, naming it and the lock file
   */
  public static RunLock acquire(Configuration hadoopConf, String checkpointRoot, String pipeline, Duration staleAfter) {
    return acquire(hadoopConf, checkpointRoot, pipeline, staleAfter, Activity.RUN);
  }

  /**
   * Takes the lock of a pipeline in the environment whose checkpoints live under
   * {@code checkpointRoot}, for {@code activity}.
   *
   * @throws MedallionException when another run or a {@code maintain} holds it, naming it and the lock file
   */
  public static RunLock acquire(Configuration hadoopConf, String checkpointRoot, String pipeline, Duration staleAfter,
      Activity activity) {
    return acquire(hadoopConf, checkpointRoot, pipeline, staleAfter, activity, "");
  }

  /**
   * Takes the lock for {@code activity} when it is free; returns empty, having taken nothing, when a
   * run holds it, so that the caller goes on beside that run (a {@code maintain} of tables runs only
   * append to, say).
   *
   * @throws Held when another {@code maintain} holds it
   */
  public static java.util.Optional<RunLock> acquireUnlessARunHoldsIt(Configuration hadoopConf, String checkpointRoot,
      String pipeline, Duration staleAfter, Activity activity) {
    try {
      return java.util.Optional.of(acquire(hadoopConf, checkpointRoot, pipeline, staleAfter, activity));
    } catch (Held e) {
      if (e.holder() == Activity.RUN) {
        LOG.info("Pipeline {}: a run holds the run lock; going on beside it", pipeline);
        return java.util.Optional.empty();
      }
      throw e;
    }
  }

  /**
   * {@link #acquire(Configuration, String, String, Duration, Activity)}, with {@code whenHeld} (a
   * sentence, or empty) added to the error when another run or {@code maintain} holds the lock.
   */
  public static RunLock acquire(Configuration hadoopConf, String checkpointRoot, String pipeline, Duration staleAfter,
      Activity activity, String whenHeld) {
    Path path = new Path(checkpointRoot + "/" + pipeline + "/" + FILE);
    String owner = activity.word() + " " + UUID.randomUUID() + " on host " + host() + ", process "
        + ManagementFactory.getRuntimeMXBean().getName() + ", started " + Instant.now();
    try {
      FileSystem fs = path.getFileSystem(hadoopConf);
      for (int attempt = 0; ; attempt++) {
        try {
          write(fs, path, owner, false);
          String written = read(fs, path);
          if (!owner.equals(written)) { // another run wrote it in the same moment (S3)
            throw LockErrors.held(pipeline, path, written, Duration.ZERO, activity, Activity.of(written), whenHeld);
          }
          return new RunLock(fs, path, owner, staleAfter);
        } catch (FileAlreadyExistsException e) {
          FileStatus status;
          String other;
          try {
            status = fs.getFileStatus(path);
            other = read(fs, path);
          } catch (java.io.FileNotFoundException gone) {
            continue; // released between the two calls: try again
          }
          Duration age = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - status.getModificationTime()));
          boolean dead = deadOnThisHost(other);
          if ((age.compareTo(staleAfter) <= 0 && !dead) || attempt > 0) {
            throw LockErrors.held(pipeline, path, other, age, activity, Activity.of(other), whenHeld);
          }
          LOG.warn("Pipeline {}: taking over the run lock {} of {}: {}", pipeline, path, other, dead
              ? "its process no longer exists on this host"
              : "its last heartbeat is " + age.toSeconds() + " s old (more than medallion.run.lock-stale-after = "
                  + staleAfter.toSeconds() + " s), so that " + Activity.of(other).word() + " is gone");
          fs.delete(path, false);
        }
      }
    } catch (IOException e) {
      throw LockErrors.cannotCreate(pipeline, path, e);
    }
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

  /** Who holds the lock, as written in the file. */
  public String owner() {
    return owner;
  }

  private void beat() {
    try {
      long now = System.currentTimeMillis();
      try {
        fs.setTimes(path, now, -1); // local, HDFS: touch without rewriting
      } catch (UnsupportedOperationException | IOException e) {
        // object stores: rewrite below
      }
      if (fs.getFileStatus(path).getModificationTime() >= now - 1000) {
        return;
      }
      write(fs, path, owner, true); // S3: setTimes does nothing, a rewrite moves the time
    } catch (IOException | RuntimeException e) {
      LOG.warn("Run lock {}: heartbeat failed ({}); another run may take the lock over", path, e.toString());
    }
  }

  /** Stops the heartbeat and deletes the lock file if this run still owns it. */
  @Override
  public void close() {
    heartbeat.shutdown();
    try {
      heartbeat.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (owner.equals(read(fs, path))) {
        fs.delete(path, false);
      }
    } catch (IOException e) {
      LOG.warn("Run lock {}: could not release it ({}); the next run takes it over once it is stale", path, e.toString());
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
