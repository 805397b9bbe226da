package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Row rules with each action, in batch and streaming, with their quarantine rows and metrics. */
@ExtendWith(MedallionExtension.class)
class ExpectationsTest {
  static final TableRef BRONZE = TableRef.parse("bronze.orders");
  static final String SCHEMA = "id STRING, amount DOUBLE, status STRING, api_token STRING";

  static void land(Path dir, String file, String... lines) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(file), String.join("\n", lines) + "\n");
  }

  static String order(String id, String amount, String status) {
    return "{\"id\": " + (id == null ? "null" : "\"" + id + "\"") + ", \"amount\": " + amount
        + ", \"status\": " + (status == null ? "null" : "\"" + status + "\"") + ", \"api_token\": \"tok-" + id + "\"}";
  }

  /** A pipeline with one bronze table over {@code landing/orders}. */
  static PipelineDefinition orders(Path landing, Execution execution, Consumer<PipelineBuilder.BronzeOptions> rules) {
    return PipelineBuilder.pipeline("quality").schema("q")
        .bronze("orders", FileSource.of(landing.resolve("orders").toString(), "json").withSchema(SCHEMA), b -> {
          b.execution(execution);
          rules.accept(b);
        })
        .build();
  }

  static final Consumer<PipelineBuilder.BronzeOptions> THREE_ACTIONS = b -> b
      .expect("known_status", "status IN ('placed', 'shipped')")
      .expectOrDrop("has_id", "id IS NOT NULL")
      .expectOrQuarantine("positive_amount", "amount > 0");

  static final String[] BATCH_ONE = {
    order("1", "10.0", "placed"),
    order("2", "-5.0", "placed"),      // quarantined
    order(null, "7.0", "placed"),      // dropped
    order("4", "3.0", "lost"),         // warned, kept
    order(null, "-1.0", "lost"),       // dropped and quarantined: quarantine wins
    order("6", "null", "shipped"),     // NULL amount: passes (DLT semantics)
  };

  static List<String> ids(Lakehouse lake, TableName table) {
    List<String> out = new ArrayList<>();
    for (Row r : lake.table(table).orderBy("id").select("id").collectAsList()) {
      out.add(r.isNullAt(0) ? "null" : r.getString(0));
    }
    return out;
  }

  @Test
  void warnDropAndQuarantineInBatch(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("batch");
    land(landing.resolve("orders"), "a.json", BATCH_ONE);
    PipelineDefinition p = orders(landing, Execution.BATCH, THREE_ACTIONS);
    Environment env = lake.environment(landing.toString());

    TableResult result = lake.run(p, env).table(BRONZE).orElseThrow();

    TableName target = env.tableName(p, BRONZE);
    TableName quarantine = env.quarantineName(p, BRONZE, "_quarantine");
    assertThat(ids(lake, target)).containsExactly("1", "4", "6");
    assertThat(ids(lake, quarantine)).containsExactly("null", "2");
    assertThat(result.rowsRead()).isEqualTo(6);
    assertThat(result.rowsWritten()).isEqualTo(3);
    QualityMetrics q = result.quality();
    assertThat(q.rows()).isEqualTo(6);
    assertThat(q.dropped()).isEqualTo(1);
    assertThat(q.quarantined()).isEqualTo(2);
    assertThat(q.warned()).isEqualTo(1);
    assertThat(q.expectations()).extracting(e -> e.name() + ":" + e.passedRecords() + "/" + e.failedRecords())
        .containsExactly("known_status:4/2", "has_id:4/2", "positive_amount:4/2");
    assertThat(result.summary()).contains("dropped 1", "quarantined 2");

    // The quarantine rows carry their own columns plus every rule they violated.
    Row mixed = lake.table(quarantine).where("id IS NULL").first();
    assertThat(mixed.<Double>getAs("amount")).isEqualTo(-1.0);
    assertThat(mixed.<String>getAs("_source_file")).endsWith("a.json");
    assertThat(mixed.<Long>getAs("_batch_id")).isEqualTo(-1L);
    assertThat(mixed.<Object>getAs("_quarantined_at")).isNotNull();
    assertThat(lake.spark().sql("SELECT e.rule, e.action, e.expression FROM " + quarantine.quoted()
            + " LATERAL VIEW explode(_errors) x AS e WHERE id IS NULL ORDER BY e.rule").collectAsList())
        .extracting(Row::toString)
        .containsExactly(
            "[has_id,drop,id IS NOT NULL]",
            "[known_status,warn,status IN ('placed', 'shipped')]",
            "[positive_amount,quarantine,amount > 0]");

    // A batch table is recomputed: its quarantine table too, not appended to.
    lake.run(p, env);
    assertThat(ids(lake, target)).containsExactly("1", "4", "6");
    assertThat(ids(lake, quarantine)).containsExactly("null", "2");
  }

  @Test
  void streamingBatchesAppendTargetAndQuarantineAndRecordEachBatch(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("stream");
    land(landing.resolve("orders"), "a.json", BATCH_ONE);
    PipelineDefinition p = orders(landing, Execution.STREAMING, THREE_ACTIONS);
    Environment env = lake.environment(landing.toString());
    TableName target = env.tableName(p, BRONZE);
    TableName quarantine = env.quarantineName(p, BRONZE, "_quarantine");

    TableResult first = lake.run(p, env).table(BRONZE).orElseThrow();
    assertThat(first.quality().quarantined()).isEqualTo(2);
    land(landing.resolve("orders"), "b.json", order("7", "-2.0", "placed"), order("8", "1.0", "placed"));
    TableResult second = lake.run(p, env).table(BRONZE).orElseThrow();
    assertThat(second.rowsRead()).isEqualTo(2);
    assertThat(second.quality().quarantined()).isEqualTo(1);
    lake.run(p, env); // nothing new: nothing written twice

    assertThat(ids(lake, target)).containsExactly("1", "4", "6", "8");
    assertThat(ids(lake, quarantine)).containsExactly("null", "2", "7");
    assertThat(lake.table(quarantine).where("id = '7'").first().<Long>getAs("_batch_id")).isEqualTo(1L);
    // set aside by the write's tasks: the same columns and reasons as a batch run's quarantine rows
    assertThat(lake.spark().sql("SELECT id, amount, _source_file LIKE '%a.json', e.rule, e.action, e.expression,"
            + " _batch_id, _quarantined_at IS NOT NULL FROM " + quarantine.quoted()
            + " LATERAL VIEW explode(_errors) x AS e WHERE _batch_id = 0 ORDER BY id, e.rule").collectAsList())
        .extracting(Row::toString)
        .containsExactly(
            "[null,-1.0,true,has_id,drop,id IS NOT NULL,0,true]",
            "[null,-1.0,true,known_status,warn,status IN ('placed', 'shipped'),0,true]",
            "[null,-1.0,true,positive_amount,quarantine,amount > 0,0,true]",
            "[2,-5.0,true,positive_amount,quarantine,amount > 0,0,true]");
    assertThat(lake.table(quarantine).schema().catalogString()).isEqualTo(lake.table(target).schema()
        .add("_errors", "array<struct<rule:string,action:string,expression:string>>")
        .add("_batch_id", "bigint").add("_quarantined_at", "timestamp").catalogString());

    TableName log = env.eventLogTable(p).orElseThrow();
    List<Row> progress = lake.spark().sql(
        "SELECT origin.batch_id, details.flow_progress.metrics.num_input_rows,"
            + " details.flow_progress.metrics.num_output_rows,"
            + " details.flow_progress.data_quality.dropped_records,"
            + " details.flow_progress.data_quality.quarantined_records"
            + " FROM " + log.quoted() + " WHERE event_type = 'flow_progress' AND origin.dataset_name = 'bronze.orders'"
            + " ORDER BY origin.batch_id").collectAsList();
    assertThat(progress).extracting(Row::toString).containsExactly("[0,6,3,1,2]", "[1,2,1,0,1]");
    List<Row> expectations = lake.spark().sql(
        "SELECT e.name, e.dataset, e.passed_records, e.failed_records FROM " + log.quoted()
            + " LATERAL VIEW explode(details.flow_progress.data_quality.expectations) x AS e"
            + " WHERE origin.batch_id = 1 ORDER BY e.name").collectAsList();
    assertThat(expectations).extracting(Row::toString).containsExactly(
        "[has_id,bronze.orders,2,0]", "[known_status,bronze.orders,2,0]", "[positive_amount,bronze.orders,1,1]");
    assertThat(lake.spark().sql("SELECT event_type FROM " + log.quoted() + " WHERE event_type LIKE 'run_%'")
            .collectAsList()).extracting(r -> r.getString(0))
        .containsOnly("run_start", "run_finish").hasSize(6);
  }

  /** Creates bronze.orders' quarantine table by hand, with {@code columns}, before any run. */
  static TableName quarantineCreatedAs(Lakehouse lake, PipelineDefinition p, Environment env, String columns) {
    TableName quarantine = env.quarantineName(p, BRONZE, "_quarantine");
    lake.runner(p, env).validate(); // registers the environment's catalogs
    DeltaTables.ensureSchema(lake.spark(), quarantine);
    lake.spark().sql("CREATE TABLE " + quarantine.quoted() + " (" + columns + ") USING delta");
    return quarantine;
  }

  /**
   * A quarantine table whose layout is not the rows' (a column added by hand) cannot take files
   * written by the write's tasks: its micro-batches' quarantine rows go through the staging folder
   * and Delta's write instead (which keeps its column), once each, and no file is left uncommitted.
   */
  @Test
  void aQuarantineTableOfAnotherLayoutGetsItsRowsThroughDeltasWrite(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("other-layout");
    land(landing.resolve("orders"), "a.json", BATCH_ONE);
    PipelineDefinition p = orders(landing, Execution.STREAMING, THREE_ACTIONS);
    Environment env = lake.environment(landing.toString());
    TableName target = env.tableName(p, BRONZE);
    TableName quarantine = quarantineCreatedAs(lake, p, env, "reviewed BOOLEAN");

    lake.run(p, env);
    land(landing.resolve("orders"), "b.json", order("7", "-2.0", "placed"), order("8", "1.0", "placed"));
    lake.run(p, env);

    assertThat(ids(lake, target)).containsExactly("1", "4", "6", "8");
    assertThat(ids(lake, quarantine)).containsExactly("null", "2", "7");
    assertThat(lake.table(quarantine).where("reviewed IS NULL AND size(_errors) > 0").count()).isEqualTo(3);
    String[] committed = lake.table(quarantine).inputFiles();
    Path folder = Path.of(java.net.URI.create(committed[0])).getParent();
    try (java.util.stream.Stream<Path> files = Files.list(folder)) {
      assertThat(files.filter(f -> f.toString().endsWith(".parquet")).count()).isEqualTo(committed.length);
    }
    Path staging = Path.of(env.checkpointRoot(), "quality", "bronze", "orders", "_quarantine_staging");
    assertThat(staging).as("the rows went through the staging folder").exists();
    try (java.util.stream.Stream<Path> left = Files.walk(staging)) {
      assertThat(left.filter(Files::isRegularFile)).as("and it was emptied").isEmpty();
    }
  }

  @Test
  void failRuleStopsTheUpdateCommitsNothingAndNamesTheRow(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("fail");
    land(landing.resolve("orders"), "a.json", order("1", "10.0", "placed"));
    PipelineDefinition p = orders(landing, Execution.STREAMING, b -> b
        .expectOrQuarantine("positive_amount", "amount > 0")
        .expectOrFail("has_status", "status IS NOT NULL"));
    Environment env = lake.environment(landing.toString());
    TableName target = env.tableName(p, BRONZE);
    lake.run(p, env);
    long version = DeltaTables.version(lake.spark(), target).getAsLong();

    land(landing.resolve("orders"), "b.json",
        order("2", "5.0", null), order("3", "-5.0", "placed"), order("4", "1.0", null));
    for (int attempt = 0; attempt < 2; attempt++) { // a retry meets the same rows and fails the same way
      assertThatThrownBy(() -> lake.run(p, env))
          .isInstanceOf(QualityException.class)
          .hasMessageContaining("Table bronze.orders (" + target + ")")
          .hasMessageContaining("expectation has_status (on-violation = fail, \"status IS NOT NULL\") failed for 2 of 3 rows in batch 1")
          .hasMessageContaining("Nothing of the batch was committed")
          .hasMessageContaining("id=2")
          .hasMessageContaining("api_token=***")
          .hasMessageNotContaining("tok-2");
    }
    assertThat(DeltaTables.version(lake.spark(), target).getAsLong()).isEqualTo(version);
    assertThat(ids(lake, target)).containsExactly("1");
    assertThat(DeltaTables.exists(lake.spark(), env.quarantineName(p, BRONZE, "_quarantine"))).isFalse();

    TableName log = env.eventLogTable(p).orElseThrow();
    assertThat(lake.spark().sql("SELECT level, error.message FROM " + log.quoted()
            + " WHERE event_type = 'run_failure'").collectAsList())
        .hasSize(2)
        .allSatisfy(r -> {
          assertThat(r.getString(0)).isEqualTo("ERROR");
          assertThat(r.getString(1)).contains("has_status").doesNotContain("tok-");
        });
    assertThat(lake.spark().sql("SELECT details.flow_progress.status FROM " + log.quoted()
            + " WHERE event_type = 'flow_progress' AND origin.batch_id = 1").collectAsList())
        .extracting(r -> r.getString(0)).containsOnly("FAILED");
  }

  @Test
  void failRuleInBatchLeavesTheTableAsItWas(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("fail-batch");
    land(landing.resolve("orders"), "a.json", order("1", "10.0", "placed"));
    PipelineDefinition p = orders(landing, Execution.BATCH, b -> b.expectOrFail("positive_amount", "amount > 0"));
    Environment env = lake.environment(landing.toString());
    lake.run(p, env);
    land(landing.resolve("orders"), "b.json", order("2", "-1.0", "placed"));

    assertThatThrownBy(() -> lake.run(p, env))
        .isInstanceOf(QualityException.class)
        .hasMessageContaining("positive_amount")
        .hasMessageContaining("failed for 1 of 2 rows in this run");
    assertThat(ids(lake, env.tableName(p, BRONZE))).containsExactly("1");
  }

  @Test
  void nullResultsPassByDefaultAndViolateWhenAsked(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("nulls");
    land(landing.resolve("orders"), "a.json",
        order("1", "null", "placed"), order("2", "5.0", null), order("3", "5.0", "placed"));
    PipelineDefinition p = orders(landing, Execution.BATCH, b -> b
        .expectOrDrop("positive_amount", "amount > 0")                                    // NULL passes
        .expect(Expectation.of("known_status", "status = 'placed'", Action.DROP).nullIsViolation()));
    Environment env = lake.environment(landing.toString());

    TableResult r = lake.run(p, env).table(BRONZE).orElseThrow();

    assertThat(ids(lake, env.tableName(p, BRONZE))).containsExactly("1", "3");
    assertThat(r.quality().expectations()).extracting(e -> e.name() + ":" + e.failedRecords())
        .containsExactly("positive_amount:0", "known_status:1");
  }

  @Test
  void groupsApplyOneActionToEachRuleAndCountThemSeparately(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("groups");
    land(landing.resolve("orders"), "a.json",
        order("1", "1.0", "placed"), order(null, "1.0", "placed"), order("3", "-1.0", "placed"), order(null, "-1.0", "x"));
    PipelineDefinition p = orders(landing, Execution.BATCH, b -> b.expectAll("valid", Action.DROP,
        new java.util.LinkedHashMap<>(java.util.Map.of("has_id", "id IS NOT NULL", "positive", "amount > 0"))));
    Environment env = lake.environment(landing.toString());

    TableResult r = lake.run(p, env).table(BRONZE).orElseThrow();

    assertThat(ids(lake, env.tableName(p, BRONZE))).containsExactly("1");
    assertThat(r.quality().dropped()).isEqualTo(3);
    assertThat(r.quality().expectations()).extracting(e -> e.name() + ":" + e.failedRecords())
        .containsExactlyInAnyOrder("has_id:2", "positive:2");
  }

  @Test
  void aQuarantineAppendInterruptedAfterTheTargetCommitIsCompletedOnceOnRestart(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("crash");
    land(landing.resolve("orders"), "a.json", BATCH_ONE);
    PipelineDefinition p = orders(landing, Execution.STREAMING, THREE_ACTIONS);
    Environment env = lake.environment(landing.toString());
    TableName target = env.tableName(p, BRONZE);
    // A quarantine table the append cannot go to: the batch commits the target, then fails.
    TableName quarantine = quarantineCreatedAs(lake, p, env, "id STRING, _errors INT");

    assertThatThrownBy(() -> lake.run(p, env)).isInstanceOf(MedallionException.class);
    assertThat(ids(lake, target)).containsExactly("1", "4", "6");
    assertThat(lake.table(quarantine).count()).isZero();

    lake.spark().sql("DROP TABLE " + quarantine.quoted());
    RunResult restart = lake.run(p, env);

    assertThat(ids(lake, target)).containsExactly("1", "4", "6"); // the target append is not repeated
    assertThat(ids(lake, quarantine)).containsExactly("null", "2"); // the quarantine append is done once
    assertThat(restart.table(BRONZE).orElseThrow().rowsWritten()).isZero();
    lake.run(p, env);
    assertThat(lake.table(target).count()).isEqualTo(3);
    assertThat(lake.table(quarantine).count()).isEqualTo(2);
  }
}
