package io.medallion.pipeline;

import io.medallion.MedallionException;
import io.medallion.config.PipelineBuilder;
import io.medallion.run.RunResult;
import io.medallion.run.TableResult;
import io.medallion.source.FileSource;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Batch tables (recomputed each run) and continuous processing-time tables, built in Java. */
@ExtendWith(MedallionExtension.class)
class ExecutionModesTest {
  static void land(Path dir, String file, String... lines) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(file), String.join("\n", lines) + "\n");
  }

  static PipelineDefinition events(Path landing, Execution execution, Trigger trigger) {
    return PipelineBuilder.pipeline("events").schema("app")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json")
            .withSchema("id STRING, v STRING, ts STRING"), b -> {
              b.execution(execution);
              if (execution == Execution.STREAMING) {
                b.trigger(trigger);
              }
            })
        .silver("events", s -> {
          s.from("bronze.events").execution(execution)
              .sql("SELECT CAST(id AS BIGINT) AS id, v, CAST(ts AS BIGINT) AS ts FROM {bronze.events}"
                  + " WHERE _rescued_data IS NULL")
              .keys("id").sequenceBy("ts");
          if (execution == Execution.STREAMING) {
            s.trigger(trigger);
          }
        })
        .gold("summary", "SELECT COUNT(*) AS n, MAX(v) AS max_v FROM {silver.events}")
        .build();
  }

  @Test
  void batchTablesAreRecomputedOnEveryRunAndStayIdempotent(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("batch-landing");
    land(landing.resolve("events/2026/01/01"), "a.json",
        "{\"id\": 1, \"v\": \"a\", \"ts\": 1}",
        "{\"id\": 2, \"v\": \"b-new\", \"ts\": 9}",
        "{\"id\": 2, \"v\": \"b-old\", \"ts\": 2}",
        "{\"id\": 3, \"v\": \"c\"");
    PipelineDefinition p = events(landing, Execution.BATCH, Trigger.availableNow());
    Environment env = lake.environment(landing.toString());

    RunResult first = lake.run(p, env);
    TableResult bronze = first.table(TableRef.parse("bronze.events")).orElseThrow();
    assertThat(bronze.rowsRead()).isEqualTo(4);
    assertThat(bronze.rowsWritten()).isEqualTo(4);
    assertThat(first.table(TableRef.parse("silver.events")).orElseThrow().rowsRead()).isEqualTo(4);
    assertThat(first.table(TableRef.parse("silver.events")).orElseThrow().rowsWritten()).isEqualTo(2);
    assertThat(first.table(TableRef.parse("gold.summary")).orElseThrow().rowsRead()).isEqualTo(2);
    assertThat(first.table(TableRef.parse("gold.summary")).orElseThrow().rowsWritten()).isEqualTo(1);
    assertThat(lake.table(p, env, "silver.events").orderBy("id").collectAsList())
        .extracting(r -> r.getLong(0) + "=" + r.getString(1)).containsExactly("1=a", "2=b-new");

    lake.run(p, env);
    assertThat(lake.table(p, env, "bronze.events").count()).isEqualTo(4);
    assertThat(lake.table(p, env, "silver.events").count()).isEqualTo(2);

    land(landing.resolve("events/2026/01/02"), "b.json", "{\"id\": 4, \"v\": \"d\", \"ts\": 1}");
    lake.run(p, env);
    assertThat(lake.table(p, env, "bronze.events").count()).isEqualTo(5);
    Row summary = lake.table(p, env, "gold.summary").first();
    assertThat(summary.getLong(0)).isEqualTo(3);
    assertThat(summary.getString(1)).isEqualTo("d");
  }

  @Test
  void processingTimeTablesRunUntilStopped(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("continuous-landing");
    land(landing.resolve("events"), "a.json", "{\"id\": 1, \"v\": \"a\", \"ts\": 1}", "{\"id\": 2, \"v\": \"b\", \"ts\": 1}");
    PipelineDefinition p = events(landing, Execution.STREAMING, Trigger.processingTime(Duration.ofMillis(500)));
    Environment env = lake.environment(landing.toString());

    CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> lake.run(p, env));
    String silver = env.tableName(p, TableRef.parse("silver.events")).toString();
    awaitCount(lake, silver, 2);
    land(landing.resolve("events"), "b.json", "{\"id\": 3, \"v\": \"c\", \"ts\": 1}");
    awaitCount(lake, silver, 3);
    assertThat(run).isNotDone();

    for (StreamingQuery q : lake.spark().streams().active()) {
      q.stop();
    }
    RunResult result = run.get(60, TimeUnit.SECONDS);
    assertThat(result.table(TableRef.parse("bronze.events")).orElseThrow().rowsRead()).isEqualTo(3);
    assertThat(result.table(TableRef.parse("gold.summary"))).isPresent();
  }

  /**
   * A continuous run ends with the first failure of any of its tables, whichever it is, and none of
   * its streams outlives it (they would write on after the run released its tables' locks).
   */
  @Test
  void theFirstFailureOfAnyTableEndsAContinuousRunAndStopsItsOtherStreams(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("failing-landing");
    Trigger every = Trigger.processingTime(Duration.ofMillis(300));
    land(landing.resolve("a"), "1.json", "{\"id\": 1}");
    land(landing.resolve("b"), "1.json", "{\"id\": 1}");
    land(landing.resolve("c"), "1.json", "{\"id\": -1}");
    Environment env = lake.environment(landing.toString());
    java.util.function.Function<String, FileSource> files =
        dir -> FileSource.of(landing.resolve(dir).toString(), "json").withSchema("id BIGINT");
    PipelineDefinition continuous = PipelineBuilder.pipeline("failing").schema("app")
        .bronze("a", files.apply("a"), b -> b.trigger(every))
        .bronze("b", files.apply("b"), b -> b.trigger(every).expectOrFail("positive_id", "id > 0"))
        .build();

    // a later batch of one continuous table fails: the run fails naming it, and the other stops
    CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> lake.run(continuous, env));
    awaitCount(lake, env.tableName(continuous, TableRef.parse("bronze.a")).toString(), 1);
    awaitCount(lake, env.tableName(continuous, TableRef.parse("bronze.b")).toString(), 1);
    land(landing.resolve("b"), "2.json", "{\"id\": -2}");
    assertThat(catchFailure(run)).contains("bronze.b").contains("positive_id");
    assertThat(lake.spark().streams().active()).as("streams left running").isEmpty();

    // a table that is not continuous fails beside a continuous one that has started: the same
    PipelineDefinition mixed = PipelineBuilder.pipeline("mixed").schema("app")
        .bronze("a", files.apply("a"), b -> b.trigger(every))
        .bronze("c", files.apply("c"), b -> b.expectOrFail("positive_id", "id > 0"))
        .build();
    assertThat(catchFailure(CompletableFuture.supplyAsync(() -> lake.run(mixed, env))))
        .contains("bronze.c").contains("positive_id");
    assertThat(lake.spark().streams().active()).as("streams left running").isEmpty();
  }

  /**
   * A continuous file table that Auto Loader stops for new columns starts again in its table's
   * scheduler pool: the restart happens on the thread that waits for the run, not on the table's.
   */
  @Test
  void aContinuousTableRestartedForNewColumnsStaysInItsSchedulerPool(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("pool-landing");
    Trigger every = Trigger.processingTime(Duration.ofMillis(300));
    land(landing.resolve("a"), "1.json", "{\"id\": 1}");
    land(landing.resolve("b"), "1.json", "{\"id\": 1}");
    Environment env = lake.environment(landing.toString());
    PipelineDefinition p = PipelineBuilder.pipeline("pools").schema("app")
        .bronze("a", FileSource.of(landing.resolve("a").toString(), "json"), b -> b.trigger(every))
        .bronze("b", FileSource.of(landing.resolve("b").toString(), "json"), b -> b.trigger(every))
        .build();
    // the pools of each stream start's micro-batch jobs (a start is a job group: its run id)
    Map<String, Set<String>> poolsByStart = new ConcurrentHashMap<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart job) {
        Properties props = job.properties();
        String description = props == null ? null : props.getProperty("spark.job.description");
        if (props != null && props.getProperty("streaming.sql.batchId") != null
            && (description == null || !description.startsWith("medallion event log"))) {
          poolsByStart.computeIfAbsent(props.getProperty("spark.jobGroup.id"), k -> ConcurrentHashMap.newKeySet())
              .add(String.valueOf(props.getProperty("spark.scheduler.pool")));
        }
      }
    };
    lake.spark().sparkContext().addSparkListener(listener);
    try {
      CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> lake.run(p, env));
      String a = env.tableName(p, TableRef.parse("bronze.a")).toString();
      awaitCount(lake, a, 1);
      awaitCount(lake, env.tableName(p, TableRef.parse("bronze.b")).toString(), 1);
      land(landing.resolve("a"), "2.json", "{\"id\": 2, \"color\": \"red\"}");
      awaitCount(lake, a, 2); // after the restart, with the new column
      assertThat(lake.table(a).where("id = 2").select("color").first().getString(0)).isEqualTo("red");
      for (StreamingQuery q : lake.spark().streams().active()) {
        q.stop();
      }
      run.get(60, TimeUnit.SECONDS);

      lake.spark().sparkContext().listenerBus().waitUntilEmpty(); // listener events arrive asynchronously
      assertThat(poolsByStart.values()).as("pools of each stream start's jobs: table a, a again, b")
          .containsExactlyInAnyOrder(Set.of("medallion bronze.a"), Set.of("medallion bronze.a"),
              Set.of("medallion bronze.b"));
    } finally {
      lake.spark().sparkContext().removeSparkListener(listener);
    }
  }

  /** Pipeline {@code name}: bronze.changes, JSON files of {@code columns} in landing/changes, and silver.current as {@code current} sets it. */
  private static PipelineDefinition changes(String name, Path landing, String columns,
      java.util.function.Consumer<PipelineBuilder.SilverOptions> current) {
    return PipelineBuilder.pipeline(name).schema("app")
        .bronze("changes", FileSource.of(landing.resolve("changes").toString(), "json").withSchema(columns))
        .silver("current", s -> current.accept(s.from("bronze.changes")))
        .build();
  }

  /**
   * A CDC option that names a column the input lacks fails the run before any table moves data,
   * as a rule naming an unknown column does, with the option's path and the fix.
   */
  @Test
  void aCdcConditionNamingAnUnknownColumnFailsTheRunBeforeAnyDataMoves(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("cdc-landing");
    land(landing.resolve("changes"), "1.json", "{\"op\": \"I\", \"id\": 1, \"seq\": 1}");
    Environment env = lake.environment(landing.toString());
    PipelineDefinition p = changes("cdcmistake", landing, "op STRING, id BIGINT, seq BIGINT", s -> s.cdc(
        io.medallion.table.CdcSpec.builder(java.util.List.of("id"), java.util.List.of("seq")).applyAsDeletes("operation = 'D'").build()));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> lake.run(p, env))
        .hasMessageContaining("apply-as-deletes = \"operation = 'D'\" does not resolve")
        .hasMessageContaining("`operation`").hasMessageContaining("the input has [op, id, seq");
    assertThat(lake.spark().catalog().tableExists(env.tableName(p, TableRef.parse("bronze.changes")).toString()))
        .as("bronze written before the mistake was found").isFalse();
  }

  /**
   * A CDC micro-batch whose every row a quarantine rule sets aside has no change to apply: it is
   * completed with its counts (it was recorded as a skipped replay, with no counts, while its rows
   * were in the quarantine table).
   */
  @Test
  void aCdcBatchWhoseRowsAreAllQuarantinedIsCompletedWithItsCounts(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("cdcq-landing");
    land(landing.resolve("changes"), "1.json", "{\"op\": \"I\", \"id\": 1, \"v\": \"a\", \"seq\": 1}");
    Environment env = lake.environment(landing.toString());
    PipelineDefinition p = changes("cdcq", landing, "op STRING, id BIGINT, v STRING, seq BIGINT", s -> s
        .sql("SELECT op, id, v, seq FROM {bronze.changes}").expectOrQuarantine("has_seq", "seq IS NOT NULL")
        .cdc(io.medallion.table.CdcSpec.builder(java.util.List.of("id"), java.util.List.of("seq"))
            .applyAsDeletes("op = 'D'").exceptColumnList(java.util.List.of("op", "seq")).build()));
    lake.run(p, env);
    land(landing.resolve("changes"), "2.json", "{\"op\": \"U\", \"id\": 1, \"v\": \"b\", \"seq\": null}");
    RunResult second = lake.run(p, env);

    assertThat(second.table(TableRef.parse("silver.current")).orElseThrow().quality().quarantined()).isEqualTo(1);
    assertThat(lake.table(p, env, "silver.current").collectAsList()).extracting(Row::toString).containsExactly("[1,a]");
    String log = env.eventLogTable(p).orElseThrow().quoted();
    assertThat(lake.spark().sql("SELECT origin.batch_id, details.flow_progress.status,"
        + " details.flow_progress.metrics.num_input_rows, details.flow_progress.data_quality.quarantined_records"
        + " FROM " + log + " WHERE event_type = 'flow_progress' AND origin.dataset_name = 'silver.current'"
        + " ORDER BY origin.batch_id").collectAsList()).extracting(Row::toString)
        .containsExactly("[0,COMPLETED,1,0]", "[1,COMPLETED,1,1]");
  }

  @Test
  void aStreamingCdcTargetHasOnlyItsKeptColumnsAndAnScdTypeSwitchNeedsAFullRefresh(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("scd-landing");
    land(landing.resolve("changes"), "1.json", "{\"op\": \"I\", \"id\": 1, \"v\": \"a\", \"seq\": 1}",
        "{\"op\": \"U\", \"id\": 1, \"v\": \"b\", \"seq\": 2}", "{\"op\": \"I\", \"id\": 2, \"v\": \"c\", \"seq\": 1}");
    Environment env = lake.environment(landing.toString());
    java.util.function.IntFunction<PipelineDefinition> pipeline = type -> {
      io.medallion.table.CdcSpec.Builder cdc = io.medallion.table.CdcSpec.builder(java.util.List.of("id"),
          java.util.List.of("seq")).applyAsDeletes("op = 'D'").exceptColumnList(java.util.List.of("op", "seq"));
      io.medallion.table.CdcSpec spec = (type == 2 ? cdc.scdType2() : cdc).build();
      return changes("scdswitch", landing, "op STRING, id BIGINT, v STRING, seq BIGINT",
          s -> s.sql("SELECT op, id, v, seq FROM {bronze.changes}").cdc(spec));
    };
    PipelineDefinition scd1 = pipeline.apply(1);
    lake.run(scd1, env);
    // the stream's query has the operation and sequence columns; the target keeps id and v only
    assertThat(lake.table(scd1, env, "silver.current").columns()).containsExactly("id", "v");
    assertThat(lake.table(scd1, env, "silver.current").collectAsList()).extracting(Row::toString)
        .containsExactlyInAnyOrder("[1,b]", "[2,c]");

    PipelineDefinition scd2 = pipeline.apply(2);
    MedallionException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> lake.runner(scd2, env).validate(), MedallionException.class);
    assertThat(refused).hasMessageContaining("pipeline.silver.current.cdc.stored-as-scd-type = 2")
        .hasMessageContaining("holds SCD type 1 rows").hasMessageContaining("--full-refresh silver.current");
    land(landing.resolve("changes"), "2.json", "{\"op\": \"U\", \"id\": 2, \"v\": \"d\", \"seq\": 2}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> lake.run(scd2, env))
        .hasMessageContaining("holds SCD type 1 rows").hasMessageContaining("--full-refresh silver.current");
    assertThat(lake.table(scd1, env, "silver.current").columns()).as("nothing written").containsExactly("id", "v");
    assertThat(lake.table(scd1, env, "silver.current").collectAsList()).extracting(Row::toString)
        .containsExactlyInAnyOrder("[1,b]", "[2,c]");

    lake.run(scd2, env, io.medallion.run.RunOptions.all().fullRefresh(TableRef.parse("silver.current")));
    assertThat(lake.table(scd2, env, "silver.current").columns()).containsExactly("id", "v", "__START_AT", "__END_AT");
    assertThat(lake.table(scd2, env, "silver.current").orderBy("id", "__START_AT").collectAsList()).extracting(Row::toString)
        .containsExactly("[1,a,1,2]", "[1,b,2,null]", "[2,c,1,2]", "[2,d,2,null]");
    // and back: a type 2 table is not made type 1 in place either
    assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(() -> lake.runner(scd1, env).validate(),
        MedallionException.class)).hasMessageContaining("stored-as-scd-type = 1").hasMessageContaining("holds SCD type 2 rows");
  }

  private static String catchFailure(CompletableFuture<RunResult> run) throws Exception {
    try {
      run.get(90, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause().getMessage();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the run did not end within 90 s of its failure", e);
    }
    throw new AssertionError("the run did not fail");
  }

  static void awaitCount(Lakehouse lake, String table, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    long count = -1;
    while (System.nanoTime() < deadline) {
      try {
        count = lake.table(table).count();
        if (count == expected) {
          return;
        }
      } catch (Exception notCreatedYet) {
        // the run registers the catalog and creates the table asynchronously
      }
      Thread.sleep(250);
    }
    throw new AssertionError(table + " has " + count + " rows after 90 s, expected " + expected);
  }
}
