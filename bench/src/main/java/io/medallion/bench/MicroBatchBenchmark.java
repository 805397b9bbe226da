package io.medallion.bench;

import io.medallion.config.Defaults;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.source.FileSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Issue 14, goal 5: medallion's fixed cost per micro-batch over a plain {@code foreachBatch} with a
 * Delta append. One JVM, one session ({@link Bench#session}), the same {@code --files} small JSON
 * files ({@code --rows-per-file} rows each) read {@code --files-per-batch} files per micro-batch
 * (available-now), variants interleaved for {@code --rounds} rounds after one warm-up round:
 * <ul>
 *   <li>{@code plain}: {@code spark.readStream.format("json").schema(ddl).option("maxFilesPerTrigger", n)}
 *       and {@code foreachBatch((df, id) -> df.write.format("delta").mode("append").save(path))};</li>
 *   <li>{@code medallion}: a one-table bronze pipeline over the same folder
 *       ({@code cloudFiles.maxFilesPerTrigger = n}), run with {@link PipelineRunner}: the event log,
 *       ingest columns, the exactly-once append and the table's line included.</li>
 * </ul>
 * Prints per variant the median wall time, the micro-batches and the rows, and the difference per
 * micro-batch; the goal is at most 0.3 s. Results also go to {@code <work>/results.md}.
 *
 * <p>{@code --files-per-batch 0} leaves the limit out on both sides, so each source runs at its
 * default: Spark's file source takes every file in one micro-batch, medallion's cloudFiles takes
 * 1,000 files per micro-batch (Auto Loader's default). That is goal 5's backfill comparison:
 * {@code --files 100000 --rows-per-file 1 --files-per-batch 0}.
 */
public final class MicroBatchBenchmark {
  static final String DDL = "id BIGINT, name STRING, amount DOUBLE, ts TIMESTAMP";

  private MicroBatchBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> o = Bench.options(argv, List.of("work", "files", "files-per-batch", "rows-per-file", "rounds", "job-log"));
    boolean jobLog = Boolean.parseBoolean(o.getOrDefault("job-log", "false"));
    Path work = Path.of(o.getOrDefault("work", "target/bench/microbatch")).toAbsolutePath();
    int files = Integer.parseInt(o.getOrDefault("files", "1000"));
    int perBatch = Integer.parseInt(o.getOrDefault("files-per-batch", "10"));
    int rowsPerFile = Integer.parseInt(o.getOrDefault("rows-per-file", "10"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
    Path input = work.resolve("input");
    generate(input, files, rowsPerFile);

    SparkSession spark = Bench.session("microbatch-bench", 2);
    JobCounter counter = new JobCounter();
    spark.sparkContext().addSparkListener(counter);
    Environment env = Defaults.reference().localEnvironment(work.resolve("medallion"));
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    Map<String, long[]> lastCounts = new LinkedHashMap<>();
    for (int round = 0; round <= rounds; round++) {
      for (String variant : List.of("plain", "medallion")) {
        String id = variant + "_" + round;
        Bench.Measured<long[]> m = Bench.measure(spark, counter, 1.0, 0, () -> variant.equals("plain")
            ? plain(spark, input, work.resolve(id), perBatch)
            : medallion(spark, env, input, id, perBatch));
        System.out.printf(Locale.ROOT, "%s round %d: %.2f s, %d micro-batches, %d rows, %d jobs, %d tasks%s%n",
            variant, round, m.seconds(), m.value()[0], m.value()[1], m.jobs().jobs(), m.jobs().tasks(),
            round == 0 ? " (warm-up)" : "");
        if (jobLog && round > 0) {
          m.jobLog(counter).forEach(System.out::println);
        }
        if (round > 0) {
          seconds.computeIfAbsent(variant, k -> new ArrayList<>()).add(m.seconds());
          lastCounts.put(variant, new long[] {m.value()[0], m.value()[1], m.jobs().jobs(), m.jobs().tasks()});
        }
        Bench.deleteTree(work.resolve(id));
      }
    }
    Bench.deleteTree(work.resolve("medallion"));
    double p = Bench.medianOf(seconds.get("plain"));
    double m = Bench.medianOf(seconds.get("medallion"));
    long batches = lastCounts.get("medallion")[0];
    StringBuilder r = new StringBuilder();
    r.append(String.format(Locale.ROOT, "micro-batch benchmark: %d JSON files of %d rows, %s files per micro-batch, %d rounds (+1 warm-up); %s%n%n",
        files, rowsPerFile, perBatch > 0 ? String.valueOf(perBatch) : "each source's default", rounds, Bench.machine(spark)));
    r.append("| variant | runs (s) | median (s) | micro-batches | rows | jobs | tasks |\n|---|---|---:|---:|---:|---:|---:|\n");
    for (String v : seconds.keySet()) {
      long[] c = lastCounts.get(v);
      r.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %d | %d | %d | %d |%n", v,
          seconds.get(v).stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).toList(), Bench.medianOf(seconds.get(v)),
          c[0], c[1], c[2], c[3]));
    }
    if (perBatch > 0) {
      r.append(String.format(Locale.ROOT, "%nfixed cost per micro-batch over plain foreachBatch: (%.2f - %.2f) / %d = %.3f s (goal <= 0.3 s); load %s%n",
          m, p, batches, (m - p) / batches, Files.readString(Path.of("/proc/loadavg")).trim()));
    } else {
      r.append(String.format(Locale.ROOT, "%nbackfill, each source at its default: medallion / plain = %.2f / %.2f = %.2fx (goal: at most 1.0x); load %s%n",
          m, p, m / p, Files.readString(Path.of("/proc/loadavg")).trim()));
    }
    Bench.writeReport(work.resolve("results.md"), r.toString());
  }

  /** Writes {@code files} JSON files once (kept between runs: the same input every time). */
  private static void generate(Path input, int files, int rowsPerFile) throws IOException {
    Path done = input.resolveSibling("input-" + files + "x" + rowsPerFile + ".done");
    if (Files.exists(done)) {
      return;
    }
    Bench.deleteTree(input);
    Files.createDirectories(input);
    long id = 0;
    for (int f = 0; f < files; f++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < rowsPerFile; i++, id++) {
        b.append(String.format(Locale.ROOT, "{\"id\":%d,\"name\":\"n%d\",\"amount\":%d.5,\"ts\":\"2026-12-02T10:%02d:00Z\"}%n",
            id, id % 97, id % 1000, id % 60));
      }
      Files.writeString(input.resolve(String.format(Locale.ROOT, "part-%05d.json", f)), b);
    }
    Files.createFile(done);
  }

  /** The plain job: Spark's file source, one Delta append per micro-batch. Returns {batches, rows}. */
  private static long[] plain(SparkSession spark, Path input, Path dir, int perBatch) {
    String table = dir.resolve("table").toString();
    try {
      var reader = spark.readStream().format("json").schema(DDL);
      if (perBatch > 0) {
        reader = reader.option("maxFilesPerTrigger", perBatch);
      }
      StreamingQuery q = reader.load(input.toString())
          .writeStream()
          .option("checkpointLocation", dir.resolve("checkpoint").toString())
          .trigger(Trigger.AvailableNow())
          .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (df, id) -> df.write().format("delta").mode("append").save(table))
          .start();
      q.awaitTermination();
      return new long[] {appends(spark, "delta.`" + table + "`"), spark.read().format("delta").load(table).count()};
    } catch (TimeoutException | StreamingQueryException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same through medallion: a bronze table over the folder. Returns {batches, rows}. */
  private static long[] medallion(SparkSession spark, Environment env, Path input, String id, int perBatch) {
    String name = "mb_" + id;
    FileSource source = new FileSource(input.toString(), "json", Optional.of(DDL),
        perBatch > 0 ? Map.of("cloudFiles.maxFilesPerTrigger", String.valueOf(perBatch)) : Map.of());
    PipelineDefinition pipeline = PipelineBuilder.pipeline(name).schema(name).bronze("events", source, b -> {}).build();
    RunResult result = new PipelineRunner(spark, pipeline, env).run(RunOptions.all());
    var t = result.tables().get(0);
    long rows = spark.table(t.name().toString()).count();
    long batches = appends(spark, t.name().quoted());
    try {
      Bench.deleteTree(Path.of(env.warehouseOf(t.name().catalog())).resolve(name));
      Bench.deleteTree(Path.of(env.checkpointRoot()).resolve(name));
    } catch (UncheckedIOException e) {
      // best effort
    }
    return new long[] {batches, rows};
  }

  /** The micro-batches that wrote: the table's commits other than its creation. */
  private static long appends(SparkSession spark, String table) {
    return spark.sql("DESCRIBE HISTORY " + table).where("operation NOT LIKE 'CREATE%'").count();
  }
}
