package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.source.FileSource;
import io.medallion.pipeline.GoldTable;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.platform.internal.OssPlatform;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Incremental gold: after every step of a random sequence of appends, updates and deletes on the
 * silver input, each gold table equals a full recompute of its query; unsupported shapes fall back
 * with their reason; unchanged inputs skip; a failed refresh leaves the table consistent.
 */
@ExtendWith(MedallionExtension.class)
class IncrementalGoldTest {
  static final String SILVER_COLUMNS =
      "id BIGINT, store STRING, customer STRING, day DATE, amount DOUBLE, qty INT";

  /** Query shapes refreshed incrementally. */
  static final Map<String, String> INCREMENTAL = Map.of(
      "by_store_day",
      "SELECT store, day, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS lo, MAX(amount) AS hi,"
          + " AVG(amount) AS mean FROM {silver.orders} GROUP BY store, day ORDER BY store, day",
      "by_upper",
      "SELECT s, month, n * 2 AS doubled, customers, qty FROM (SELECT upper(store) AS s,"
          + " trunc(day, 'MM') AS month, COUNT(*) AS n, COUNT(DISTINCT customer) AS customers, SUM(qty) AS qty"
          + " FROM {silver.orders} WHERE amount > 10 GROUP BY upper(store), trunc(day, 'MM') HAVING COUNT(*) > 2)");

  /** Query shapes recomputed in full, with the reason expected in the run line. */
  static final Map<String, String> FALLBACK = Map.of(
      "joined",
      "SELECT a.store, COUNT(*) AS n FROM {silver.orders} a JOIN {silver.orders} b ON a.id = b.id GROUP BY a.store",
      "windowed",
      "SELECT store, SUM(amount) OVER (PARTITION BY store) AS total FROM {silver.orders}",
      "random",
      "SELECT store, COUNT(*) AS n, rand() AS noise FROM {silver.orders} GROUP BY store",
      "global",
      "SELECT COUNT(*) AS n FROM {silver.orders}");

  static final Map<String, String> REASONS = Map.of(
      "joined", "full recompute: it joins tables",
      "windowed", "full recompute: it has a window function",
      "random", "full recompute: it calls the non-deterministic function rand()",
      "global", "full recompute: it aggregates without GROUP BY");

  /** A bronze source with no files yet (the tests write silver directly). */
  static final FileSource NO_FILES = FileSource.of("/nonexistent", "json").withSchema(SILVER_COLUMNS)
      .withOption("allowMissingPath", "true");

  static PipelineDefinition pipeline(Map<String, String> golds, Consumer<PipelineBuilder.GoldOptions> options) {
    PipelineBuilder b = PipelineBuilder.pipeline("inc").schema("s")
        .bronze("orders", NO_FILES)
        .silver("orders", s -> s.from("bronze.orders").keys("id"));
    golds.forEach((name, sql) -> b.gold(name, sql, options));
    return b.build();
  }

  static RunOptions golds(PipelineDefinition p) {
    RunOptions o = RunOptions.all();
    for (var t : p.tables()) {
      if (t instanceof GoldTable g) {
        o = o.only(g.ref());
      }
    }
    return o;
  }

  static TableName silver(Lakehouse lake, PipelineDefinition p, Environment env, boolean changeFeed) {
    new OssPlatform().prepareCatalogs(lake.spark(), env);
    TableName name = env.tableName(p, TableRef.parse("silver.orders"));
    DeltaTables.ensureSchema(lake.spark(), name);
    lake.spark().sql("CREATE TABLE " + name.quoted() + " (" + SILVER_COLUMNS + ") USING delta"
        + (changeFeed ? " TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')" : ""));
    return name;
  }

  static String row(long id, Random r) {
    String store = r.nextInt(8) == 0 ? "NULL" : "'" + (r.nextBoolean() ? "s" : "S") + r.nextInt(4) + "'";
    return "(" + id + ", " + store + ", 'c" + r.nextInt(6) + "', DATE '2026-0" + (1 + r.nextInt(3)) + "-0"
        + (1 + r.nextInt(3)) + "', " + r.nextInt(40) + ".5, " + r.nextInt(5) + ")";
  }

  static void append(SparkSession spark, TableName silver, long firstId, int n, Random r) {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(row(firstId + i, r));
    }
    spark.sql("INSERT INTO " + silver.quoted() + " VALUES " + String.join(", ", rows));
  }

  /** The gold table equals its query recomputed over the silver table now (one Spark job each). */
  static void assertEqualsFullRecompute(Lakehouse lake, PipelineDefinition p, Environment env, String gold,
      String sql, String step) {
    TableName silver = env.tableName(p, TableRef.parse("silver.orders"));
    List<String> expected = sorted(lake.spark().sql(sql.replace("{silver.orders}", silver.quoted())));
    assertThat(sorted(lake.table(p, env, "gold." + gold))).as(step + ": " + gold).isEqualTo(expected);
  }

  static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  static String note(RunResult result, String gold) {
    return result.table(TableRef.parse("gold." + gold)).map(TableResult::note).orElseThrow();
  }

  @Test
  void randomChangesGiveTheFullRecomputeAfterEveryStep(Lakehouse lake) {
    PipelineDefinition p = pipeline(INCREMENTAL, g -> {});
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    TableName silver = silver(lake, p, env, true);
    Random r = new Random(13);
    append(spark, silver, 0, 60, r);
    long nextId = 60;
    RunResult first = lake.run(p, env, golds(p));
    assertThat(note(first, "by_store_day")).startsWith("full recompute: the table does not exist yet");
    for (String g : INCREMENTAL.keySet()) {
      assertEqualsFullRecompute(lake, p, env, g, INCREMENTAL.get(g), "initial");
    }
    List<Integer> kinds = new ArrayList<>(List.of(0, 1, 2));
    java.util.Collections.shuffle(kinds, r);
    for (int step = 0; step < kinds.size(); step++) {
      String what;
      switch (kinds.get(step)) {
        case 0 -> {
          append(spark, silver, nextId, 3 + r.nextInt(5), r);
          nextId += 10;
          what = "append";
        }
        case 1 -> {
          spark.sql("MERGE INTO " + silver.quoted() + " t USING (SELECT " + r.nextInt((int) nextId)
              + " AS id, 99.5 AS amount, 'S9' AS store) s ON t.id = s.id"
              + " WHEN MATCHED THEN UPDATE SET t.amount = s.amount, t.store = s.store");
          spark.sql("UPDATE " + silver.quoted() + " SET amount = amount + 20 WHERE id % 7 = " + r.nextInt(7));
          what = "upsert";
        }
        default -> {
          spark.sql("DELETE FROM " + silver.quoted() + " WHERE id % 5 = " + r.nextInt(5));
          what = "delete";
        }
      }
      RunResult result = lake.run(p, env, golds(p));
      for (String g : INCREMENTAL.keySet()) {
        assertThat(note(result, g)).as(what + " " + g).startsWith("incremental: ");
        assertEqualsFullRecompute(lake, p, env, g, INCREMENTAL.get(g), "step " + step + " (" + what + ")");
      }
      if (what.equals("append")) {
        assertThat(note(result, "by_store_day")).contains("appended rows");
      } else {
        assertThat(note(result, "by_store_day")).contains("change data feed");
      }
    }

    // The tables refreshed concurrently in one session: each commit records its own table only,
    // and the session's shared userMetadata setting is never used.
    assertThat(spark.conf().getOption("spark.databricks.delta.commitInfo.userMetadata").isDefined()).isFalse();
    for (String g : INCREMENTAL.keySet()) {
      TableName gold = env.tableName(p, TableRef.parse("gold." + g));
      List<String> recorded = spark.sql("DESCRIBE HISTORY " + gold.quoted()).where("userMetadata IS NOT NULL")
          .select("userMetadata").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
      assertThat(recorded).as(g).isNotEmpty()
          .allMatch(m -> m.startsWith("medallion-refresh/1 table=" + java.net.URLEncoder.encode(gold.toString(),
              java.nio.charset.StandardCharsets.UTF_8) + ";"));
    }

    // No change: every table is skipped, nothing is written.
    TableName byDay = env.tableName(p, TableRef.parse("gold.by_store_day"));
    long version = DeltaTables.version(spark, byDay).getAsLong();
    RunResult again = lake.run(p, env, golds(p));
    for (String g : INCREMENTAL.keySet()) {
      assertThat(note(again, g)).startsWith("skipped: its inputs did not change since the last refresh")
          .contains("silver.orders at version");
      assertThat(again.table(TableRef.parse("gold." + g)).orElseThrow().rowsWritten()).isZero();
    }
    assertThat(DeltaTables.version(spark, byDay).getAsLong()).isEqualTo(version);

    // The query changed: a full recompute says so.
    Map<String, String> changed = new java.util.HashMap<>(INCREMENTAL);
    changed.put("by_store_day", INCREMENTAL.get("by_store_day").replace("AVG(amount) AS mean", "AVG(qty) AS mean"));
    PipelineDefinition p2 = pipeline(changed, g -> {});
    RunResult third = lake.run(p2, env, golds(p2));
    assertThat(note(third, "by_store_day")).isEqualTo("full recompute: its query or rules changed since the last refresh");
    assertThat(note(third, "by_upper")).startsWith("skipped: ");
    assertEqualsFullRecompute(lake, p2, env, "by_store_day", changed.get("by_store_day"), "changed query");

    // The input was recreated (a full refresh of silver): full recompute.
    spark.sql("DROP TABLE " + silver.quoted());
    silver(lake, p, env, true);
    append(spark, silver, 0, 10, r);
    RunResult fourth = lake.run(p, env, golds(p));
    assertThat(note(fourth, "by_upper")).startsWith("full recompute: ").contains("was dropped and created again");
    for (String g : INCREMENTAL.keySet()) {
      assertEqualsFullRecompute(lake, p, env, g, INCREMENTAL.get(g), "recreated input");
    }

    // The event log says which way each table went and why.
    TableName log = TableName.parse(env.eventLogTable(p).orElseThrow().toString());
    List<String> events = spark.table(log.quoted()).where("event_type = 'gold_refresh'")
        .select("message").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(events).anyMatch(m -> m.startsWith("Gold table gold.by_store_day incremental: "))
        .anyMatch(m -> m.startsWith("Gold table gold.by_upper skipped: "))
        .anyMatch(m -> m.contains("full recompute: its query or rules changed"));
  }

  @Test
  void unsupportedShapesFallBackWithTheirReason(Lakehouse lake) {
    Map<String, String> golds = new java.util.HashMap<>(FALLBACK);
    golds.put("plain", "SELECT store, COUNT(*) AS n FROM {silver.orders} GROUP BY store");
    golds.put("forced", "SELECT store, COUNT(*) AS n FROM {silver.orders} GROUP BY store");
    PipelineDefinition p = PipelineBuilder.pipeline("fb").schema("s")
        .bronze("orders", NO_FILES)
        .silver("orders", s -> s.from("bronze.orders").keys("id"))
        .gold("joined", FALLBACK.get("joined")).gold("windowed", FALLBACK.get("windowed"))
        .gold("random", FALLBACK.get("random")).gold("global", FALLBACK.get("global"))
        .gold("plain", golds.get("plain"))
        .gold("forced", golds.get("forced"), g -> g.refresh(GoldTable.Refresh.FULL))
        .build();
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    TableName silver = silver(lake, p, env, false); // no change data feed
    Random r = new Random(7);
    append(spark, silver, 0, 30, r);
    lake.run(p, env, golds(p));
    append(spark, silver, 100, 5, r);
    RunResult second = lake.run(p, env, golds(p));
    REASONS.forEach((g, reason) -> assertThat(note(second, g)).as(g).startsWith(reason));
    assertThat(note(second, "plain")).startsWith("incremental: ");
    assertThat(note(second, "forced")).isEqualTo("full recompute: refresh = full");
    assertThat(second.table(TableRef.parse("gold.plain")).orElseThrow().summary())
        .contains("(incremental: ").contains("appended rows");

    // An update without a change data feed cannot say which groups it touched; a random query is
    // recomputed even when the rest is skipped.
    spark.sql("UPDATE " + silver.quoted() + " SET amount = 1.5 WHERE id = 3");
    RunResult third = lake.run(p, env, golds(p));
    assertThat(note(third, "plain")).startsWith("full recompute: ")
        .contains("updated or deleted rows in versions")
        .contains("set change-data-feed = true on it");
    for (String g : golds.keySet()) {
      if (!g.equals("random")) { // rand() varies per run
        assertEqualsFullRecompute(lake, p, env, g, golds.get(g), "fallback");
      }
    }
    RunResult fourth = lake.run(p, env, golds(p));
    assertThat(note(fourth, "random")).contains("non-deterministic function rand()")
        .contains("unchanged inputs do not mean an unchanged result");
    assertThat(note(fourth, "joined")).startsWith("skipped: ");
  }

  @Test
  void aFailedRefreshCommitsNothingAndTheNextRunIsCorrect(Lakehouse lake) {
    String sql = "SELECT store, COUNT(*) AS n, SUM(amount) AS total FROM {silver.orders} GROUP BY store";
    PipelineDefinition p = PipelineBuilder.pipeline("crash").schema("s")
        .bronze("orders", NO_FILES)
        .silver("orders", s -> s.from("bronze.orders").keys("id"))
        .gold("totals", sql, g -> g.expectOrFail("sane_total", "total < 100000"))
        .build();
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    TableName silver = silver(lake, p, env, true);
    Random r = new Random(3);
    append(spark, silver, 0, 20, r);
    lake.run(p, env, golds(p));
    TableName gold = env.tableName(p, TableRef.parse("gold.totals"));
    long version = DeltaTables.version(spark, gold).getAsLong();

    // The refresh fails half-way (after planning, before its commit).
    spark.sql("INSERT INTO " + silver.quoted() + " VALUES (500, 's1', 'c1', DATE '2026-01-01', 1000000.5, 1),"
        + " (501, 's2', 'c1', DATE '2026-01-01', 2.5, 1)");
    assertThatThrownBy(() -> lake.run(p, env, golds(p))).isInstanceOf(MedallionException.class)
        .hasMessageContaining("sane_total");
    assertThat(DeltaTables.version(spark, gold).getAsLong()).isEqualTo(version);

    // The bad row goes; the next run refreshes from the versions the last commit recorded.
    spark.sql("DELETE FROM " + silver.quoted() + " WHERE id = 500");
    RunResult next = lake.run(p, env, golds(p));
    assertThat(note(next, "totals")).startsWith("incremental: ");
    assertEqualsFullRecompute(lake, p, env, "totals", sql, "after the failure");
  }
}
