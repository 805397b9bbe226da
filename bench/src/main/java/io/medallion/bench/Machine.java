package io.medallion.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU accounting for a benchmark on a shared machine (Linux {@code /proc}): this JVM's CPU time, and
 * the CPU other processes use meanwhile, so a run disturbed by a parallel build can be seen, and
 * runs can wait for a quiet moment. Elsewhere (no {@code /proc/stat}) the foreign share reads 0.
 */
final class Machine {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private Machine() {}

  /** A point in time: busy ticks of the whole machine and of this process, and this JVM's CPU ns. */
  record Sample(long nanos, long machineBusyTicks, long selfTicks, long processCpuNanos) {
    /** CPU seconds used by other processes since {@code earlier}. */
    double foreignCpuSeconds(Sample earlier) {
      long foreign = (machineBusyTicks - earlier.machineBusyTicks) - (selfTicks - earlier.selfTicks);
      return Math.max(0, foreign) / TICKS_PER_SECOND;
    }

    /** Share of the machine's cores other processes used since {@code earlier}, 0..1. */
    double foreignShare(Sample earlier) {
      double wall = (nanos - earlier.nanos) / 1e9;
      return wall <= 0 ? 0 : Math.min(1, foreignCpuSeconds(earlier) / (wall * CORES));
    }

    /** CPU seconds of this JVM (all threads: tasks, driver, GC, JIT) since {@code earlier}. */
    double processCpuSeconds(Sample earlier) {
      return (processCpuNanos - earlier.processCpuNanos) / 1e9;
    }
  }

  static Sample sample() {
    long busy = 0;
    long self = 0;
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...: busy = user+nice+system+irq+softirq
      busy = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3])
          + Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]);
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      self = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      // not Linux: no foreign accounting
    }
    return new Sample(System.nanoTime(), busy, self, processCpuNanos());
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * Waits until other processes use less than {@code maxShare} of the cores for two consecutive
   * one-second windows, at most {@code maxWaitSeconds}.
   *
   * @return the seconds waited, negative if the machine never got quiet
   */
  static double awaitQuiet(double maxShare, double maxWaitSeconds) {
    long start = System.nanoTime();
    int quiet = 0;
    Sample prev = sample();
    while ((System.nanoTime() - start) / 1e9 < maxWaitSeconds) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      Sample now = sample();
      quiet = now.foreignShare(prev) < maxShare ? quiet + 1 : 0;
      prev = now;
      if (quiet >= 2) {
        return (System.nanoTime() - start) / 1e9;
      }
    }
    return -(System.nanoTime() - start) / 1e9;
  }
}
