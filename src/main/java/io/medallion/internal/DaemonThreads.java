package io.medallion.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for medallion's own pools: daemon threads (a pool left behind never keeps the
 * JVM, or a Databricks JAR task, alive), named so that a thread dump says whose they are.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads all named {@code name}. */
  public static ThreadFactory named(String name) {
    return r -> daemon(r, name);
  }

  /** Daemon threads named {@code prefix} and a number counted across the pool's threads. */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> daemon(r, prefix + count.incrementAndGet());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
