package io.medallion.testkit;

import java.util.concurrent.TimeUnit;

/** What the test servers run as child processes share: stopping them and waiting. */
final class ChildProcesses {
  private ChildProcesses() {}

  /**
   * Stops {@code process} (politely, then forcibly after 10 s) and removes its shutdown hook.
   * Either may be null.
   */
  static void stop(Process process, Thread hook) {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to: nothing to remove.
      }
    }
  }

  /** Sleeps; an interruption becomes an IllegalStateException saying what was interrupted. */
  static void sleep(long millis, String doing) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while " + doing, e);
    }
  }
}
