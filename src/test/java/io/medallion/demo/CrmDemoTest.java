package io.medallion.demo;

import static io.medallion.table.cdc.CdcDumps.dump;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.TableRef;
import io.medallion.run.RunResult;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The crm demo pipeline end to end: a DMS full load and change files (a delete that arrives before
 * the update it supersedes, an out-of-order update) through SCD1, SCD2 and gold, both bronze tables
 * streamed into each CDC table ({@code from = [bronze.customers_cdc, bronze.customers_full]}), then a
 * rerun with one more change file (only it is read), then a run with nothing new (the CDC tables are
 * skipped as unchanged).
 */
@ExtendWith(MedallionExtension.class)
class CrmDemoTest {
  static final Path PIPELINE = Path.of("conf/pipelines/crm.conf");

  @Test
  void dmsFilesBecomeCurrentRowsHistoryAndGold(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("landing");
    Path full = Files.createDirectories(landing.resolve("crm/customers/full"));
    Path cdc = Files.createDirectories(landing.resolve("crm/customers/cdc"));
    Files.writeString(full.resolve("LOAD00000001.csv"),
        "customer_id,name,email,country\n1,Ann,a@x,DE\n2,Bob,b@x,FR\n3,Cy,c@x,MX\n");
    Files.writeString(cdc.resolve("00000001.csv"), "Op,commit_ts,customer_id,name,email,country\n"
        + "D,2026-01-01 00:00:09,2,Bob,b@x,FR\n"          // delete first ...
        + "U,2026-01-01 00:00:05,2,Bob,b2@x,FR\n"         // ... its older update arrives later
        + "U,2026-01-01 00:00:07,1,Ann,a@x,US\n"          // Ann moves (tracked)
        + "I,2026-01-01 00:00:08,4,Dee,d@x,DE\n");
    Lakehouse.Loaded crm = lake.load(PIPELINE, Path.of("conf/env/local.conf"), landing.toString());
    lake.run(crm);
    // the kept columns only: except-column-list leaves out Op and commit_ts
    assertThat(lake.table(crm, "silver.customers").columns()).containsExactly("customer_id", "name", "email", "country");
    assertThat(lake.table(crm, "silver.customers_history").columns())
        .containsExactly("customer_id", "name", "email", "country", "__START_AT", "__END_AT");
    assertThat(dump(lake.table(crm, "silver.customers").select("customer_id", "name", "email", "country")))
        .containsExactly("1|Ann|a@x|US", "3|Cy|c@x|MX", "4|Dee|d@x|DE");
    assertThat(dump(lake.table(crm, "silver.customers_history")
        .selectExpr("customer_id", "country", "email", "CAST(__START_AT AS STRING)", "CAST(__END_AT AS STRING)")))
        .containsExactly(
            "1|DE|a@x|1970-01-01 00:00:00|2026-01-01 00:00:07",
            "1|US|a@x|2026-01-01 00:00:07|null",
            "2|FR|b2@x|1970-01-01 00:00:00|2026-01-01 00:00:09",
            "3|MX|c@x|1970-01-01 00:00:00|null",
            "4|DE|d@x|2026-01-01 00:00:08|null");
    // a late change to Ann's old row: an email change (untracked) at 6 updates the DE row in place
    Files.writeString(cdc.resolve("00000002.csv"), "Op,commit_ts,customer_id,name,email,country\n"
        + "U,2026-01-01 00:00:06,1,Ann,a6@x,DE\n");
    RunResult second = lake.run(crm);
    // both bronze tables are read incrementally: the rerun reads the one new change, not the 7 rows before it
    for (String silver : List.of("silver.customers", "silver.customers_history")) {
      assertThat(second.table(TableRef.parse(silver)).orElseThrow().rowsRead()).as(silver).isEqualTo(1);
    }
    assertThat(dump(lake.table(crm, "silver.customers_history").where("customer_id = 1")
        .selectExpr("country", "email", "CAST(__END_AT AS STRING)")))
        .containsExactly("DE|a6@x|2026-01-01 00:00:07", "US|a@x|null");
    assertThat(dump(lake.table(crm, "silver.customers").where("customer_id = 1").select("email")))
        .containsExactly("a@x");
    assertThat(dump(lake.table(crm, "gold.customers_per_country").orderBy("country")))
        .containsExactly("DE|1", "MX|1", "US|1");
    // the history's change data feed tells gold what the batch touched: gold refreshes incrementally
    assertThat(second.table(TableRef.parse("gold.customers_per_country")).orElseThrow().note())
        .startsWith("incremental: ").contains("change data feed");
    // the event log carries each CDC batch's metrics: upsert and delete changes, history rows opened
    String log = crm.environment().eventLogTable(crm.pipeline()).orElseThrow().quoted();
    assertThat(dump(lake.spark().sql("SELECT origin.dataset_name, details.flow_progress.metrics.num_upserted_rows,"
        + " details.flow_progress.metrics.num_deleted_rows, details.flow_progress.metrics.num_history_rows_opened"
        + " FROM " + log + " WHERE event_type = 'flow_progress' AND origin.dataset_name LIKE 'silver.%'")))
        .containsExactlyInAnyOrder(
            "silver.customers|6|1|0", "silver.customers_history|6|1|5",   // first run: full load + 4 changes
            "silver.customers|1|0|0", "silver.customers_history|1|0|0");  // rerun: the late email change
    // nothing new: the CDC tables are skipped as unchanged (reapplying would find only applied changes)
    lake.run(crm);
    assertThat(dump(lake.spark().sql("SELECT origin.dataset_name FROM " + log + " WHERE event_type = 'flow_progress'"
        + " AND details.flow_progress.status = 'UNCHANGED' AND origin.dataset_name LIKE 'silver.%'")))
        .containsExactly("silver.customers", "silver.customers_history");
    assertThat(dump(lake.table(crm, "silver.customers_history").where("customer_id = 1")
        .selectExpr("country", "email", "CAST(__END_AT AS STRING)")))
        .containsExactly("DE|a6@x|2026-01-01 00:00:07", "US|a@x|null");
  }
}
