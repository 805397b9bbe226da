package io.medallion.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.config.PipelineBuilder;
import io.medallion.internal.RunLock;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.WriteMode;
import io.medallion.source.FileSource;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs of different tables of one pipeline go on side by side (a continuous bronze run beside a
 * scheduled silver run, a Databricks job's independent tasks): each run locks only the tables it
 * writes. A run of a table another run is writing is refused before it writes anything.
 */
@ExtendWith(MedallionExtension.class)
class ConcurrentRunsTest {
  private static final TableRef BRONZE_A = TableRef.parse("bronze.a");
  private static final TableRef BRONZE_B = TableRef.parse("bronze.b");
  private static final TableRef SILVER_A = TableRef.parse("silver.a");

  @Test
  void runsOfDifferentTablesGoOnSideBySideAndARunOfATableBeingWrittenIsRefused(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("landing");
    land(landing.resolve("a"), "1.json", "{\"id\":1}", "{\"id\":2}");
    land(landing.resolve("b"), "1.json", "{\"id\":10}");
    Environment env = lake.environment(landing.toString());
    PipelineDefinition p = PipelineBuilder.pipeline("side").schema("app")
        .bronze("a", FileSource.of(landing.resolve("a").toString(), "json").withSchema("id BIGINT"))
        .bronze("b", FileSource.of(landing.resolve("b").toString(), "json").withSchema("id BIGINT"))
        .silver("a", s -> s.from("bronze.a").mode(WriteMode.APPEND))
        .build();

    // Run 1 writes bronze.a and stops after it (as a continuous run would go on), holding its lock;
    // run 2 writes bronze.b meanwhile; run 1 ends only after run 2 has finished.
    CountDownLatch firstWrote = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    RunListener waits = new RunListener() {
      @Override
      public void tableFinished(TableResult result) {
        firstWrote.countDown();
        try {
          assertThat(secondDone.await(2, TimeUnit.MINUTES)).as("the second run finished").isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    CompletableFuture<RunResult> first = CompletableFuture.supplyAsync(
        () -> lake.run(p, env, RunOptions.all().only(BRONZE_A).listener(waits)));
    assertThat(firstWrote.await(2, TimeUnit.MINUTES)).isTrue();
    try {
      // a run of everything is refused at once, naming the table and the run that writes it
      assertThatThrownBy(() -> lake.run(p, env, RunOptions.all()))
          .hasMessageContaining("Table bronze.a of pipeline side is being written by a run in this environment: run ")
          .hasMessageContaining("leave bronze.a out of this run (--only bronze.b --only silver.a).");
      assertThat(lake.spark().catalog().tableExists(env.tableName(p, BRONZE_B).quoted())).as("nothing written").isFalse();
      RunResult second = lake.run(p, env, RunOptions.all().only(BRONZE_B));
      assertThat(second.table(BRONZE_B).orElseThrow().rowsWritten()).isEqualTo(1);
    } finally {
      secondDone.countDown();
    }
    assertThat(first.get(2, TimeUnit.MINUTES).table(BRONZE_A).orElseThrow().rowsWritten()).isEqualTo(2);
    assertThat(ids(lake, env, p, BRONZE_A)).containsExactly(1L, 2L);
    assertThat(ids(lake, env, p, BRONZE_B)).containsExactly(10L);
    // both runs are in the event log, each complete
    String log = env.eventLogTable(p).orElseThrow().quoted();
    assertThat(lake.spark().sql("SELECT DISTINCT origin.run_id FROM " + log + " WHERE event_type = 'run_finish'"
        + " AND details.run.status = 'COMPLETED'").count()).isEqualTo(2);

    // a full refresh locks the streaming tables it resets with the table: refused while silver.a is written
    try (RunLock silver = RunLock.acquire(lake.spark().sessionState().newHadoopConf(), env.checkpointRoot(), p.name(),
        List.of("silver.a"), Duration.ofMinutes(2), RunLock.Activity.RUN)) {
      assertThatThrownBy(() -> lake.run(p, env, RunOptions.all().only(BRONZE_A).fullRefresh(BRONZE_A)))
          .hasMessageContaining("Table silver.a of pipeline side is being written by a run in this environment: "
              + silver.owner());
      // nothing was dropped
      assertThat(ids(lake, env, p, BRONZE_A)).containsExactly(1L, 2L);
    }
  }

  /**
   * A run called from a thread whose active Spark session is another one (a pool thread that
   * inherited a streaming query's clone of the session, say): Spark resolves the catalogs the run
   * registers through the active session's settings, and the run used to fail with "Catalog '...'
   * plugin class not found".
   */
  @Test
  void aRunFromAThreadWithAnotherActiveSessionFindsTheCatalogsItRegisters(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("landing-thread");
    land(landing.resolve("a"), "1.json", "{\"id\":1}");
    Environment env = lake.environment(landing.toString());
    PipelineDefinition p = PipelineBuilder.pipeline("thread").schema("app")
        .bronze("a", FileSource.of(landing.resolve("a").toString(), "json").withSchema("id BIGINT"))
        .build();
    CompletableFuture<RunResult> run = new CompletableFuture<>();
    Thread bare = new Thread(() -> {
      org.apache.spark.sql.SparkSession.setActiveSession(lake.spark().newSession());
      try {
        run.complete(lake.run(p, env));
      } catch (Throwable e) {
        run.completeExceptionally(e);
      }
    });
    bare.start();
    assertThat(run.get(2, TimeUnit.MINUTES).table(BRONZE_A).orElseThrow().rowsWritten()).isEqualTo(1);
    assertThat(ids(lake, env, p, BRONZE_A)).containsExactly(1L);
  }

  private static void land(Path dir, String file, String... lines) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.writeString(dir.resolve(file), String.join("\n", lines) + "\n");
  }

  private static List<Long> ids(Lakehouse lake, Environment env, PipelineDefinition p, TableRef ref) {
    return lake.spark().table(env.tableName(p, ref).quoted()).select("id").orderBy("id").as(Encoders.LONG()).collectAsList();
  }
}
