package io.medallion.quality;

import io.medallion.config.PipelineBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.table.TableName;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dataset-level checks, and rules on silver (upsert) and gold tables. */
@ExtendWith(MedallionExtension.class)
class DatasetChecksTest {
  static final TableRef BRONZE = TableRef.parse("bronze.orders");
  static final TableRef SILVER = TableRef.parse("silver.orders");

  @Test
  void failingChecksStopTheBatchAndWarningChecksAreRecorded(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("checks");
    ExpectationsTest.land(landing.resolve("orders"), "a.json",
        ExpectationsTest.order("1", "1.0", "placed"), ExpectationsTest.order("2", "-1.0", null),
        ExpectationsTest.order("3", "1.0", null), ExpectationsTest.order("3", "2.0", "placed"));
    PipelineDefinition warnOnly = ExpectationsTest.orders(landing, Execution.BATCH, b -> b
        .expectOrDrop("positive", "amount > 0")
        .check(new DatasetCheck.RowCount("enough", Action.FAIL, OptionalLong.of(1), OptionalLong.of(10)))
        .check(new DatasetCheck.NullShare("status_known", Action.WARN, "status", 0.25))
        .check(new DatasetCheck.Unique("one_each", Action.WARN, List.of("id")))
        .check(new DatasetCheck.RejectedShare("few_dropped", Action.WARN, 0.5)));
    Environment env = lake.environment(landing.toString());

    TableResult r = lake.run(warnOnly, env).table(BRONZE).orElseThrow();

    assertThat(r.rowsWritten()).isEqualTo(3);
    assertThat(r.quality().checks()).extracting(c -> c.name() + ":" + c.passed())
        .containsExactly("enough:true", "status_known:false", "one_each:false", "few_dropped:true");
    assertThat(r.quality().failedChecks().get(0).message())
        .isEqualTo("2 of 4 rows (50.00%) have a NULL status; at most 25.00% may");
    assertThat(r.quality().failedChecks().get(1).message())
        .isEqualTo("2 rows share their [id] with another row of the batch; expected each key once");
    assertThat(r.summary()).contains("failed checks [status_known, one_each]");
    TableName log = env.eventLogTable(warnOnly).orElseThrow();
    Row event = lake.spark().sql("SELECT level, message FROM " + log.quoted() + " WHERE event_type = 'flow_progress'").first();
    assertThat(event.getString(0)).isEqualTo("WARN");
    assertThat(event.getString(1)).contains("failed checks [status_known, one_each]");

    PipelineDefinition strict = ExpectationsTest.orders(landing, Execution.BATCH, b -> b
        .expectOrDrop("positive", "amount > 0")
        .check(new DatasetCheck.RejectedShare("few_dropped", Action.FAIL, 0.05)));
    assertThatThrownBy(() -> lake.run(strict, env))
        .isInstanceOf(QualityException.class)
        .hasMessageContaining("check few_dropped (rejected-share, on-violation = fail) failed: 1 of 4 rows (25.00%)"
            + " were dropped or quarantined; at most 5.00% may be")
        .hasMessageContaining("Nothing of the batch was committed");
    assertThat(lake.table(env.tableName(strict, BRONZE)).count()).isEqualTo(3); // the previous run's rows
  }

  @Test
  void freshnessComparesTheNewestTimestampWithTheCheckTime(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("fresh");
    ExpectationsTest.land(landing.resolve("events"), "a.json", "{\"id\": \"1\", \"ts\": \"2020-01-01T00:00:00Z\"}");
    PipelineDefinition p = PipelineBuilder.pipeline("fresh").schema("f")
        .bronze("events", FileSource.of(landing.resolve("events").toString(), "json").withSchema("id STRING, ts TIMESTAMP"),
            b -> b.execution(Execution.BATCH)
                .check(new DatasetCheck.Freshness("recent", Action.FAIL, "ts", Duration.ofDays(2))))
        .build();
    Environment env = lake.environment(landing.toString());

    assertThatThrownBy(() -> lake.run(p, env))
        .isInstanceOf(QualityException.class)
        .hasMessageContaining("check recent (freshness, on-violation = fail) failed: the newest ts is 2020-01-01T00:00:00Z")
        .hasMessageContaining("at most 2.0 days is allowed");
  }

  @Test
  void silverUpsertsAndGoldRecomputationsApplyTheirRules(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("layers");
    ExpectationsTest.land(landing.resolve("orders"), "a.json",
        ExpectationsTest.order("1", "10.0", "placed"), ExpectationsTest.order("2", "-3.0", "placed"),
        ExpectationsTest.order("3", "4.0", "lost"));
    PipelineDefinition p = PipelineBuilder.pipeline("layers").schema("l")
        .bronze("orders", FileSource.of(landing.resolve("orders").toString(), "json").withSchema(ExpectationsTest.SCHEMA))
        .silver("orders", s -> s.from("bronze.orders").keys("id")
            .sql("SELECT CAST(id AS BIGINT) AS id, amount, status FROM {bronze.orders}")
            .expectOrQuarantine("positive", "amount > 0")
            .expectOrDrop("known", "status <> 'lost'"))
        .gold("totals", "SELECT status, SUM(amount) AS total FROM {silver.orders} GROUP BY status",
            g -> g.expectOrDrop("big_enough", "total > 5")
                .check(new DatasetCheck.RowCount("one_status", Action.FAIL, OptionalLong.of(1), OptionalLong.empty())))
        .build();
    Environment env = lake.environment(landing.toString());

    RunResult first = lake.run(p, env);
    ExpectationsTest.land(landing.resolve("orders"), "b.json",
        ExpectationsTest.order("1", "-1.0", "placed"), ExpectationsTest.order("4", "2.0", "placed"));
    RunResult second = lake.run(p, env);

    TableName silver = env.tableName(p, SILVER);
    TableName quarantine = TableName.of(silver.catalog(), silver.schema(), "orders_quarantine");
    assertThat(lake.table(silver).orderBy("id").collectAsList()).extracting(Row::toString)
        .containsExactly("[1,10.0,placed]", "[4,2.0,placed]"); // the bad update of 1 did not replace it
    assertThat(lake.table(quarantine).orderBy("id", "_batch_id").select("id", "_batch_id").collectAsList())
        .extracting(Row::toString).containsExactly("[1,1]", "[2,0]");
    assertThat(first.table(SILVER).orElseThrow().quality().dropped()).isEqualTo(1);
    assertThat(second.table(SILVER).orElseThrow().quality().quarantined()).isEqualTo(1);
    assertThat(lake.table(env.tableName(p, TableRef.parse("gold.totals"))).collectAsList())
        .extracting(Row::toString).containsExactly("[placed,12.0]");
  }
}
