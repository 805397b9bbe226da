package io.medallion.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.MedallionException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run of a pipeline per environment (issue 15, item 14), on Hadoop's local file system. */
class RunLockTest {
  @TempDir Path root;

  @Test
  void aSecondRunIsRefusedNamingTheFirstAndMayRunOnceItEnds() {
    Configuration conf = new Configuration();
    RunLock first = RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2));

    MedallionException e = catchThrowableOfType(
        () -> RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2)), MedallionException.class);
    assertThat(e.getMessage()).contains("Pipeline retail is already running", first.owner(),
        RunLock.FILE, "lock-stale-after");
    // another pipeline is not blocked
    RunLock.acquire(conf, root.toString(), "other", Duration.ofMinutes(2)).close();

    first.close();
    assertThat(root.resolve("retail").resolve(RunLock.FILE)).doesNotExist();
    RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2)).close();
  }

  @Test
  void maintainAndARunRefuseEachOtherNamingTheHolderAndWhy() throws Exception {
    Configuration conf = new Configuration();
    try (RunLock maintain = RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2), RunLock.Activity.MAINTAIN)) {
      assertThat(maintain.owner()).startsWith("maintain ");
      MedallionException e = catchThrowableOfType(
          () -> RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2)), MedallionException.class);
      assertThat(e.getMessage()).contains("Pipeline retail is being maintained in this environment: " + maintain.owner(),
          "A run and maintain at once write the same Delta tables", "Wait for that maintain to finish (schedule");
      e = catchThrowableOfType(() -> RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2),
          RunLock.Activity.MAINTAIN), MedallionException.class);
      assertThat(e.getMessage()).contains("is being maintained", "Two maintains at once would rewrite the same tables",
          "Wait for that maintain to finish;");
    }
    // a maintain of tables runs only append to goes on beside a run, takes a free lock, and not a maintain's
    try (RunLock run = RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2))) {
      assertThat(RunLock.acquireUnlessARunHoldsIt(conf, root.toString(), "retail", Duration.ofMinutes(2),
          RunLock.Activity.MAINTAIN)).isEmpty();
      assertThat(Files.readString(root.resolve("retail").resolve(RunLock.FILE))).isEqualTo(run.owner());
    }
    java.util.Optional<RunLock> free = RunLock.acquireUnlessARunHoldsIt(conf, root.toString(), "retail",
        Duration.ofMinutes(2), RunLock.Activity.MAINTAIN);
    assertThat(free).isPresent();
    assertThat(catchThrowableOfType(() -> RunLock.acquireUnlessARunHoldsIt(conf, root.toString(), "retail",
        Duration.ofMinutes(2), RunLock.Activity.MAINTAIN), RunLock.Held.class).holder())
        .isEqualTo(RunLock.Activity.MAINTAIN);
    free.get().close();
    // a lock file written before maintain took the lock names no activity: a run's
    Files.writeString(Files.createDirectories(root.resolve("retail")).resolve(RunLock.FILE),
        "run old-one on host elsewhere, process 1@elsewhere, started 2026-01-01T00:00:00Z");
    assertThat(catchThrowableOfType(() -> RunLock.acquire(conf, root.toString(), "retail", Duration.ofMinutes(2),
        RunLock.Activity.MAINTAIN), MedallionException.class))
        .hasMessageContaining("Pipeline retail is already running in this environment: run old-one")
        .hasMessageContaining("Wait for that run to finish (schedule maintain between runs");
  }

  @Test
  void theLockOfACrashedRunIsTakenOverOnceStale() throws Exception {
    Path lock = Files.createDirectories(root.resolve("retail")).resolve(RunLock.FILE);
    Files.writeString(lock, "run crashed-one on host h, process 1@h, started 2026-01-01T00:00:00Z");
    File file = lock.toFile();
    assertThat(file.setLastModified(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis())).isTrue();

    try (RunLock taken = RunLock.acquire(new Configuration(), root.toString(), "retail", Duration.ofMinutes(2))) {
      assertThat(Files.readString(lock)).isEqualTo(taken.owner()).doesNotContain("crashed-one");
    }
  }

  @Test
  void theFreshLockOfAProcessThatNoLongerExistsOnThisHostIsTakenOverAtOnce() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Path lock = Files.createDirectories(root.resolve("retail")).resolve(RunLock.FILE);
    Files.writeString(lock, "run killed-one on host " + host + ", process " + gone.pid() + "@" + host
        + ", started 2026-01-01T00:00:00Z");

    try (RunLock taken = RunLock.acquire(new Configuration(), root.toString(), "retail", Duration.ofMinutes(2))) {
      assertThat(Files.readString(lock)).isEqualTo(taken.owner()).doesNotContain("killed-one");
    }
    // a live process on another host keeps its fresh lock
    Files.writeString(lock, "run other-one on host elsewhere, process " + gone.pid() + "@elsewhere, started 2026-01-01T00:00:00Z");
    assertThat(catchThrowableOfType(
        () -> RunLock.acquire(new Configuration(), root.toString(), "retail", Duration.ofMinutes(2)),
        MedallionException.class)).hasMessageContaining("other-one");
  }

  @Test
  void theHeartbeatKeepsALongRunsLockFresh() throws Exception {
    Configuration conf = new Configuration();
    Path lock = root.resolve("retail").resolve(RunLock.FILE);
    try (RunLock held = RunLock.acquire(conf, root.toString(), "retail", Duration.ofMillis(400))) {
      long before = lock.toFile().lastModified();
      assertThat(lock.toFile().setLastModified(before - 60_000)).isTrue();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (lock.toFile().lastModified() < before - 30_000 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(lock.toFile().lastModified()).as("rewritten by the heartbeat").isGreaterThan(before - 30_000);
      MedallionException e = catchThrowableOfType(
          () -> RunLock.acquire(conf, root.toString(), "retail", Duration.ofMillis(400)), MedallionException.class);
      assertThat(e.getMessage()).contains(held.owner());
    }
  }
}
