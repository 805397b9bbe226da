package io.medallion.bench;

import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.TableResult;
import io.medallion.source.FileSource;
import io.medallion.platform.internal.OssPlatform;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Incremental gold against a full recompute, in the same run: a GROUP BY aggregate over a silver
 * table of {@code --rows} rows (default 10,000,000); one run appends 0.1% new rows (recent days);
 * the same query is refreshed incrementally ({@code refresh = auto}) and recomputed in full
 * ({@code refresh = full}) in the same JVM, one after the other (so neither competes with the
 * other for the cores), and the two results are compared row by row. {@code --rounds N} (default 3)
 * repeats the append and both refreshes; the first round is the first incremental refresh of the
 * JVM (cold code), later ones are warm, as the full recompute already is after the initial run.
 */
public final class GoldBenchmark {
  public static void main(String[] args) throws Exception {
    long rows = 10_000_000;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--rows")) {
        rows = Long.parseLong(args[++i]);
      } else if (args[i].equals("--rounds")) {
        rounds = Integer.parseInt(args[++i]);
      }
    }
    long appended = rows / 1000;
    SparkSession spark = Bench.session("gold benchmark", 4);
    // Delta rebuilds table state in 50 tasks by default: seconds of fixed cost per refresh on 2
    // cores, for either way of refreshing. Both refreshes below run with this setting.
    spark.conf().set("spark.databricks.delta.snapshotPartitions", "2");
    Path home = Files.createTempDirectory(Path.of("target"), "bench-gold-");
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer l : Layer.values()) {
      catalogs.put(l, "bench_" + l.key());
    }
    Environment env = new Environment("bench", Environment.PlatformChoice.OSS, catalogs,
        home.resolve("warehouse").toAbsolutePath().toString(), home.resolve("checkpoints").toAbsolutePath().toString(),
        home.resolve("landing").toAbsolutePath().toString(), Optional.empty(), Map.of());
    String sql = "SELECT day, store, COUNT(*) AS orders, SUM(amount) AS revenue, MIN(amount) AS smallest,"
        + " MAX(amount) AS largest, AVG(amount) AS mean FROM {silver.sales} GROUP BY day, store";
    PipelineDefinition p = PipelineBuilder.pipeline("bench").schema("b")
        .bronze("sales", FileSource.of("/nonexistent", "json").withSchema("id BIGINT, day DATE, store STRING, amount DOUBLE")
            .withOption("allowMissingPath", "true"))
        .silver("sales", s -> s.from("bronze.sales").keys("id"))
        .gold("incremental", sql)
        .gold("full", sql, g -> g.refresh(GoldTable.Refresh.FULL))
        .build();
    new OssPlatform().prepareCatalogs(spark, env);
    TableName silver = env.tableName(p, TableRef.parse("silver.sales"));
    DeltaTables.ensureSchema(spark, silver);
    long t0 = System.nanoTime();
    // 1,000 days of 10,000 rows, written in day order (as a daily-loaded table is), 50 stores;
    // amounts are quarters, exact in binary, so sums do not depend on the order they are added in
    // range() partitions are contiguous id ranges, so each file holds consecutive days (no shuffle)
    spark.range(0, rows, 1, 20).selectExpr("id", "date_add(DATE '2020-01-01', CAST(id DIV 10000 AS INT)) AS day",
            "CONCAT('s', CAST(id % 50 AS STRING)) AS store", "CAST(id % 997 AS DOUBLE) / 4 AS amount")
        .write().format("delta").saveAsTable(silver.quoted());
    System.out.printf(Locale.ROOT, "silver: %,d rows written in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
    RunOptions incremental = RunOptions.all().only(TableRef.parse("gold.incremental"));
    RunOptions recompute = RunOptions.all().only(TableRef.parse("gold.full"));
    PipelineRunner runner = new PipelineRunner(spark, p, env, new OssPlatform());
    for (RunOptions o : java.util.List.of(incremental, recompute)) {
      runner.run(o).tables().forEach(r -> System.out.println("initial: " + r.summary()));
    }

    java.util.List<Double> ratios = new java.util.ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      long first = rows + (round - 1) * appended;
      spark.range(first, first + appended).selectExpr("id",
              "date_add(DATE '2020-01-01', CAST(" + (rows / 10000) + " + id % 2 AS INT)) AS day",
              "CONCAT('s', CAST(id % 50 AS STRING)) AS store", "CAST(id % 997 AS DOUBLE) / 4 AS amount")
          .coalesce(1).write().format("delta").mode("append").saveAsTable(silver.quoted());
      JobCounter counter = new JobCounter();
      spark.sparkContext().addSparkListener(counter);
      TableResult inc = runner.run(incremental).table(TableRef.parse("gold.incremental")).orElseThrow();
      counter.waitForListeners(spark);
      spark.sparkContext().removeSparkListener(counter);
      long incJobs = counter.snapshot().jobs();
      System.out.println("round " + round + ": jobs of the incremental run:");
      counter.jobs(0, incJobs).forEach(System.out::println);
      TableResult full = runner.run(recompute).table(TableRef.parse("gold.full")).orElseThrow();
      System.out.println("round " + round + ": after appending " + appended + " rows:");
      System.out.println("  " + inc.summary());
      System.out.println("  " + full.summary());
      var a = spark.table(env.tableName(p, TableRef.parse("gold.incremental")).quoted());
      var b = spark.table(env.tableName(p, TableRef.parse("gold.full")).quoted());
      long diff = a.exceptAll(b).count() + b.exceptAll(a).count();
      double ratio = (double) full.duration().toMillis() / Math.max(1, inc.duration().toMillis());
      ratios.add(ratio);
      System.out.printf(Locale.ROOT, "RESULT round=%d rows=%d appended=%d incremental_s=%.2f full_s=%.2f speedup=%.1fx"
              + " gold_rows=%d differing_rows=%d%n", round, rows, appended, inc.duration().toMillis() / 1000.0,
          full.duration().toMillis() / 1000.0, ratio, a.count(), diff);
    }
    java.util.Collections.sort(ratios);
    System.out.printf(Locale.ROOT, "RESULT median speedup over %d rounds: %.1fx%n", rounds, ratios.get(ratios.size() / 2));
  }
}
