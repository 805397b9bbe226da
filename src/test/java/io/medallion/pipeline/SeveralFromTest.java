package io.medallion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.config.PipelineBuilder;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.source.FileSource;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A streaming silver table that reads several tables incrementally ({@code from = [a, b]}): each run
 * reads the new rows of each (the crm demo's CDC case is {@code CrmDemoTest}); a table added to
 * {@code from} of an existing stream fails with the fix (full refresh), which then works.
 */
@ExtendWith(MedallionExtension.class)
class SeveralFromTest {
  private static PipelineDefinition pipeline(Path landing, boolean both) {
    return PipelineBuilder.pipeline("several").schema("app")
        .bronze("orders", FileSource.of(landing.resolve("orders").toString(), "json").withSchema("id BIGINT, v STRING"))
        .bronze("backfill", FileSource.of(landing.resolve("backfill").toString(), "json").withSchema("id BIGINT, v STRING"))
        .silver("orders", s -> {
          if (both) {
            s.from("bronze.orders", "bronze.backfill")
                .sql("SELECT id, v, 'live' AS origin FROM {bronze.orders} UNION ALL SELECT id, v, 'backfill' FROM {bronze.backfill}");
          } else {
            s.from("bronze.orders").sql("SELECT id, v, 'live' AS origin FROM {bronze.orders}");
          }
          s.mode(WriteMode.APPEND);
        })
        .build();
  }

  private static List<String> rows(Lakehouse lake, PipelineDefinition p, Environment env) {
    return lake.spark().table(env.tableName(p, TableRef.parse("silver.orders")).quoted()).orderBy("id")
        .collectAsList().stream().map(Row::toString).toList();
  }

  @Test
  void eachRunAppendsTheNewRowsOfEveryFromTableAndAChangedFromNeedsAFullRefresh(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("landing");
    ExecutionModesTest.land(landing.resolve("orders"), "1.json", "{\"id\":1,\"v\":\"a\"}", "{\"id\":2,\"v\":\"b\"}");
    ExecutionModesTest.land(landing.resolve("backfill"), "1.json", "{\"id\":10,\"v\":\"old\"}");
    Environment env = lake.environment(landing.toString());
    PipelineDefinition one = pipeline(landing, false);
    lake.run(one, env);
    assertThat(rows(lake, one, env)).containsExactly("[1,a,live]", "[2,b,live]");

    // backfill added to from: the stream's checkpoint records one table, so the run fails with the fix
    PipelineDefinition both = pipeline(landing, true);
    assertThatThrownBy(() -> lake.run(both, env))
        .hasMessageContaining("Table silver.orders (")
        .hasMessageContaining("There are [1] sources in the checkpoint offsets and now there are [2] sources")
        .hasMessageContaining("a table added to or removed from its from")
        .hasMessageContaining("Full-refresh the table (--full-refresh <table>");
    assertThat(rows(lake, one, env)).containsExactly("[1,a,live]", "[2,b,live]");
    lake.run(both, env, RunOptions.all().fullRefresh(TableRef.parse("silver.orders")));
    assertThat(rows(lake, both, env)).containsExactly("[1,a,live]", "[2,b,live]", "[10,old,backfill]");

    // new rows in both tables: the run reads those 3 rows only and appends them
    ExecutionModesTest.land(landing.resolve("orders"), "2.json", "{\"id\":3,\"v\":\"c\"}");
    ExecutionModesTest.land(landing.resolve("backfill"), "2.json", "{\"id\":11,\"v\":\"old\"}", "{\"id\":12,\"v\":\"old\"}");
    RunResult next = lake.run(both, env);
    assertThat(next.table(TableRef.parse("silver.orders")).orElseThrow().rowsRead()).isEqualTo(3);
    assertThat(rows(lake, both, env)).containsExactly("[1,a,live]", "[2,b,live]", "[3,c,live]", "[10,old,backfill]",
        "[11,old,backfill]", "[12,old,backfill]");
    // new rows in one table only: that table's row is read (Spark itself counts no input row of a
    // union whose other table had nothing new), the other table's rows are not read again
    ExecutionModesTest.land(landing.resolve("orders"), "3.json", "{\"id\":4,\"v\":\"d\"}");
    RunResult one4 = lake.run(both, env);
    assertThat(one4.table(TableRef.parse("silver.orders")).orElseThrow().rowsRead()).isEqualTo(1);
    assertThat(one4.table(TableRef.parse("silver.orders")).orElseThrow().summary()).contains("read 1 rows, wrote 1 rows");
    assertThat(rows(lake, both, env)).hasSize(7).contains("[4,d,live]");
    // nothing new: nothing read, nothing appended
    assertThat(lake.run(both, env).table(TableRef.parse("silver.orders")).orElseThrow().rowsWritten()).isZero();
    assertThat(rows(lake, both, env)).hasSize(7);
  }
}
