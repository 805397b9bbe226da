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

  /** A run of a version before per-table locks holds the lock of the whole pipeline. */
  static RunLock.Held heldByAnEarlierVersion(String pipeline, Object path, String other, Duration age,
      RunLock.Activity wanted) {
    return new RunLock.Held("Pipeline " + pipeline + " is being written in this environment by a run of an"
        + " earlier medallion version, which locks the whole pipeline: " + other + " holds " + path
        + " (last heartbeat " + age.toSeconds() + " s ago). This " + wanted.word() + " would write beside it."
        + " Stop that run (or wait for it to finish) before running this version; if it crashed, its lock"
        + " is taken over once its heartbeat is older than medallion.run.lock-stale-after (or delete the"
        + " lock file when you are sure it is gone).", RunLock.Activity.RUN);
  }

  /**
   * Tables' locks are held ({@code busy}, in name order), each by a run or a {@code maintain}, when
   * a run or a {@code maintain} ({@code wanted}) asks for them; {@code free} are the tables it asked
   * for that it could have taken.
   */
  static RunLock.Held held(String pipeline, java.util.List<RunLock.Busy> busy, java.util.List<String> free,
      RunLock.Activity wanted) {
    RunLock.Busy first = busy.get(0);
    RunLock.Activity holder = first.holder();
    String why;
    if (wanted != holder) {
      why = "A run and maintain at once write the same Delta table (OPTIMIZE rewrites files a run's MERGE"
          + " reads; the removal of superseded CDC changes reads the files a run appends), and Delta fails"
          + " one of two such commits on the conflict; tables that runs only append to are maintained"
          + " beside a run.";
    } else if (holder == RunLock.Activity.RUN) {
      why = "Two runs that write one table at once would write the same checkpoint and table.";
    } else {
      why = "Two maintains at once would rewrite the same table.";
    }
    StringBuilder also = new StringBuilder();
    for (RunLock.Busy b : busy.subList(1, busy.size())) {
      also.append(also.length() == 0 ? " Also held: " : "; ").append(b.table()).append(" (by ").append(b.owner())
          .append(")");
    }
    if (also.length() > 0) {
      also.append(".");
    }
    String left = busy.stream().map(RunLock.Busy::table).collect(java.util.stream.Collectors.joining(", "));
    return new RunLock.Held("Table " + first.table() + " of pipeline " + pipeline + (holder == RunLock.Activity.RUN
        ? " is being written by a run" : " is being maintained") + " in this environment: " + first.owner()
        + " holds its lock " + first.path() + " (last heartbeat " + first.age().toSeconds() + " s ago)." + also
        + " " + why + " Wait for that " + holder.word() + " to finish, or leave " + left + " out of this "
        + wanted.word() + (free.isEmpty() ? "" : " (" + free.stream().map(t -> "--only " + t)
            .collect(java.util.stream.Collectors.joining(" ")) + ")")
        + (wanted != holder ? "; schedule maintain between runs, e.g. as a task after the pipeline's run in the same job" : "")
        + ". If it crashed, its lock is taken over once its heartbeat is older than"
        + " medallion.run.lock-stale-after (or delete the lock file when you are sure it is gone).", holder);
  }
}
