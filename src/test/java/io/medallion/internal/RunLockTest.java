package io.medallion.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.MedallionException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per table of a pipeline per environment (issue 15, item 14), on Hadoop's local file system. */
class RunLockTest {
  private static final Duration STALE = Duration.ofMinutes(2);
  @TempDir Path root;

  private RunLock run(String... tables) {
    return RunLock.acquire(new Configuration(), root.toString(), "retail", List.of(tables), STALE, RunLock.Activity.RUN);
  }

  private RunLock maintain(String... tables) {
    return RunLock.acquire(new Configuration(), root.toString(), "retail", List.of(tables), STALE, RunLock.Activity.MAINTAIN);
  }

  private Path file(String table) {
    return root.resolve("retail").resolve(RunLock.FOLDER).resolve(table + ".lock");
  }

  @Test
  void aRunOfATableBeingWrittenIsRefusedNamingTheFirstAndOtherTablesRunBesideIt() throws Exception {
    RunLock first = run("bronze.orders", "silver.orders");
    assertThat(first.tables()).containsExactly("bronze.orders", "silver.orders");
    assertThat(Files.readString(file("silver.orders"))).isEqualTo(first.owner());

    MedallionException e = catchThrowableOfType(() -> run("gold.revenue", "silver.orders"), MedallionException.class);
    assertThat(e.getMessage()).contains("Table silver.orders of pipeline retail is being written by a run in this"
        + " environment: " + first.owner() + " holds its lock " , file("silver.orders").toString(),
        "Two runs that write one table at once would write the same checkpoint and table.",
        "Wait for that run to finish, or leave silver.orders out of this run (--only gold.revenue).",
        "lock-stale-after");
    // all or nothing: the refused run left no lock behind
    assertThat(file("gold.revenue")).doesNotExist();
    // every held table is named, and what could run now
    e = catchThrowableOfType(() -> run("silver.orders", "bronze.orders", "gold.revenue"), MedallionException.class);
    assertThat(e.getMessage()).contains("Table bronze.orders of pipeline retail is being written by a run",
        "Also held: silver.orders (by " + first.owner() + ").",
        "leave bronze.orders, silver.orders out of this run (--only gold.revenue).");
    assertThat(file("gold.revenue")).doesNotExist();
    // other tables of the pipeline, and another pipeline's tables of the same name, run beside it
    try (RunLock beside = run("gold.revenue", "silver.customers")) {
      assertThat(beside.tables()).containsExactly("gold.revenue", "silver.customers");
    }
    RunLock.acquire(new Configuration(), root.toString(), "other", List.of("silver.orders"), STALE,
        RunLock.Activity.RUN).close();

    first.close();
    assertThat(file("bronze.orders")).doesNotExist();
    assertThat(file("silver.orders")).doesNotExist();
    run("silver.orders").close();
  }

  @Test
  void maintainAndARunRefuseEachOtherNamingTheHolderAndWhy() {
    try (RunLock maintain = maintain("gold.revenue", "silver.orders")) {
      assertThat(maintain.owner()).startsWith("maintain ");
      MedallionException e = catchThrowableOfType(() -> run("silver.orders"), MedallionException.class);
      assertThat(e.getMessage()).contains("Table silver.orders of pipeline retail is being maintained in this"
              + " environment: " + maintain.owner(),
          "A run and maintain at once write the same Delta table", "tables that runs only append to are maintained"
              + " beside a run", "Wait for that maintain to finish, or leave silver.orders out of this run;"
              + " schedule maintain between runs");
      e = catchThrowableOfType(() -> maintain("silver.orders"), MedallionException.class);
      assertThat(e.getMessage()).contains("is being maintained", "Two maintains at once would rewrite the same table.",
          "Wait for that maintain to finish, or leave silver.orders out of this maintain");
    }
    // a maintain goes on beside a run that writes a table runs only append to, takes a free lock,
    // and not a lock another maintain holds
    try (RunLock run = run("bronze.orders")) {
      try (RunLock beside = RunLock.acquire(new Configuration(), root.toString(), "retail",
          List.of("bronze.orders", "bronze.customers"), Set.of("bronze.orders", "bronze.customers"), STALE,
          RunLock.Activity.MAINTAIN)) {
        assertThat(beside.tables()).containsExactly("bronze.customers");
        assertThat(file("bronze.orders")).content().isEqualTo(run.owner());
        assertThat(catchThrowableOfType(() -> RunLock.acquire(new Configuration(), root.toString(), "retail",
            List.of("bronze.customers"), Set.of("bronze.customers"), STALE, RunLock.Activity.MAINTAIN),
            RunLock.Held.class).holder()).isEqualTo(RunLock.Activity.MAINTAIN);
      }
      // a table runs rewrite is not maintained beside a run
      assertThat(catchThrowableOfType(() -> RunLock.acquire(new Configuration(), root.toString(), "retail",
          List.of("bronze.orders"), Set.of(), STALE, RunLock.Activity.MAINTAIN), RunLock.Held.class).holder())
          .isEqualTo(RunLock.Activity.RUN);
    }
  }

  @Test
  void aLiveRunOfAnEarlierVersionWhichLockedTheWholePipelineIsHonoured() throws Exception {
    Path earlier = Files.createDirectories(root.resolve("retail")).resolve(RunLock.EARLIER_FILE);
    Files.writeString(earlier, "old-run on host elsewhere, process 1@elsewhere, started 2026-01-01T00:00:00Z");
    MedallionException e = catchThrowableOfType(() -> run("gold.revenue"), MedallionException.class);
    assertThat(e.getMessage()).contains("Pipeline retail is being written in this environment by a run of an"
        + " earlier medallion version, which locks the whole pipeline: old-run on host elsewhere",
        earlier.toString(), "Stop that run (or wait for it to finish) before running this version");
    assertThat(file("gold.revenue")).doesNotExist();
    // once its heartbeat is stale, it is gone
    assertThat(earlier.toFile().setLastModified(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis())).isTrue();
    run("gold.revenue").close();
  }

  @Test
  void theLockOfACrashedRunIsTakenOverOnceStale() throws Exception {
    Path lock = Files.createDirectories(file("x").getParent()).resolve("silver.orders.lock");
    Files.writeString(lock, "run crashed-one on host h, process 1@h, started 2026-01-01T00:00:00Z");
    File f = lock.toFile();
    assertThat(f.setLastModified(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis())).isTrue();

    try (RunLock taken = run("silver.orders")) {
      assertThat(Files.readString(lock)).isEqualTo(taken.owner()).doesNotContain("crashed-one");
    }
  }

  @Test
  void theFreshLockOfAProcessThatNoLongerExistsOnThisHostIsTakenOverAtOnce() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Path lock = Files.createDirectories(file("x").getParent()).resolve("silver.orders.lock");
    Files.writeString(lock, "run killed-one on host " + host + ", process " + gone.pid() + "@" + host
        + ", started 2026-01-01T00:00:00Z");

    try (RunLock taken = run("silver.orders")) {
      assertThat(Files.readString(lock)).isEqualTo(taken.owner()).doesNotContain("killed-one");
    }
    // a live process on another host keeps its fresh lock
    Files.writeString(lock, "run other-one on host elsewhere, process " + gone.pid() + "@elsewhere, started 2026-01-01T00:00:00Z");
    assertThat(catchThrowableOfType(() -> run("silver.orders"), MedallionException.class))
        .hasMessageContaining("other-one");
  }

  @Test
  void theHeartbeatKeepsALongRunsLocksFresh() throws Exception {
    Configuration conf = new Configuration();
    Duration stale = Duration.ofMillis(400);
    try (RunLock held = RunLock.acquire(conf, root.toString(), "retail", List.of("a.x", "a.y"), stale, RunLock.Activity.RUN)) {
      long before = file("a.y").toFile().lastModified();
      for (String t : List.of("a.x", "a.y")) {
        assertThat(file(t).toFile().setLastModified(before - 60_000)).isTrue();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while ((file("a.x").toFile().lastModified() < before - 30_000 || file("a.y").toFile().lastModified() < before - 30_000)
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      for (String t : List.of("a.x", "a.y")) {
        assertThat(file(t).toFile().lastModified()).as("%s touched by the heartbeat", t).isGreaterThan(before - 30_000);
      }
      MedallionException e = catchThrowableOfType(() -> RunLock.acquire(conf, root.toString(), "retail", List.of("a.y"),
          stale, RunLock.Activity.RUN), MedallionException.class);
      assertThat(e.getMessage()).contains(held.owner());
    }
  }
}
