package io.medallion.internal;

import io.medallion.MedallionException;
import java.time.Duration;

/** The errors of the run lock (the only class of this package that raises any), made in one place. */
final class LockErrors {
  private LockErrors() {}

  static MedallionException cannotCreate(String pipeline, Object path, Exception e) {
    return new MedallionException("Pipeline " + pipeline + ": cannot create its run lock " + path
        + ": " + e.getMessage() + ". Check that the checkpoint root exists and is writable.", e);
  }

  /**
   * The lock is held: by a run or a {@code maintain} ({@code holder}), when a run or a
   * {@code maintain} ({@code wanted}) asks for it; {@code whenHeld} is the asker's own advice.
   */
  static RunLock.Held held(String pipeline, Object path, String other, Duration age,
      RunLock.Activity wanted, RunLock.Activity holder, String whenHeld) {
    String why;
    if (wanted != holder) {
      why = "A run and maintain at once write the same Delta tables (OPTIMIZE rewrites files a run's MERGE"
          + " reads; the removal of superseded CDC changes reads the files a run appends), and Delta fails"
          + " one of two such commits on the conflict.";
    } else if (holder == RunLock.Activity.RUN) {
      why = "Two runs at once would write the same checkpoints and tables.";
    } else {
      why = "Two maintains at once would rewrite the same tables.";
    }
    return new RunLock.Held("Pipeline " + pipeline + (holder == RunLock.Activity.RUN
        ? " is already running" : " is being maintained") + " in this environment: " + other
        + " holds the run lock " + path + " (last heartbeat " + age.toSeconds() + " s ago). " + why
        + " Wait for that " + holder.word() + " to finish" + (wanted != holder
        ? " (schedule maintain between runs, e.g. as a task after the pipeline's run in the same job)" : "")
        + "; if it crashed, its lock is taken over once its heartbeat is older than"
        + " medallion.run.lock-stale-after (or delete the lock file when you are sure it is gone)."
        + (whenHeld.isEmpty() ? "" : " " + whenHeld), holder);
  }
}
