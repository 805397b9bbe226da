package io.medallion.table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.hadoop.conf.Configuration;

/**
 * Delta's log store for local files, stopping a child JVM at exact points of its commits: for tests
 * that kill a JVM in a write and check what a rerun recovers. A kill point is a table's commit file
 * of a given version, and a side: {@link When#BEFORE} it is written (the commit's data files are
 * there, the log entry that adds them is not) or {@link When#AFTER} (the log entry is there, nothing
 * that follows it).
 *
 * <p>One child can run several scenarios at once, each on a table of its own, so that one JVM start
 * serves them all (a cold child JVM costs ~10 CPU s before its first write). The thread that reaches
 * its point stops there for good; when the scenarios {@link #runAll} runs have all reached theirs,
 * the JVM halts with exit code 137 and no shutdown hooks, as after {@code kill -9}. Each
 * scenario is then cut exactly at its point.
 */
public final class HaltingLogStore extends io.delta.storage.HDFSLogStore {
  /** The side of a commit file a kill point is on. */
  public enum When {
    BEFORE, AFTER;

    /** {@code "before"} or {@code "after"}. */
    public static When of(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  private static final Map<String, When> POINTS = new ConcurrentHashMap<>();
  private static final AtomicInteger REACHED = new AtomicInteger();
  private static volatile int expected = Integer.MAX_VALUE;

  public HaltingLogStore(Configuration conf) {
    super(conf);
  }

  /**
   * Makes Delta write local logs through this store. Call it before the JVM's Spark session starts;
   * {@link #runAll} then halts the JVM once each of its scenarios has reached its kill point.
   */
  public static void install() {
    System.setProperty("spark.delta.logStore.file.impl", HaltingLogStore.class.getName());
  }

  /** A kill point: the commit file of {@code version} in the {@code _delta_log} folder {@code deltaLog}. */
  public static void arm(Path deltaLog, long version, When when) {
    POINTS.put(deltaLog.resolve(String.format("%020d.json", version)).toString(), when);
  }

  @Override
  public void write(org.apache.hadoop.fs.Path path, Iterator<String> actions, Boolean overwrite, Configuration conf)
      throws IOException {
    When when = POINTS.get(path.toUri().getPath());
    if (when == When.BEFORE) {
      stop("halting before the commit " + path);
    }
    super.write(path, actions, overwrite, conf);
    if (when == When.AFTER) {
      stop("halting after the commit " + path);
    }
  }

  /** This thread's scenario goes no further; the last one to get here halts the JVM. */
  private static void stop(String why) {
    System.out.println(why);
    System.out.flush();
    if (REACHED.incrementAndGet() >= expected) {
      Runtime.getRuntime().halt(137);
    }
    while (true) {
      LockSupport.park();
    }
  }

  /**
   * Runs each scenario on a thread of its own and waits for them: each is to stop at one kill
   * point (armed before it gets there), and the last one to get there halts the JVM. A scenario that ends (or fails) without reaching its
   * point ends the JVM with exit code 1, after printing what happened.
   */
  public static void runAll(Map<String, Runnable> scenarios) throws InterruptedException {
    expected = scenarios.size();
    for (Map.Entry<String, Runnable> s : scenarios.entrySet()) {
      Thread t = new Thread(() -> {
        try {
          s.getValue().run();
          System.out.println("scenario " + s.getKey() + " finished: it was not halted");
        } catch (Throwable e) {
          System.out.println("scenario " + s.getKey() + " failed before its kill point:");
          e.printStackTrace(System.out);
        }
        System.out.flush();
        Runtime.getRuntime().halt(1);
      }, "scenario-" + s.getKey());
      t.start();
    }
    Thread.currentThread().join();
  }
}
