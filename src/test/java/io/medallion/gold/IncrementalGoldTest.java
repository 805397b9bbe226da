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

  /**
   * Query shapes refreshed incrementally: COUNT, SUM, MIN, MAX, AVG, COUNT(DISTINCT), SUM(DISTINCT);
   * one and two group keys, group expressions, WHERE and HAVING filters, derived columns.
   */
  static final Map<String, String> INCREMENTAL = Map.of(
      "by_store_day",
      "SELECT store, day, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS lo, MAX(amount) AS hi,"
          + " AVG(amount) AS mean FROM {silver.orders} GROUP BY store, day ORDER BY store, day",
      "by_upper",
      "SELECT s, month, n * 2 AS doubled, customers, qty FROM (SELECT upper(store) AS s,"
          + " trunc(day, 'MM') AS month, COUNT(*) AS n, COUNT(DISTINCT customer) AS customers, SUM(qty) AS qty"
          + " FROM {silver.orders} WHERE amount > 10 GROUP BY upper(store), trunc(day, 'MM') HAVING COUNT(*) > 2)",
      "by_customer_store",
      "SELECT customer, store, COUNT(amount) AS n, COUNT(DISTINCT day) AS days, MIN(day) AS first_day,"
          + " MAX(qty) AS most, SUM(DISTINCT qty) AS kinds, AVG(qty) AS mean_qty FROM {silver.orders}"
          + " WHERE qty > 0 AND store IS NOT NULL GROUP BY customer, store",
      "by_qty",
      "SELECT qty, COUNT(*) AS n, SUM(amount) AS total, MAX(customer) AS last_customer, MIN(store) AS first_store"
          + " FROM {silver.orders} WHERE day >= DATE '2026-02-01' GROUP BY qty");

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
    return silver(lake.spark(), p, env, changeFeed);
  }

  /** Creates the silver input (the tests write it directly), with its change data feed or not. */
  static TableName silver(SparkSession spark, PipelineDefinition p, Environment env, boolean changeFeed) {
    return silver(spark, p, env, "silver.orders", changeFeed);
  }

  /** Creates the silver table {@code ref} (the tests write it directly), with its change data feed or not. */
  static TableName silver(SparkSession spark, PipelineDefinition p, Environment env, String ref, boolean changeFeed) {
    new OssPlatform().prepareCatalogs(spark, env);
    TableName name = env.tableName(p, TableRef.parse(ref));
    DeltaTables.ensureSchema(spark, name);
    spark.sql("CREATE TABLE " + name.quoted() + " (" + SILVER_COLUMNS + ") USING delta"
        + (changeFeed ? " TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')" : ""));
    return name;
  }

  static String row(long id, Random r) {
    return "(" + fields(id, r) + ")";
  }

  /** A random silver row's values: id, store (sometimes NULL), customer, day, amount, qty. */
  static String fields(long id, Random r) {
    String store = r.nextInt(8) == 0 ? "NULL" : "'" + (r.nextBoolean() ? "s" : "S") + r.nextInt(4) + "'";
    return id + ", " + store + ", 'c" + r.nextInt(6) + "', DATE '2026-0" + (1 + r.nextInt(3)) + "-0"
        + (1 + r.nextInt(3)) + "', " + r.nextInt(40) + ".5, " + r.nextInt(5);
  }

  /**
   * Creates the silver input with its change data feed, appends {@code rows} random rows (ids 0 to
   * rows - 1) and runs the gold tables once.
   *
   * @return the silver input and the first run's result
   */
  static Map.Entry<TableName, RunResult> firstRun(Lakehouse lake, PipelineDefinition p, Environment env, Random r,
      int rows) {
    TableName silver = silver(lake, p, env, true);
    append(lake.spark(), silver, 0, rows, r);
    return Map.entry(silver, lake.run(p, env, golds(p)));
  }

  static void append(SparkSession spark, TableName silver, long firstId, int n, Random r) {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(row(firstId + i, r));
    }
    spark.sql("INSERT INTO " + silver.quoted() + " VALUES " + String.join(", ", rows));
  }

  /** The gold table equals its query recomputed over the silver table now. */
  static void assertEqualsFullRecompute(Lakehouse lake, PipelineDefinition p, Environment env, String gold,
      String sql, String step) {
    assertEqualsFullRecompute(lake.spark(), p, env, gold, sql, step);
  }

  /** The gold table equals its query recomputed over the silver table now. */
  static void assertEqualsFullRecompute(SparkSession spark, PipelineDefinition p, Environment env, String gold,
      String sql, String step) {
    assertEqualFullRecomputes(spark, p, env, Map.of(gold, sql), step);
  }

  /**
   * Each gold table ({@code name -> query}) equals its query recomputed over its input now. All
   * tables' rows and all recomputes' rows are read in one Spark job (a union, each row as JSON with
   * its column names and NULLs, tagged with its table and side), then compared per table as sorted
   * lists.
   *
   * <p>Every table involved (the gold tables and the inputs the queries read) is read once, at its
   * latest version, through {@link DeltaTables#readLatest} (the checksum's file list, Delta's file
   * format; {@code ReadLatestTest} checks it against Delta's own read, deletion vectors included):
   * a plain {@code spark.table} of each of them would rebuild its Delta state first, which was
   * three quarters of this comparison's Spark jobs (about 115 of 156 for 20 gold tables).
   */
  static void assertEqualFullRecomputes(SparkSession spark, PipelineDefinition p, Environment env,
      Map<String, String> golds, String step) {
    if (golds.isEmpty()) {
      return;
    }
    Map<String, String> views = new java.util.HashMap<>();
    Dataset<Row> all = null;
    for (String g : golds.keySet()) {
      TableName table = env.tableName(p, TableRef.parse("gold." + g));
      Dataset<Row> both = tagged(DeltaTables.readLatest(spark, table), g, "table")
          .union(tagged(spark.sql(latestViews(spark, p, env, golds.get(g), views)), g, "recompute"));
      all = all == null ? both : all.union(both);
    }
    Map<String, List<String>> rows = new java.util.HashMap<>();
    for (Row r : all.collectAsList()) {
      rows.computeIfAbsent(r.getString(0) + "/" + r.getString(1), k -> new ArrayList<>()).add(r.getString(2));
    }
    for (String g : new java.util.TreeSet<>(golds.keySet())) {
      assertThat(sorted(rows.get(g + "/table"))).as(step + ": " + g).isEqualTo(sorted(rows.get(g + "/recompute")));
    }
  }

  /**
   * The query with each {@code {layer.table}} replaced by a temporary view of the table's latest
   * version ({@link DeltaTables#readLatest}), one view per table and comparison ({@code views}).
   */
  static String latestViews(SparkSession spark, PipelineDefinition p, Environment env, String sql,
      Map<String, String> views) {
    return java.util.regex.Pattern.compile("\\{([a-z]+\\.[a-z0-9_]+)}").matcher(sql)
        .replaceAll(m -> views.computeIfAbsent(m.group(1), ref -> {
          String view = "latest_" + ref.replace('.', '_');
          DeltaTables.readLatest(spark, env.tableName(p, TableRef.parse(ref))).createOrReplaceTempView(view);
          return view;
        }));
  }

  /** Each row as JSON (column names, NULLs kept), after the table it belongs to and which side it is. */
  static Dataset<Row> tagged(Dataset<Row> rows, String table, String side) {
    return rows.select(org.apache.spark.sql.functions.lit(table), org.apache.spark.sql.functions.lit(side),
        org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.struct(
            org.apache.spark.sql.functions.col("*")), Map.of("ignoreNullFields", "false")));
  }

  static List<String> sorted(List<String> rows) {
    return rows == null ? List.of() : rows.stream().sorted().toList();
  }

  static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  static String note(RunResult result, String gold) {
    return result.table(TableRef.parse("gold." + gold)).map(TableResult::note).orElseThrow();
  }

  /** Seeds of the random change sequences (deterministic; each assertion names its seed). */
  static final long[] SEEDS = {13, 21, 34, 55, 89};

  /**
   * The random-changes pipeline: per seed a silver table {@code silver.orders_<seed>} and the
   * {@link #INCREMENTAL} queries over it as {@code gold.<query>_<seed>}, so one run refreshes every
   * seed's tables (concurrently, in one session).
   */
  static PipelineDefinition seedsPipeline() {
    PipelineBuilder b = PipelineBuilder.pipeline("inc").schema("s").bronze("orders", NO_FILES);
    for (long seed : SEEDS) {
      b.silver("orders_" + seed, s -> s.from("bronze.orders").keys("id"));
      seedGolds(seed).forEach((name, sql) -> b.gold(name, sql, g -> {}));
    }
    return b.build();
  }

  /** A seed's gold tables and their queries, over its own silver table. */
  static Map<String, String> seedGolds(long seed) {
    Map<String, String> golds = new java.util.TreeMap<>();
    INCREMENTAL.forEach((name, sql) -> golds.put(name + "_" + seed,
        sql.replace("{silver.orders}", "{silver.orders_" + seed + "}")));
    return golds;
  }

  /**
   * For each seed, random steps of changes to its silver input, each of one to three commits:
   * appends, upserts (a MERGE that updates rows and inserts new ones, as a silver upsert does) and
   * CDC batches (a MERGE that deletes some keys and updates others, as the CDC sink applies them).
   * After every step each gold table is refreshed incrementally and equals its query computed with
   * plain {@code spark.sql} over its silver table. Each seed has its own silver table, gold tables
   * and random sequence; all seeds' tables refresh in the same runs.
   */
  @Test
  void randomChangesGiveTheFullRecomputeAfterEveryStep(Lakehouse lake) {
    PipelineDefinition p = seedsPipeline();
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    Map<Long, Random> random = new java.util.LinkedHashMap<>();
    Map<Long, TableName> silvers = new java.util.LinkedHashMap<>();
    Map<Long, java.util.TreeSet<Long>> live = new java.util.LinkedHashMap<>();
    Map<Long, long[]> nextId = new java.util.LinkedHashMap<>();
    Map<String, String> golds = new java.util.TreeMap<>();
    for (long seed : SEEDS) {
      Random r = new Random(seed);
      TableName silver = silver(spark, p, env, "silver.orders_" + seed, true);
      append(spark, silver, 0, 60, r);
      random.put(seed, r);
      silvers.put(seed, silver);
      java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
      for (long id = 0; id < 60; id++) {
        ids.add(id);
      }
      live.put(seed, ids);
      nextId.put(seed, new long[] {60});
      golds.putAll(seedGolds(seed));
    }
    RunResult first = lake.run(p, env, golds(p));
    for (long seed : SEEDS) {
      assertThat(note(first, "by_store_day_" + seed)).as("seed " + seed)
          .startsWith("full recompute: the table does not exist yet");
    }
    assertEqualFullRecomputes(spark, p, env, golds, "initial (gold tables end in their seed)");
    for (int step = 0; step < 2; step++) {
      Map<Long, List<String>> what = new java.util.LinkedHashMap<>();
      for (long seed : SEEDS) {
        Random r = random.get(seed);
        List<String> commits = new ArrayList<>();
        for (int commit = 1 + r.nextInt(3); commit > 0; commit--) {
          commits.add(change(spark, silvers.get(seed), r, live.get(seed), nextId.get(seed)));
        }
        what.put(seed, commits);
      }
      RunResult result = lake.run(p, env, golds(p));
      for (long seed : SEEDS) {
        String at = "seed " + seed + ", step " + step + " " + what.get(seed);
        for (String g : seedGolds(seed).keySet()) {
          assertThat(note(result, g)).as(at + " " + g).startsWith("incremental: ");
        }
        assertThat(note(result, "by_store_day_" + seed)).as(at)
            .contains(what.get(seed).stream().allMatch("append"::equals) ? "appended rows" : "change data feed");
      }
      assertEqualFullRecomputes(spark, p, env, golds, "step " + step + " (seed: commits) " + what);
    }
  }

  /**
   * One random commit to the silver table, tracking the ids it holds: an append, an upsert or a CDC
   * batch; the last two always change an existing row, so they remove rows from files.
   *
   * @return what the commit was
   */
  static String change(SparkSession spark, TableName silver, Random r, java.util.TreeSet<Long> live, long[] nextId) {
    int kind = live.size() < 4 ? 0 : r.nextInt(3);
    if (kind == 0) {
      int n = 2 + r.nextInt(5);
      append(spark, silver, nextId[0], n, r);
      for (int i = 0; i < n; i++) {
        live.add(nextId[0]++);
      }
      return "append";
    }
    List<Long> ids = new ArrayList<>(live);
    java.util.Collections.shuffle(ids, r);
    List<String> rows = new ArrayList<>();
    String columns = "t.store = s.store, t.customer = s.customer, t.day = s.day, t.amount = s.amount, t.qty = s.qty";
    String insert = " WHEN NOT MATCHED THEN INSERT (id, store, customer, day, amount, qty)"
        + " VALUES (s.id, s.store, s.customer, s.day, s.amount, s.qty)";
    if (kind == 1) { // upsert: one or two existing keys change, one new key arrives
      for (long id : ids.subList(0, 1 + r.nextInt(2))) {
        rows.add("(" + fields(id, r) + ", 'UPSERT')");
      }
      rows.add("(" + fields(nextId[0], r) + ", 'UPSERT')");
      live.add(nextId[0]++);
      spark.sql("MERGE INTO " + silver.quoted() + " t USING (" + source(rows) + ") s ON t.id = s.id"
          + " WHEN MATCHED THEN UPDATE SET " + columns + insert);
      return "upsert";
    }
    // CDC batch: one or two keys deleted, one updated
    int deletes = 1 + r.nextInt(2);
    for (int i = 0; i <= deletes; i++) {
      rows.add("(" + fields(ids.get(i), r) + ", '" + (i < deletes ? "DELETE" : "UPSERT") + "')");
    }
    ids.subList(0, deletes).forEach(live::remove);
    spark.sql("MERGE INTO " + silver.quoted() + " t USING (" + source(rows) + ") s ON t.id = s.id"
        + " WHEN MATCHED AND s.op = 'DELETE' THEN DELETE WHEN MATCHED THEN UPDATE SET " + columns
        + " WHEN NOT MATCHED AND s.op <> 'DELETE' THEN INSERT (id, store, customer, day, amount, qty)"
        + " VALUES (s.id, s.store, s.customer, s.day, s.amount, s.qty)");
    return "cdc";
  }

  /** Change events as a query with the silver columns and {@code op}. */
  static String source(List<String> rows) {
    return "SELECT CAST(col1 AS BIGINT) AS id, CAST(col2 AS STRING) AS store, CAST(col3 AS STRING) AS customer,"
        + " CAST(col4 AS DATE) AS day, CAST(col5 AS DOUBLE) AS amount, CAST(col6 AS INT) AS qty, col7 AS op"
        + " FROM VALUES " + String.join(", ", rows);
  }

  /**
   * Around the incremental refreshes: each commit records its own table; an unchanged input skips;
   * a changed query and a recreated input recompute in full; the event log says which way each went.
   */
  @Test
  void unchangedInputsSkipAndChangedQueriesOrInputsRecomputeInFull(Lakehouse lake) {
    PipelineDefinition p = pipeline(INCREMENTAL, g -> {});
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    Random r = new Random(13);
    TableName silver = firstRun(lake, p, env, r, 60).getKey();
    spark.sql("UPDATE " + silver.quoted() + " SET amount = amount + 20 WHERE id % 7 = " + r.nextInt(7));
    RunResult updated = lake.run(p, env, golds(p));
    for (String g : INCREMENTAL.keySet()) {
      assertThat(note(updated, g)).as(g).startsWith("incremental: ");
    }
    assertEqualFullRecomputes(spark, p, env, INCREMENTAL, "update");

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
    assertEqualFullRecomputes(spark, p, env, INCREMENTAL, "recreated input");

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
    Map<String, String> deterministic = new java.util.HashMap<>(golds);
    deterministic.remove("random"); // rand() varies per run
    assertEqualFullRecomputes(spark, p, env, deterministic, "fallback");
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
    TableName silver = firstRun(lake, p, env, new Random(3), 20).getKey();
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
