package io.medallion.pipeline;

import io.medallion.config.PipelineBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.MedallionException;
import io.medallion.run.RunOptions;
import io.medallion.source.FileSource;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Nothing lost, nothing duplicated (issue 15, items 1, 2, 5 and 15), on real Delta tables. */
@ExtendWith(MedallionExtension.class)
class ReliabilityTest {
  static final TableRef BRONZE = TableRef.parse("bronze.events");
  static final TableRef SILVER = TableRef.parse("silver.events");

  static void land(Path dir, String file, String... lines) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(file), String.join("\n", lines) + "\n");
  }

  @Test
  void batchSilverAppendIsRecomputedNotAppended(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("append-landing");
    land(landing.resolve("events"), "a.json", "{\"id\": \"1\"}", "{\"id\": \"2\"}", "{\"id\": \"3\"}");
    PipelineDefinition p = PipelineBuilder.pipeline("appendbatch").schema("a")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json").withSchema("id STRING"),
            b -> b.execution(Execution.BATCH))
        .silver("events", s -> s.from("bronze.events").mode(WriteMode.APPEND).execution(Execution.BATCH))
        .build();
    Environment env = lake.environment(landing.toString());

    lake.run(p, env);
    lake.run(p, env); // no new data
    assertThat(lake.table(p, env, "silver.events").count()).isEqualTo(3);
    land(landing.resolve("events"), "b.json", "{\"id\": \"4\"}");
    lake.run(p, env);
    assertThat(lake.table(p, env, "silver.events").count()).isEqualTo(4);
  }

  @Test
  void onlyATableWhoseInputWasNeverWrittenFailsNamingTheInputBeforeAnythingRuns(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("only-landing");
    land(landing.resolve("events"), "a.json", "{\"id\": \"1\"}");
    PipelineDefinition p = PipelineBuilder.pipeline("onlyfirst").schema("o")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json").withSchema("id STRING"))
        .silver("events", s -> s.from("bronze.events").mode(WriteMode.APPEND))
        .build();
    Environment env = lake.environment(landing.toString());

    MedallionException e = catchThrowableOfType(() -> lake.run(p, env, RunOptions.all().only(SILVER)), MedallionException.class);
    assertThat(e).hasMessageContaining("silver.events (" + env.tableName(p, SILVER) + ") reads bronze.events ("
        + env.tableName(p, BRONZE) + "), which this run does not write (--only) and no earlier run has written yet")
        .hasMessageContaining("--only bronze.events), or run without --only");
    assertThat(lake.spark().catalog().tableExists(env.tableName(p, SILVER).toString())).isFalse();

    lake.run(p, env, RunOptions.all().only(BRONZE));
    lake.run(p, env, RunOptions.all().only(SILVER)); // its input exists now
    assertThat(lake.table(p, env, "silver.events").count()).isEqualTo(1);
  }

  /**
   * The event log is created in the background while the tables run: when it cannot be created,
   * the run still fails, with the fix, once its tables are done; their data is written and a rerun
   * after the fix neither loses nor duplicates it.
   */
  @Test
  void eventLogThatCannotBeCreatedFailsTheRunWithTheFix(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("eventlog-landing");
    land(landing.resolve("events"), "a.json", "{\"id\": \"1\"}", "{\"id\": \"2\"}");
    PipelineDefinition p = PipelineBuilder.pipeline("evlog").schema("e")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json").withSchema("id STRING"),
            b -> b.execution(Execution.BATCH))
        .build();
    Environment env = lake.environment(landing.toString());
    String eventLog = env.eventLogTable(p).orElseThrow().toString();
    // a regular file where the event log's directory would go
    Path blocker = Path.of(env.warehouseOf(env.eventLogTable(p).get().catalog()), "e", "event_log");
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "not a directory");

    MedallionException e = catchThrowableOfType(() -> lake.run(p, env), MedallionException.class);

    assertThat(e.getMessage()).contains("Cannot create the event log " + eventLog, "of pipeline 'evlog'",
        "Set env.event-log to a table the job may create, or event-log = off");
    assertThat(lake.table(p, env, "bronze.events").count()).isEqualTo(2);

    Files.delete(blocker);
    lake.run(p, env);
    assertThat(lake.table(p, env, "bronze.events").count()).isEqualTo(2);
    assertThat(lake.spark().sql("SELECT event_type FROM " + eventLog).collectAsList().stream()
        .map(r -> r.getString(0)).toList()).contains("run_start", "run_finish");
  }

  @Test
  void fullRefreshOfASourceThatCannotBeReplayedIsRefusedUnlessAllowed(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("clean-landing");
    land(landing.resolve("events"), "a.json", "{\"id\": \"1\"}", "{\"id\": \"2\"}");
    PipelineDefinition p = PipelineBuilder.pipeline("cleaned").schema("c")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json").withSchema("id STRING")
            .withOption("cloudFiles.cleanSource", "DELETE")
            .withOption("cloudFiles.cleanSource.retentionDuration", "7 days"))
        .build();
    Environment env = lake.environment(landing.toString());
    lake.run(p, env);

    MedallionException e = catchThrowableOfType(
        () -> lake.run(p, env, RunOptions.all().fullRefresh(BRONZE)), MedallionException.class);

    assertThat(e.getMessage()).contains("Full refresh of bronze.events refused", "cloudFiles.cleanSource = DELETE",
        "lost for good", "Nothing was dropped", "pipelines.reset.allowed", "--allow-reset");
    assertThat(lake.table(p, env, "bronze.events").count()).isEqualTo(2);

    lake.run(p, env, RunOptions.all().fullRefresh(BRONZE).allowReset());
    assertThat(lake.table(p, env, "bronze.events").count()).isEqualTo(2); // the files are still retained
  }

  @Test
  void missingSourcePathFailsValidateUnlessDeclared(Lakehouse lake) {
    Path landing = lake.root().resolve("missing-landing");
    FileSource typo = FileSource.of(landing.resolve("evnets").toString(), "json").withSchema("id STRING");
    PipelineDefinition p = PipelineBuilder.pipeline("missing").schema("m").bronze("events", typo).build();
    Environment env = lake.environment(landing.toString());

    MedallionException e = catchThrowableOfType(() -> lake.runner(p, env).validate(), MedallionException.class);
    assertThat(e.getMessage()).contains("bronze.events", landing.resolve("evnets").toString(), "does not exist",
        "allowMissingPath = true");

    PipelineDefinition later = PipelineBuilder.pipeline("missing").schema("m")
        .bronze("events", typo.withOption("allowMissingPath", "true")).build();
    assertThat(lake.runner(later, env).validate()).containsKey(BRONZE);
  }

  @Test
  void columnNamesDeltaCannotStoreLand(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("names-landing");
    land(landing.resolve("events"), "a.json",
        "{\"id\": \"1\", \"first name\": \"Ada\", \"geo.lat\": 1.5, \"price (EUR)\": 10, \"a,b;c=d\": \"x\"}");
    PipelineDefinition p = PipelineBuilder.pipeline("names").schema("n")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json"))
        .build();
    Environment env = lake.environment(landing.toString());

    lake.run(p, env);

    var table = lake.table(p, env, "bronze.events");
    assertThat(Arrays.asList(table.columns())).contains("first name", "geo.lat", "price (EUR)", "a,b;c=d");
    assertThat(table.select("`first name`", "`price (EUR)`").first().toString()).isEqualTo("[Ada,10]");
  }
}
