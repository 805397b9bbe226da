package io.medallion.demo;

import static io.medallion.table.cdc.CdcDumps.dump;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The crm demo pipeline end to end: a DMS full load and change files (a delete that arrives before
 * the update it supersedes, an out-of-order update) through SCD1, SCD2 and gold, then a rerun with
 * one more change file.
 */
@ExtendWith(MedallionExtension.class)
@Disabled("the CDC write mode is not yet plugged into the DeltaSink that main's SilverStage now uses;"
    + " this test passed with the pre-sink hook at commit 658c19f")
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
    lake.run(crm);
    assertThat(dump(lake.table(crm, "silver.customers_history").where("customer_id = 1")
        .selectExpr("country", "email", "CAST(__END_AT AS STRING)")))
        .containsExactly("DE|a6@x|2026-01-01 00:00:07", "US|a@x|null");
    assertThat(dump(lake.table(crm, "silver.customers").where("customer_id = 1").select("email")))
        .containsExactly("a@x");
    assertThat(dump(lake.table(crm, "gold.customers_per_country").orderBy("country")))
        .containsExactly("DE|1", "MX|1", "US|1");
  }
}
