package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.testkit.LocalSpark;
import io.medallion.eventlog.FlowProgress;
import io.medallion.pipeline.TableRef;
import io.medallion.quality.QualityMetrics;
import io.medallion.run.TableResult;
import io.medallion.table.TableName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** {@code medallion run} prints a line per micro-batch and a summary table; {@code --json} and {@code --quiet}. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProgressTest {
  @TempDir static Path dir;
  static ShopConf shop;
  static SparkSession spark;

  @BeforeAll
  static void setUp() throws IOException {
    spark = LocalSpark.session();
    shop = new ShopConf(dir, "prg");
  }

  @Test
  @Order(1)
  void aMultiBatchRunPrintsALinePerBatchThenASummaryTable() throws IOException {
    shop.land("a", "5", null, "7", "b", "-1", "c", "150") // 4 rows: 1 dropped, 1 quarantined, 1 warned
        .land("d", "1", "e", "2")
        .land("f", "3"); // 1 row: the row-count check (min 2) fails with warn
    String out = shop.cli("run");

    assertThat(out).containsPattern(batch(0, 4, 1, 1, 1)).containsPattern(batch(1, 2, 0, 0, 0))
        .containsPattern(batch(2, 1, 0, 0, 0));
    assertThat(out.lines().filter(l -> l.contains("bronze.items") && l.contains(" batch "))).hasSize(3);
    // table, batches, rows in, rows out, dropped, quarantined, warned, seconds
    assertThat(out).containsPattern(Pattern.compile("(?m)^table\\s+batches\\s+rows in\\s+rows out\\s+dropped\\s+quarantined\\s+warned\\s+seconds$"))
        .containsPattern(Pattern.compile("(?m)^bronze\\.items\\s+3\\s+7\\s+5\\s+1\\s+1\\s+1\\s+\\d+\\.\\d$"))
        .contains("Done: 1 table.")
        .contains("Quarantined: 1 row of bronze.items in prg_bronze.store.items_quarantine");
    // the lines come before the summary, in batch order
    assertThat(out.indexOf("batch 0")).isLessThan(out.indexOf("batch 2"));
    assertThat(out.indexOf("batch 2")).isLessThan(out.indexOf("Done:"));
  }

  @Test
  @Order(2)
  void jsonPrintsOneObjectPerEvent() throws IOException {
    shop.land("g", "4", "h", "5");
    String out = shop.cli("run", "--json");

    List<JsonNode> events = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : out.lines().toList()) {
      events.add(json.readTree(line)); // every line is one JSON object
    }
    assertThat(events).extracting(e -> e.get("event").asText()).containsExactly("run_start", "batch", "table", "run_finish");
    JsonNode batch = events.get(1);
    assertThat(batch.get("table").asText()).isEqualTo("bronze.items");
    assertThat(batch.get("batch").asLong()).isEqualTo(3);
    assertThat(batch.get("rows").asLong()).isEqualTo(2);
    assertThat(batch.get("dropped").asLong()).isZero();
    assertThat(batch.get("quarantined").asLong()).isZero();
    assertThat(batch.get("warned").asLong()).isZero();
    assertThat(batch.get("rows_per_second").asDouble())
        .isCloseTo(2 / batch.get("seconds").asDouble(), org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(events.get(3).get("tables").get(0).get("rows_out").asLong()).isEqualTo(2);
    assertThat(events.get(3).get("event_log").asText()).isEqualTo("prg_bronze.store.event_log");
  }

  @Test
  @Order(3)
  void quietPrintsNothing() throws IOException {
    shop.land("i", "6");
    assertThat(shop.cli("run", "--quiet")).isEmpty();
    assertThat(spark.table("prg_bronze.store.items").count()).isEqualTo(5 + 2 + 1);
  }

  /**
   * A table skipped as unchanged counts no batch, and a name longer than the first column widens it
   * for every row, so the columns stay aligned.
   */
  @Test
  @Order(4)
  void skippedTablesCountNoBatchAndLongNamesKeepTheColumnsAligned() {
    Progress progress = new Progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        Progress.Mode.QUIET);
    TableRef skipped = TableRef.parse("gold.customers_per_country_and_month");
    TableRef ran = TableRef.parse("silver.a");
    Instant now = Instant.now();
    progress.batchFinished(new FlowProgress(skipped, TableName.of("c", "s", "t"), java.util.OptionalLong.empty(), now, now,
        "UNCHANGED", 0, 0, QualityMetrics.none(), Optional.empty()));
    progress.batchFinished(new FlowProgress(ran, TableName.of("c", "s", "a"), java.util.OptionalLong.of(7), now, now,
        "COMPLETED", 3, 3, QualityMetrics.none(), Optional.empty()));
    String table = progress.summaryTable(List.of(
        new TableResult(ran, TableName.of("c", "s", "a"), 3, 3, Duration.ofMillis(1200), QualityMetrics.none()),
        new TableResult(skipped, TableName.of("c", "s", "t"), 0, 0, Duration.ofMillis(100), QualityMetrics.none())));

    List<String> lines = table.lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).matches("silver\\.a\\s+1\\s+3\\s+3\\s+0\\s+0\\s+0\\s+1\\.2");
    assertThat(lines.get(2)).matches("gold\\.customers_per_country_and_month\\s+0\\s+0\\s+0\\s+0\\s+0\\s+0\\s+0\\.1");
    // fixed-width columns: every row as long as the header, the name column padded to the longest
    assertThat(lines).extracting(String::length).containsOnly(lines.get(0).length());
  }

  /** A CDC batch's line and JSON object say what it applied: upserted and deleted rows, SCD2 history rows opened. */
  @Test
  @Order(5)
  void aCdcBatchSaysWhatItUpsertedAndDeleted() {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    Instant now = Instant.now();
    FlowProgress scd2 = new FlowProgress(TableRef.parse("silver.history"), TableName.of("c", "s", "h"),
        java.util.OptionalLong.of(3), now, now, "COMPLETED", 5, 4, QualityMetrics.none(), Optional.empty(),
        Optional.of(new FlowProgress.CdcMetrics(3, 2, 3)));
    FlowProgress scd1 = new FlowProgress(TableRef.parse("silver.current"), TableName.of("c", "s", "c"),
        java.util.OptionalLong.of(4), now, now, "COMPLETED", 1, 0, QualityMetrics.none(), Optional.empty(),
        Optional.of(new FlowProgress.CdcMetrics(0, 1, 0)));
    new Progress(new PrintStream(lines, true, StandardCharsets.UTF_8), Progress.Mode.LINES).batchFinished(scd2);
    new Progress(new PrintStream(lines, true, StandardCharsets.UTF_8), Progress.Mode.LINES).batchFinished(scd1);
    new Progress(new PrintStream(json, true, StandardCharsets.UTF_8), Progress.Mode.JSON).batchFinished(scd1);
    assertThat(lines.toString(StandardCharsets.UTF_8).lines().toList()).satisfiesExactly(
        l -> assertThat(l).matches("  silver\\.history\\s+batch 3\\s+5 rows .*  warned 0  upserted 3  deleted 2  history rows 3"),
        l -> assertThat(l).matches("  silver\\.current\\s+batch 4\\s+1 rows .*  warned 0  upserted 0  deleted 1"));
    assertThat(json.toString(StandardCharsets.UTF_8)).contains("\"upserted\":0,\"deleted\":1,\"history_rows_opened\":0");
  }

  private static Pattern batch(long id, long rows, long dropped, long quarantined, long warned) {
    return Pattern.compile("(?m)^  bronze\\.items\\s+batch " + id + "\\s+" + rows + " rows\\s+[\\d,]+ rows/s  dropped "
        + dropped + "  quarantined " + quarantined + "  warned " + warned + "$");
  }
}
