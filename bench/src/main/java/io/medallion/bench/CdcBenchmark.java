package io.medallion.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.internal.cdc.CdcEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Issue 12's CDC benchmark: an SCD2 table of {@code keys} keys receives {@code changes} changes (10%
 * deletes), cut into {@code batches} batches by sequence, with 20% of the changes delivered one or
 * more batches late. In one run, side by side on the same input: medallion's CDC engine and the
 * best hand-written Delta MERGE for SCD2 (the well-known staged-updates MERGE, latest change per
 * key per batch, ignoring changes older than the current row). Only the change batches are timed;
 * the initial load is set-up. Both results are compared with a plain-Java reference model: rows
 * and keys that differ, and how many of the wrong keys had a late change.
 *
 * <p>Usage: {@code CdcBenchmark <work-dir> [keys] [changes] [batches]} (see bench/run-cdc.sh).
 */
public final class CdcBenchmark {
  static final StructType SCHEMA = StructType.fromDDL("id INT, v STRING, op STRING, seq BIGINT");

  private CdcBenchmark() {}

  record Change(int id, String v, String op, long seq, int batch) {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int keys = (int) Bench.arg(args, 1, 1_000_000);
    int changes = (int) Bench.arg(args, 2, 100_000);
    int batches = (int) Bench.arg(args, 3, 5);
    Files.createDirectories(work);
    // local[2], 8 shuffle partitions, Delta's snapshot partitions at the cores (both sides rebuild
    // Delta snapshots) and the local file system medallion's CLI uses (bench/README.md)
    SparkSession spark = Bench.session("cdc-bench", 8);
    WarehouseCatalog.register(spark, "bench", work.resolve("warehouse").toString());

    // the changes: a hot set of keys gets them, so keys have several changes and late ones matter
    Random r = new Random(12);
    int hot = Math.max(1, changes / 2);
    long[] lastSeq = new long[keys];
    Arrays.fill(lastSeq, 1);
    List<Change> all = new ArrayList<>();
    for (int i = 0; i < changes; i++) {
      int id = r.nextInt(hot);
      long seq = lastSeq[id] + 1 + r.nextInt(3);
      lastSeq[id] = seq;
      boolean delete = r.nextInt(10) == 0;
      // in sequence order across the whole feed: batch by position, 20% delayed 1..2 batches
      int batch = (int) ((long) i * batches / changes);
      if (r.nextInt(5) == 0) {
        batch = Math.min(batches - 1, batch + 1 + r.nextInt(2));
      }
      all.add(new Change(id, delete ? null : "v" + r.nextInt(1000), delete ? "D" : "U", seq, batch));
    }
    // a change is late if an earlier batch held a newer change of its key
    long lateChanges = 0;
    java.util.Set<Integer> lateKeys = new java.util.HashSet<>();
    // seq order is list order: a newer change of the key in an earlier batch makes this one late
    java.util.Map<Integer, Integer> minBatchAfter = new java.util.HashMap<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Change c = all.get(i);
      Integer m = minBatchAfter.get(c.id());
      if (m != null && m < c.batch()) {
        lateChanges++;
        lateKeys.add(c.id());
      }
      minBatchAfter.merge(c.id(), c.batch(), Math::min);
    }
    System.out.printf("input: %,d keys, %,d changes (%,d deletes), %d batches, %,d changes delayed past a newer"
        + " change of their key (%,d keys)%n", keys, changes, all.stream().filter(c -> c.op().equals("D")).count(),
        batches, lateChanges, lateKeys.size());

    List<String> model = model(keys, all);
    Dataset<Row> initial = spark.range(keys).select(col("id").cast("int").as("id"),
        org.apache.spark.sql.functions.concat(lit("init"), col("id")).as("v"), lit("U").as("op"), lit(1L).as("seq"));

    // medallion
    TableName m = TableName.of("bench", "cdc", "medallion");
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of("seq")).applyAsDeletes("op = 'D'")
        .exceptColumnList(List.of("op", "seq")).scdType2().build();
    CdcEngine engine = CdcEngine.prepare(spark, m, spec, SCHEMA, "bench.cdc", TableSpec.defaults());
    long t = System.nanoTime();
    engine.apply(initial, "bench", 0);
    System.out.printf("medallion initial load: %.1f s%n", (System.nanoTime() - t) / 1e9);

    // hand-written
    String hand = work.resolve("hand").toString();
    t = System.nanoTime();
    initial.select(col("id"), col("v"), col("seq").as("__START_AT"), lit(null).cast("bigint").as("__END_AT"))
        .write().format("delta").mode("overwrite").save(hand);
    System.out.printf("hand-written initial load: %.1f s%n", (System.nanoTime() - t) / 1e9);

    // The JVM's first Delta MERGE loads and warms Delta's MERGE code for every later one. Batch 0 is
    // always medallion's turn first, so without this medallion's batch 0 would pay that for both
    // sides: one untimed MERGE of another shape (its own table and columns, so no generated class is
    // shared with either side) comes first.
    t = System.nanoTime();
    warmUpMerge(spark, work.resolve("warmup").toString());
    System.out.printf("warm-up MERGE (untimed, neither side): %.1f s%n", (System.nanoTime() - t) / 1e9);

    double medallionSeconds = 0;
    double handSeconds = 0;
    for (int b = 0; b < batches; b++) {
      int batch = b;
      List<Row> rows = all.stream().filter(c -> c.batch() == batch)
          .map(c -> RowFactory.create(c.id(), c.v(), c.op(), c.seq())).toList();
      Dataset<Row> frame = spark.createDataFrame(rows, SCHEMA).cache();
      frame.count();
      // alternate which goes first, so neither always gets the warmer caches
      for (int k = 0; k < 2; k++) {
        boolean medallionTurn = (k == 0) == (b % 2 == 0);
        long s = System.nanoTime();
        long compiled = compilations();
        if (medallionTurn) {
          engine.apply(frame, "bench", b + 1);
          medallionSeconds += (System.nanoTime() - s) / 1e9;
        } else {
          handMerge(spark, hand, frame);
          handSeconds += (System.nanoTime() - s) / 1e9;
        }
        System.out.printf("  %s: %.2f s, %d classes of generated code compiled%n", medallionTurn ? "medallion" : "hand-written",
            (System.nanoTime() - s) / 1e9, compilations() - compiled);
      }
      frame.unpersist();
      System.out.printf("batch %d: %,d changes; so far medallion %.1f s, hand-written %.1f s%n", b, rows.size(),
          medallionSeconds, handSeconds);
    }
    // Once per run, before its first batch, a CDC table forgets tombstones older than the retention
    // (none here: every delete is minutes old). A scheduled run pays it whatever its new data.
    t = System.nanoTime();
    long expired = engine.expireTombstones(java.time.Instant.now());
    System.out.printf("RESULT a run's tombstone expiry over the stored changes: %.2f s (%d keys expired)%n",
        (System.nanoTime() - t) / 1e9, expired);
    Dataset<Row> reference = spark.createDataFrame(model.stream().map(line -> {
      String[] p = line.split("\\|", -1);
      return RowFactory.create(Integer.parseInt(p[0]), p[1], Long.parseLong(p[2]), p[3].equals("null") ? null : Long.parseLong(p[3]));
    }).toList(), StructType.fromDDL("id INT, v STRING, __START_AT BIGINT, __END_AT BIGINT"));
    String mWrong = wrong(spark.read().table(m.quoted()).select("id", "v", "__START_AT", "__END_AT"), reference, lateKeys);
    String hWrong = wrong(spark.read().format("delta").load(hand), reference, lateKeys);
    System.out.printf("%nRESULT medallion %.1f s, hand-written MERGE %.1f s, ratio %.2fx%n", medallionSeconds, handSeconds,
        medallionSeconds / handSeconds);
    System.out.println("RESULT medallion vs reference model: " + mWrong);
    System.out.println("RESULT hand-written vs reference model: " + hWrong);
  }

  /** Classes of generated code this JVM compiled so far (Spark's codegen cache misses). */
  static long compilations() {
    return org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
  }

  /**
   * The best-known hand-written SCD2 MERGE (Delta's documented staged-updates pattern): the latest
   * change per key in the batch closes the current row and inserts the new one; changes not newer
   * than the current row are ignored; a delete closes the current row.
   */
  static void handMerge(SparkSession spark, String path, Dataset<Row> batch) {
    batch.createOrReplaceTempView("hand_batch");
    spark.sql("CREATE OR REPLACE TEMP VIEW hand_latest AS SELECT id, v, op, seq FROM ("
        + " SELECT *, row_number() OVER (PARTITION BY id ORDER BY seq DESC) AS rn FROM hand_batch) WHERE rn = 1");
    spark.sql("MERGE INTO delta.`" + path + "` t USING ("
        + " SELECT l.id AS merge_key, l.* FROM hand_latest l"
        + " UNION ALL"
        + " SELECT NULL AS merge_key, l.* FROM hand_latest l JOIN delta.`" + path + "` c"
        + "   ON l.id = c.id AND c.__END_AT IS NULL AND l.op = 'U' AND l.seq > c.__START_AT AND NOT (l.v <=> c.v)"
        + ") s ON t.id = s.merge_key AND t.__END_AT IS NULL"
        + " WHEN MATCHED AND s.seq > t.__START_AT AND (s.op = 'D' OR NOT (s.v <=> t.v)) THEN UPDATE SET __END_AT = s.seq"
        + " WHEN NOT MATCHED AND s.op = 'U' THEN"
        + "   INSERT (id, v, __START_AT, __END_AT) VALUES (s.id, s.v, s.seq, NULL)");
  }

  /** A MERGE with a delete, an update and an insert clause into a small table of its own. */
  static void warmUpMerge(SparkSession spark, String path) {
    spark.range(1000).selectExpr("id AS k", "CAST(id AS STRING) AS x").write().format("delta").mode("overwrite").save(path);
    spark.range(500, 1500).selectExpr("id AS k", "CAST(id * 2 AS STRING) AS x", "id % 7 = 0 AS gone")
        .createOrReplaceTempView("warmup_changes");
    spark.sql("MERGE INTO delta.`" + path + "` t USING warmup_changes s ON t.k = s.k"
        + " WHEN MATCHED AND s.gone THEN DELETE WHEN MATCHED THEN UPDATE SET x = s.x"
        + " WHEN NOT MATCHED AND NOT s.gone THEN INSERT (k, x) VALUES (s.k, s.x)");
  }

  /** Rows that differ from the reference (both ways), keys affected, and how many of those had a late change. */
  static String wrong(Dataset<Row> actual, Dataset<Row> reference, java.util.Set<Integer> lateKeys) {
    Dataset<Row> diff = actual.exceptAll(reference).union(reference.exceptAll(actual)).cache();
    long rows = diff.count();
    List<Integer> ids = diff.select("id").distinct().collectAsList().stream().map(x -> x.getInt(0)).toList();
    long late = ids.stream().filter(lateKeys::contains).count();
    diff.unpersist();
    return String.format("%,d wrong rows, %,d wrong keys (%,d of them with a late change)", rows, ids.size(), late);
  }

  /** SCD2 in order, per key: initial row at 1, a new row when v changes or after a delete. */
  static List<String> model(int keys, List<Change> all) {
    java.util.Map<Integer, List<Change>> byKey = new java.util.HashMap<>();
    for (Change c : all) {
      byKey.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c);
    }
    List<String> out = new ArrayList<>(keys + all.size());
    for (int id = 0; id < keys; id++) {
      String openV = "init" + id;
      long openStart = 1;
      boolean open = true;
      List<Change> cs = byKey.getOrDefault(id, List.of());
      List<Change> sorted = new ArrayList<>(cs);
      sorted.sort(java.util.Comparator.comparingLong(Change::seq));
      for (Change c : sorted) {
        if (c.op().equals("D")) {
          if (open) {
            out.add(id + "|" + openV + "|" + openStart + "|" + c.seq());
            open = false;
          }
        } else if (!open || !openV.equals(c.v())) {
          if (open) {
            out.add(id + "|" + openV + "|" + openStart + "|" + c.seq());
          }
          openV = c.v();
          openStart = c.seq();
          open = true;
        }
      }
      if (open) {
        out.add(id + "|" + openV + "|" + openStart + "|null");
      }
    }
    return out;
  }
}
