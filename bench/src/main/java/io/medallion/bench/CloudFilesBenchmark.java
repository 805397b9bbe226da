package io.medallion.bench;

import io.medallion.connector.files.internal.DiscoveryLog;
import io.medallion.connector.files.internal.FileEntry;
import io.medallion.connector.files.internal.SeenFiles;
import io.medallion.testkit.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * medallion's {@code cloudFiles} source next to Spark's own file stream source
 * ({@code spark.readStream.format("json").schema(s).load(dir)}), same files, one JVM, local[2],
 * Delta sink, variants interleaved. Phases ({@code --phases}, in this order):
 *
 * <ul>
 *   <li>{@code memory}: 1,000,000 synthetic {@link FileEntry} values through {@link DiscoveryLog}
 *       (appends of 10,000) and {@link SeenFiles}; heap after GC, RSS, checkpoint and index size;
 *       a {@code HashMap<String, Long>} of the same paths (what Spark's seen-files map holds).
 *   <li>{@code rows}: 2,000,000 JSON rows (20 files) into Delta: {@code spark.read.json(..).write}
 *       by hand vs cloudFiles (declared schema, AvailableNow), interleaved rounds.
 *   <li>{@code backfill}: {@code --files} 1-record JSON files (hard links of a generated set):
 *       AvailableNow initial run of each variant into a fresh checkpoint; the last round's
 *       checkpoints stay for {@code incremental}.
 *   <li>{@code incremental}: rounds of "10 new files, then restart each variant with AvailableNow";
 *       time from {@code load()} to the first trigger's start, latestOffset, getBatch, wall.
 *   <li>{@code s3}: the same on {@code s3a://} (s3proxy) with {@code --s3-files} files: LIST
 *       requests per run, ours from the source metric, all from S3A's statistics.
 * </ul>
 *
 * <p>Each measurement is printed and appended to {@code <work>/results.log} as soon as it exists.
 */
public final class CloudFilesBenchmark {
  static final String TINY_DDL = "id BIGINT, name STRING, v DOUBLE";
  static final String ROWS_DDL = KafkaBenchmark.DDL + ", note STRING";

  private final Args args;
  private SparkSession spark;
  private final List<String> report = new ArrayList<>();

  private CloudFilesBenchmark(Args args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    CloudFilesBenchmark b = new CloudFilesBenchmark(args);
    try {
      b.run();
    } finally {
      if (b.spark != null) {
        b.spark.stop();
      }
    }
  }

  private void run() throws Exception {
    Files.createDirectories(args.work);
    log("# cloudFiles benchmark " + Instant.now() + ": phases " + args.phases + ", files " + args.files
        + ", rounds " + args.rounds + ", JVM max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB");
    if (args.phases.contains("memory")) {
      memory();
    }
    spark = Bench.session("medallion-bench-cloudfiles", 2);
    spark.conf().set("spark.sql.streaming.numRecentProgressUpdates", "1000");
    log("# " + Bench.machine(spark));
    if (args.phases.contains("rows")) {
      rows();
    }
    if (args.phases.contains("backfill")) {
      backfill();
    }
    if (args.phases.contains("incremental")) {
      incremental();
    }
    if (args.phases.contains("s3")) {
      s3();
    }
    Bench.writeReport(args.work.resolve("results.md"), String.join("\n", report) + "\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Goal 5: memory after discovering 1,000,000 files

  private void memory() throws IOException {
    int n = args.memoryFiles;
    Path dir = args.work.resolve("memory");
    Bench.deleteTree(dir);
    Configuration conf = new Configuration();
    String prefix = "file:" + dir.resolve("landing") + "/2026/11/21/part-";
    long base = heapAfterGc();
    long rss0 = rssKb();
    long t0 = System.nanoTime();
    DiscoveryLog log = DiscoveryLog.open(new org.apache.hadoop.fs.Path("file:" + dir.resolve("ck/sources/0/files")), conf);
    SeenFiles seen = SeenFiles.open("bench:" + dir + "@" + log.logId());
    seen.catchUp(log);
    List<FileEntry> chunk = new ArrayList<>(10_000);
    for (int i = 0; i < n; i++) {
      chunk.add(new FileEntry(prefix + String.format(Locale.ROOT, "%010d", i) + ".json", 240 + i % 100,
          1_763_700_000_000L + i));
      if (chunk.size() == 10_000) {
        long last = log.append(chunk, Optional.of(chunk.get(chunk.size() - 1).path()));
        seen.added(chunk, last);
        chunk = new ArrayList<>(10_000);
      }
    }
    double appendSeconds = (System.nanoTime() - t0) / 1e9;
    long heap = heapAfterGc() - base;
    long rss = rssKb() - rss0;
    long t1 = System.nanoTime();
    int hits = 0;
    for (int i = 0; i < 10_000; i++) {
      int k = (int) ((i * 7_919L) % n);
      if (seen.get(prefix + String.format(Locale.ROOT, "%010d", k) + ".json").isPresent()) {
        hits++;
      }
    }
    double lookupMicros = (System.nanoTime() - t1) / 1e3 / 10_000;
    long t2 = System.nanoTime();
    DiscoveryLog reopened = DiscoveryLog.open(new org.apache.hadoop.fs.Path("file:" + dir.resolve("ck/sources/0/files")), conf);
    double reopenMs = (System.nanoTime() - t2) / 1e6;
    long t3 = System.nanoTime();
    List<FileEntry> lastBatch = reopened.entries(n - 1001, n - 1);
    double readMs = (System.nanoTime() - t3) / 1e6;
    seen.close();
    long checkpointBytes = treeBytes(dir.resolve("ck"));
    long indexBytes = treeBytes(Path.of(System.getProperty("java.io.tmpdir"), "medallion-cloudfiles"));
    log = null;
    reopened = null;
    chunk = null;
    long base2 = heapAfterGc();
    long t4 = System.nanoTime();
    Map<String, Long> map = new HashMap<>();
    for (int i = 0; i < n; i++) {
      map.put(prefix + String.format(Locale.ROOT, "%010d", i) + ".json", 1_763_700_000_000L + i);
    }
    double mapSeconds = (System.nanoTime() - t4) / 1e9;
    long mapHeap = heapAfterGc() - base2;
    String line = String.format(Locale.ROOT,
        "memory: %,d files (paths of %d chars): DiscoveryLog+SeenFiles heap after GC %+.1f MB, RSS %+.1f MB,"
            + " %.1f s to append (100 segments of 10,000); checkpoint %.1f MB on disk, RocksDB index cache %.1f MB;"
            + " SeenFiles.get %.1f us each (%d/10,000 hits); reopen log %.0f ms; read last 1,000 entries %.0f ms (%d) |"
            + " HashMap<String,Long> of the same paths: heap %+.1f MB, %.1f s (%d entries)",
        n, (prefix + "0000000000.json").length(), heap / 1e6, rss / 1e3, appendSeconds, checkpointBytes / 1e6,
        indexBytes / 1e6, lookupMicros, hits, reopenMs, readMs, lastBatch.size(), mapHeap / 1e6, mapSeconds,
        map.size());
    log(line);
    report.add("## memory (goal 5)\n\n" + line + "\n");
    map.clear();
    Bench.deleteTree(dir);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rssKb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return 0;
  }

  private static long treeBytes(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Goal 6: 2,000,000 rows into bronze

  private void rows() throws Exception {
    Path input = args.data.resolve("rows-20x100000");
    if (!Files.exists(input.resolve("_done"))) {
      Bench.deleteTree(input);
      Files.createDirectories(input);
      long t = System.nanoTime();
      String pad = "x".repeat(24);
      for (int f = 0; f < 20; f++) {
        StringBuilder b = new StringBuilder(100_000 * 250);
        for (int i = 0; i < 100_000; i++) {
          long k = f * 100_000L + i;
          String m = KafkaBenchmark.message(k);
          b.append(m, 0, m.length() - 1).append(",\"note\":\"").append(pad).append("\"}\n");
        }
        Files.writeString(input.resolve(String.format(Locale.ROOT, "part-%02d.json", f)), b);
      }
      Files.writeString(input.resolve("_done"), "20 x 100000\n");
      log(String.format(Locale.ROOT, "rows: generated 2,000,000 rows, %.1f MB, in %.1f s", treeBytes(input) / 1e6,
          (System.nanoTime() - t) / 1e9));
    }
    Map<String, List<Double>> times = new LinkedHashMap<>();
    for (int round = 0; round <= args.rounds; round++) {
      for (String v : List.of("batch", "cloudFiles")) {
        Path out = args.work.resolve("rows/" + v + "-" + round);
        Bench.deleteTree(out);
        System.gc();
        double waited = Machine.awaitQuiet(0.15, args.quietWait);
        Machine.Sample s0 = Machine.sample();
        long t0 = System.nanoTime();
        if (v.equals("batch")) {
          spark.read().schema(ROWS_DDL).json(input.toString()).write().format("delta").save(out.resolve("table").toString());
        } else {
          StreamingQuery q = spark.readStream().format("cloudFiles").schema(ROWS_DDL)
              .option("cloudFiles.format", "json").load(input.toString())
              .writeStream().format("delta").trigger(Trigger.AvailableNow())
              .option("checkpointLocation", out.resolve("ck").toString()).start(out.resolve("table").toString());
          q.awaitTermination();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Machine.Sample s1 = Machine.sample();
        long count = spark.read().format("delta").load(out.resolve("table").toString()).count();
        if (count != 2_000_000) {
          throw new IllegalStateException(v + " wrote " + count + " rows");
        }
        log(String.format(Locale.ROOT, "rows %s %-10s %6.2f s  cpu %5.1f s  others %3.0f%%%s  %,d rows",
            round == 0 ? "warm-up" : "round " + round, v, secs, s1.processCpuSeconds(s0), 100 * s1.foreignShare(s0),
            waited < 0 ? " (never quiet)" : "", count));
        if (round > 0) {
          times.computeIfAbsent(v, k -> new ArrayList<>()).add(secs);
        }
        Bench.deleteTree(out);
      }
    }
    double a = Bench.medianOf(times.get("batch"));
    double b = Bench.medianOf(times.get("cloudFiles"));
    String table = "## 2,000,000 JSON rows into Delta (goal 6)\n\n| variant | median s | runs | ratio to batch |\n|---|---|---|---|\n"
        + String.format(Locale.ROOT, "| batch read.json -> delta | %.2f | %s | 1.00 |%n", a, fmt(times.get("batch")))
        + String.format(Locale.ROOT, "| cloudFiles AvailableNow -> delta | %.2f | %s | %s |%n", b, fmt(times.get("cloudFiles")),
            Bench.ratio(b, a));
    log(table);
    report.add(table);
  }

  // ---------------------------------------------------------------------------------------------
  // Goals 1, 2, 4: local files

  /** A variant of a stream over the landing directory. */
  private record Variant(String name, boolean ours, Map<String, String> options) {}

  private List<Variant> backfillVariants() {
    List<Variant> all = List.of(
        new Variant("ours-inc-1k", true, Map.of("cloudFiles.useIncrementalListing", "true")),
        new Variant("ours-full-100k", true, Map.of("cloudFiles.maxFilesPerTrigger", "100000")),
        new Variant("ours-full-1k", true, Map.of()),
        new Variant("spark", false, Map.of()),
        new Variant("spark-1k", false, Map.of("maxFilesPerTrigger", "1000")));
    return all.stream().filter(v -> args.variants.contains(v.name)).toList();
  }

  private Path tinyData(int n) throws IOException {
    Path dir = args.data.resolve("tiny-" + n);
    if (Files.exists(dir.resolve("_done"))) {
      return dir;
    }
    Bench.deleteTree(dir);
    Path files = dir.resolve("files");
    Files.createDirectories(files);
    long t = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Files.writeString(files.resolve(tinyName(i)), tinyRecord(i));
    }
    Files.writeString(dir.resolve("_done"), n + "\n");
    log(String.format(Locale.ROOT, "generated %,d 1-record JSON files in %.1f s", n, (System.nanoTime() - t) / 1e9));
    return dir;
  }

  static String tinyName(long i) {
    return String.format(Locale.ROOT, "f-%010d.json", i);
  }

  static String tinyRecord(long i) {
    return "{\"id\":" + i + ",\"name\":\"n-" + i + "\",\"v\":" + (i * 0.5) + "}\n";
  }

  private Path landing() {
    return args.work.resolve("landing");
  }

  private StreamingQuery startQuery(Variant v, String path, Path ck, Path table) {
    DataStreamReader r = spark.readStream().schema(TINY_DDL);
    if (v.ours) {
      r = r.format("cloudFiles").option("cloudFiles.format", "json").options(v.options);
    } else {
      r = r.format("json").options(v.options);
    }
    Dataset<Row> df = r.load(path);
    return df.writeStream().format("delta").trigger(Trigger.AvailableNow())
        .option("checkpointLocation", ck.toString()).start(table.toString());
  }

  /** One timed query run: from load() to termination. */
  private record StreamRun(double seconds, long startMs, long startedReturnMs, long firstTriggerMs, long endMs,
      List<StreamingQueryProgress> progress, double cpu, double foreign, long listDelta, long headDelta) {
    long rows() {
      return progress.stream().mapToLong(StreamingQueryProgress::numInputRows).sum();
    }

    long duration(int i, String key) {
      if (progress.size() <= i) {
        return 0;
      }
      Long v = progress.get(i).durationMs().get(key);
      return v == null ? 0 : v;
    }

    long sum(String key) {
      long s = 0;
      for (StreamingQueryProgress p : progress) {
        Long v = p.durationMs().get(key);
        s += v == null ? 0 : v;
      }
      return s;
    }

    /** Milliseconds from load() until the first trigger began. */
    long toFirstTrigger() {
      return firstTriggerMs - startMs;
    }

    /** Until the first batch's files are planned: to the first trigger, + latestOffset + getBatch. */
    long toPlanned() {
      return toFirstTrigger() + duration(0, "latestOffset") + duration(0, "getBatch");
    }

    String metric(String key) {
      for (int i = progress.size() - 1; i >= 0; i--) {
        String m = progress.get(i).sources()[0].metrics().get(key);
        if (m != null) {
          return m;
        }
      }
      return "-";
    }
  }

  private StreamRun timed(Variant v, String path, Path ck, Path table, Optional<FileSystem> s3a) {
    System.gc();
    Machine.awaitQuiet(0.15, args.quietWait);
    long list0 = s3a.map(fs -> stat(fs, "object_list_request")).orElse(0L);
    long head0 = s3a.map(fs -> stat(fs, "object_metadata_request")).orElse(0L);
    Machine.Sample s0 = Machine.sample();
    long t0 = System.nanoTime();
    long startMs = System.currentTimeMillis();
    StreamingQuery q = startQuery(v, path, ck, table);
    long startedMs = System.currentTimeMillis();
    try {
      q.awaitTermination();
    } catch (Exception e) {
      throw new IllegalStateException(v.name + " failed: " + e.getMessage(), e);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long endMs = System.currentTimeMillis();
    Machine.Sample s1 = Machine.sample();
    long list1 = s3a.map(fs -> stat(fs, "object_list_request")).orElse(0L);
    long head1 = s3a.map(fs -> stat(fs, "object_metadata_request")).orElse(0L);
    List<StreamingQueryProgress> progress = new ArrayList<>(List.of(q.recentProgress()));
    // Only progresses of triggers that ran a batch (AvailableNow may add none, but be safe).
    long first = progress.isEmpty() ? endMs : Instant.parse(progress.get(0).timestamp()).toEpochMilli();
    return new StreamRun(secs, startMs, startedMs, first, endMs, progress, s1.processCpuSeconds(s0),
        s1.foreignShare(s0), list1 - list0, head1 - head0);
  }

  private static long stat(FileSystem fs, String key) {
    Long v = fs.getStorageStatistics().getLong(key);
    return v == null ? 0 : v;
  }

  private void backfill() throws IOException {
    int n = args.files;
    Path data = tinyData(n).resolve("files");
    Map<String, List<Double>> times = new LinkedHashMap<>();
    Map<String, String> details = new LinkedHashMap<>();
    Bench.deleteTree(landing());
    Files.createDirectories(landing());
    long t = System.nanoTime();
    try (Stream<Path> s = Files.list(data)) {
      for (Path f : s.toList()) {
        Files.createLink(landing().resolve(f.getFileName()), f);
      }
    }
    log(String.format(Locale.ROOT, "backfill: %,d files hard-linked into %s in %.1f s", n, landing(),
        (System.nanoTime() - t) / 1e9));
    warmUp();
    for (int round = 1; round <= args.backfillRounds; round++) {
      for (Variant v : backfillVariants()) {
        Path ck = args.work.resolve("ck/" + v.name);
        Path table = args.work.resolve("table/" + v.name);
        Bench.deleteTree(ck);
        Bench.deleteTree(table);
        StreamRun r = timed(v, landing().toString(), ck, table, Optional.empty());
        long count = spark.read().format("delta").load(table.toString()).count();
        if (count != n || r.rows() != n) {
          throw new IllegalStateException(v.name + " wrote " + count + " rows, progress " + r.rows() + "; expected " + n);
        }
        Row d = spark.sql("DESCRIBE DETAIL delta.`" + table + "`").select("numFiles").first();
        String line = String.format(Locale.ROOT,
            "backfill round %d %-15s %7.2f s  %,6.0f files/s  cpu %6.1f s  others %3.0f%%  batches %d  to 1st trigger %,d ms"
                + "  latestOffset %,d ms  getBatch %,d ms  addBatch %,d ms  table files %d",
            round, v.name, r.seconds, n / r.seconds, r.cpu, 100 * r.foreign, r.progress.size(), r.toFirstTrigger(),
            r.sum("latestOffset"), r.sum("getBatch"), r.sum("addBatch"), d.getLong(0));
        log(line);
        times.computeIfAbsent(v.name, k -> new ArrayList<>()).add(r.seconds);
        details.put(v.name, String.format(Locale.ROOT, "%d batches, %d table files", r.progress.size(), d.getLong(0)));
      }
    }
    double spark = times.containsKey("spark") ? Bench.medianOf(times.get("spark")) : Double.NaN;
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "## initial backfill of %,d 1-record JSON files, AvailableNow (goal 4)%n%n| variant | median s | runs | files/s | speed-up vs spark | |%n|---|---|---|---|---|---|%n", n));
    times.forEach((k, l) -> b.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %,.0f | %s | %s |%n", k,
        Bench.medianOf(l), fmt(l), n / Bench.medianOf(l), Bench.ratio(spark, Bench.medianOf(l)), details.get(k))));
    log(b.toString());
    report.add(b.toString());
  }

  /** Every variant once over 200 files (untimed): class loading, JIT, Delta's first commits. */
  private void warmUp() throws IOException {
    if (warm) {
      return;
    }
    Path data = tinyData(200).resolve("files");
    for (Variant v : backfillVariants()) {
      Path w = args.work.resolve("warm-up/" + v.name);
      Bench.deleteTree(w);
      StreamRun r = timed(v, data.toString(), w.resolve("ck"), w.resolve("table"), Optional.empty());
      StreamRun r2 = timed(v, data.toString(), w.resolve("ck"), w.resolve("table"), Optional.empty());
      log(String.format(Locale.ROOT, "warm-up %-15s %.2f s, restart %.2f s", v.name, r.seconds, r2.seconds));
      Bench.deleteTree(w);
    }
    warm = true;
  }

  private boolean warm;

  private void incremental() throws IOException {
    warmUp();
    Map<String, List<StreamRun>> runs = new LinkedHashMap<>();
    long next = nextIndex(landing());
    for (int round = 1; round <= args.rounds; round++) {
      for (int i = 0; i < 10; i++) {
        Files.writeString(landing().resolve(tinyName(next + i)), tinyRecord(next + i));
      }
      next += 10;
      for (Variant v : backfillVariants()) {
        Path ck = args.work.resolve("ck/" + v.name);
        Path table = args.work.resolve("table/" + v.name);
        if (!Files.exists(ck)) {
          throw new IllegalStateException("no checkpoint " + ck + ": run the backfill phase first");
        }
        StreamRun r = timed(v, landing().toString(), ck, table, Optional.empty());
        if (r.rows() != 10) {
          throw new IllegalStateException(v.name + " read " + r.rows() + " rows, expected the 10 new files");
        }
        log(incrementalLine("incremental round " + round, v, r, false));
        runs.computeIfAbsent(v.name, k -> new ArrayList<>()).add(r);
      }
    }
    String t = incrementalTable(String.format(Locale.ROOT,
        "## restart + incremental run of 10 new files over %,d already ingested (goals 1, 2)", args.files), runs, false);
    log(t);
    report.add(t);
  }

  private static String incrementalLine(String what, Variant v, StreamRun r, boolean s3) {
    return String.format(Locale.ROOT,
        "%s %-15s wall %6.2f s  load+start() %,5d ms  to 1st trigger %,6d ms  latestOffset %,6d ms  getBatch %,6d ms"
            + "  => planned at %,6d ms  trigger %,6d ms  batches %d  rows %d  cpu %5.1f s  others %3.0f%%"
            + "  ours: lastDiscoveryMs %s numListRequests %s%s",
        what, v.name, r.seconds, r.startedReturnMs - r.startMs, r.toFirstTrigger(), r.duration(0, "latestOffset"),
        r.duration(0, "getBatch"), r.toPlanned(), r.duration(0, "triggerExecution"), r.progress.size(), r.rows(),
        r.cpu, 100 * r.foreign, v.ours ? r.metric("lastDiscoveryMs") : "-", v.ours ? r.metric("numListRequests") : "-",
        s3 ? String.format(Locale.ROOT, "  S3A: LIST %d HEAD %d", r.listDelta, r.headDelta) : "");
  }

  private String incrementalTable(String title, Map<String, List<StreamRun>> runs, boolean s3) {
    StringBuilder b = new StringBuilder(title + "\n\n| variant | start to 1st trigger ms (median, runs) | planned ms"
        + " (median, runs) | spark / ours (planned) | wall s (median) |"
        + (s3 ? " LIST per run: source metric | LIST per run: S3A | HEAD per run: S3A |" : "") + "\n|---|---|---|---|---|"
        + (s3 ? "---|---|---|" : "") + "\n");
    runs.forEach((k, l) -> {
      List<Double> first = l.stream().map(r -> (double) r.toFirstTrigger()).toList();
      List<Double> planned = l.stream().map(r -> (double) r.toPlanned()).toList();
      List<Double> wall = l.stream().map(r -> r.seconds).toList();
      // Compared with Spark's run of the same kind ("spark", "spark (1st restart)", ...).
      String sparkKey = "spark" + (k.indexOf(' ') > 0 ? k.substring(k.indexOf(' ')) : "");
      double sparkPlanned = runs.containsKey(sparkKey)
          ? Bench.medianOf(runs.get(sparkKey).stream().map(r -> (double) r.toPlanned()).toList()) : Double.NaN;
      b.append(String.format(Locale.ROOT, "| %s | %.0f (%s) | %.0f (%s) | %s | %.2f |", k, Bench.medianOf(first),
          fmt0(first), Bench.medianOf(planned), fmt0(planned), Bench.ratio(sparkPlanned, Bench.medianOf(planned)),
          Bench.medianOf(wall)));
      if (s3) {
        b.append(String.format(Locale.ROOT, " %s | %s | %s |",
            l.stream().map(r -> k.equals("spark") ? "-" : r.metric("numListRequests")).toList(),
            l.stream().map(r -> r.listDelta).toList(), l.stream().map(r -> r.headDelta).toList()));
      }
      b.append('\n');
    });
    return b.toString();
  }

  private static long nextIndex(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("f-"))
          .mapToLong(f -> Long.parseLong(f.substring(2, 12))).max().orElse(-1) + 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Goal 3: LIST requests on s3a://

  private void s3() throws Exception {
    int n = args.s3Files;
    try (S3Server s3 = S3Server.start()) {
      s3.configure(spark);
      String root = s3.uri("landing/");
      FileSystem fs = new org.apache.hadoop.fs.Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint())).region(Region.US_EAST_1)
          .forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
          .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
          .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
          .build()) {
        long t = System.nanoTime();
        put(client, s3.bucket(), 0, n);
        log(String.format(Locale.ROOT, "s3: uploaded %,d 1-record files to %s in %.1f s", n, root, (System.nanoTime() - t) / 1e9));
        List<Variant> variants = List.of(
            new Variant("ours-inc", true, Map.of("cloudFiles.useIncrementalListing", "true")),
            new Variant("ours-full", true, Map.of()),
            new Variant("spark", false, Map.of())).stream().filter(v -> args.s3Variants.contains(v.name)).toList();
        Map<String, List<StreamRun>> runs = new LinkedHashMap<>();
        long next = n;
        for (int round = 0; round <= args.rounds + 1; round++) {
          if (round >= 1) {
            put(client, s3.bucket(), next, 10);
            next += 10;
          }
          for (Variant v : variants) {
            Path ck = args.work.resolve("s3/ck/" + v.name);
            Path table = args.work.resolve("s3/table/" + v.name);
            if (round == 0) {
              Bench.deleteTree(ck);
              Bench.deleteTree(table);
            }
            StreamRun r = timed(v, root, ck, table, Optional.of(fs));
            long expected = round == 0 ? n : 10;
            if (r.rows() != expected) {
              throw new IllegalStateException(v.name + " read " + r.rows() + " rows, expected " + expected);
            }
            String what = round == 0 ? "s3 initial" : round == 1 ? "s3 1st restart" : "s3 steady round " + (round - 1);
            log(incrementalLine(what, v, r, true));
            if (round >= 2) {
              runs.computeIfAbsent(v.name, k -> new ArrayList<>()).add(r);
            } else {
              runs.computeIfAbsent(v.name + " (" + (round == 0 ? "initial " + n : "1st restart") + ")", k -> new ArrayList<>()).add(r);
            }
          }
        }
        String t2 = incrementalTable(String.format(Locale.ROOT,
            "## s3a:// (s3proxy), %,d files, 10 new per run, AvailableNow: LIST requests (goal 3)", n), runs, true);
        log(t2);
        report.add(t2);
      }
    }
  }

  private static void put(S3Client client, String bucket, long from, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int w = t;
        fs.add(pool.submit(() -> {
          for (long i = from + w; i < from + count; i += 8) {
            client.putObject(PutObjectRequest.builder().bucket(bucket).key("landing/" + tinyName(i)).build(),
                RequestBody.fromString(tinyRecord(i)));
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static String fmt(List<Double> l) {
    return l.stream().map(d -> String.format(Locale.ROOT, "%.2f", d)).toList().toString();
  }

  private static String fmt0(List<Double> l) {
    return l.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList().toString();
  }

  private void log(String line) {
    System.out.println(line);
    try {
      Files.writeString(args.work.resolve("results.log"), line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Args(Path work, Path data, List<String> phases, int files, int s3Files, int memoryFiles, int rounds,
      int backfillRounds, List<String> variants, List<String> s3Variants, double quietWait) {
    static Args parse(String[] argv) {
      Map<String, String> m = Bench.options(argv, List.of("work", "data", "phases", "files", "s3-files",
          "memory-files", "rounds", "backfill-rounds", "variants", "s3-variants", "quiet-wait"));
      return new Args(
          Path.of(m.getOrDefault("work", "target/bench/cloudfiles")).toAbsolutePath(),
          Path.of(m.getOrDefault("data", "target/bench-data")).toAbsolutePath(),
          List.of(m.getOrDefault("phases", "memory,rows,backfill,incremental,s3").split(",")),
          Integer.parseInt(m.getOrDefault("files", "100000")),
          Integer.parseInt(m.getOrDefault("s3-files", "10000")),
          Integer.parseInt(m.getOrDefault("memory-files", "1000000")),
          Integer.parseInt(m.getOrDefault("rounds", "3")),
          Integer.parseInt(m.getOrDefault("backfill-rounds", "1")),
          List.of(m.getOrDefault("variants", "ours-inc-1k,ours-full-100k,spark").split(",")),
          List.of(m.getOrDefault("s3-variants", "ours-inc,ours-full,spark").split(",")),
          Double.parseDouble(m.getOrDefault("quiet-wait", "20")));
    }
  }
}
