package io.medallion.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableSpec;
import io.medallion.quality.QualityRules;
import io.medallion.run.internal.TableScheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Ready tables run at once, each after its inputs; a failure stops what has not started. */
class TableSchedulerTest {
  static TableDefinition table(String ref, String sql) {
    return new GoldTable(TableRef.parse(ref), sql, TableSpec.defaults(), QualityRules.none());
  }

  static final List<TableDefinition> PIPELINE = List.of(
      table("gold.a", "SELECT 1 AS x"), table("gold.b", "SELECT 2 AS x"), table("gold.c", "SELECT 3 AS x"),
      table("gold.d", "SELECT 4 AS x"),
      table("gold.all", "SELECT * FROM {gold.a} UNION ALL SELECT * FROM {gold.b} UNION ALL SELECT * FROM {gold.c}"
          + " UNION ALL SELECT * FROM {gold.d}"));

  @Test
  void independentTablesRunAtTheSameTimeAndDependentsAfterTheirInputs() {
    CountDownLatch allFourStarted = new CountDownLatch(4);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    TableScheduler.run(null, PIPELINE, PIPELINE.size(), t -> {
      events.add("start " + t.ref());
      if (!t.ref().name().equals("all")) {
        allFourStarted.countDown();
        try { // returns only when the four independent tables are running at once
          assertThat(allFourStarted.await(20, TimeUnit.SECONDS)).as("four tables at once").isTrue();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      events.add("end " + t.ref());
    }, (ref, e) -> {});
    assertThat(events).hasSize(10).endsWith("start gold.all", "end gold.all");
    assertThat(events.subList(0, 4)).allMatch(e -> e.startsWith("start "));
  }

  @Test
  void aFailureStopsTablesNotStartedAndNamesTheTableWhileRunningOnesFinish() {
    List<String> finished = Collections.synchronizedList(new ArrayList<>());
    List<TableRef> failed = new ArrayList<>();
    CountDownLatch bFailed = new CountDownLatch(1);
    assertThatThrownBy(() -> TableScheduler.run(null, PIPELINE, PIPELINE.size(), t -> {
      if (t.ref().name().equals("b")) {
        bFailed.countDown();
        throw new IllegalArgumentException("b is broken");
      }
      if (!t.ref().name().equals("all")) {
        try { // the others are still running when b fails: they finish
          bFailed.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      finished.add(t.ref().toString());
    }, (ref, e) -> failed.add(ref))).isInstanceOf(IllegalArgumentException.class).hasMessage("b is broken");
    assertThat(failed).containsExactly(TableRef.parse("gold.b"));
    assertThat(finished).containsExactlyInAnyOrder("gold.a", "gold.c", "gold.d"); // gold.all never started
  }

  @Test
  void aLimitOfTwoRunsTwoTablesAtATime() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch twoStarted = new CountDownLatch(2);
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    TableScheduler.run(null, PIPELINE, RunOptions.all().maxConcurrentTables(2).concurrency(PIPELINE.size()), t -> {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      twoStarted.countDown();
      try { // the first two wait for each other; without the limit all four would be running by then
        twoStarted.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      ran.add(t.ref().toString());
      running.decrementAndGet();
    }, (ref, e) -> {});
    assertThat(most.get()).isEqualTo(2);
    assertThat(ran).hasSize(5).endsWith("gold.all");
  }

  @Test
  void theLimitDefaultsToEveryReadyTableAndRefusesLessThanOne() {
    assertThat(RunOptions.all().concurrency(5)).isEqualTo(5);
    assertThat(RunOptions.all().maxConcurrentTables(2).concurrency(5)).isEqualTo(2);
    assertThat(RunOptions.all().maxConcurrentTables(8).concurrency(5)).isEqualTo(5);
    assertThat(RunOptions.all().maxConcurrentTables(1).only(TableRef.parse("gold.a")).maxConcurrentTables()).isEqualTo(1);
    assertThatThrownBy(() -> RunOptions.all().maxConcurrentTables(0))
        .hasMessage("At most 0 tables at once: the limit must be 1 or more (1 runs the tables one after another)."
            + " Leave it out to run every ready table at once.");
  }
}
