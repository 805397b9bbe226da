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

  static MedallionException held(String pipeline, Object path, String other, Duration age) {
    return new MedallionException("Pipeline " + pipeline + " is already running in this"
        + " environment: " + other + " holds the run lock " + path + " (last heartbeat "
        + age.toSeconds() + " s ago). Two runs at once would write the same checkpoints and"
        + " tables. Wait for that run to finish; if it crashed, its lock is taken over once its"
        + " heartbeat is older than medallion.run.lock-stale-after (or delete the lock file when"
        + " you are sure it is gone).");
  }
}
