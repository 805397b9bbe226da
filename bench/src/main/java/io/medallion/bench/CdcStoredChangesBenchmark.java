package io.medallion.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableMaintenance;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.internal.cdc.CdcEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What an SCD1 table's stored changes cost its batches, and what {@code maintain} gives back: two
 * identical SCD1 tables of {@code keys} keys, each updated in full {@code rounds} times (so each
 * stores {@code keys * (rounds + 1)} changes); then the stored changes of one of them are
 * maintained ({@link TableMaintenance#maintainChanges}: superseded changes removed, OPTIMIZE,
 * VACUUM), and both receive the same {@code probes} batches of {@code probeSize} changes on random
 * keys, alternating which goes first. Timed: the maintenance, and the probe batches per table. The
 * two tables must end equal.
 */
public final class CdcStoredChangesBenchmark {
  static final StructType SCHEMA = StructType.fromDDL("id INT, v STRING, op STRING, seq BIGINT");

  private CdcStoredChangesBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int keys = (int) Bench.arg(args, 1, 200_000);
    int rounds = (int) Bench.arg(args, 2, 10);
    int probes = (int) Bench.arg(args, 3, 5);
    int probeSize = (int) Bench.arg(args, 4, 2_000);
    Files.createDirectories(work);
    SparkSession spark = Bench.session("cdc-stored-changes-bench", 8);
    WarehouseCatalog.register(spark, "bench", work.resolve("warehouse").toString());
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of("seq")).applyAsDeletes("op = 'D'")
        .exceptColumnList(List.of("op", "seq")).build();
    TableName kept = TableName.of("bench", "cdc", "kept");
    TableName maintained = TableName.of("bench", "cdc", "maintained");
    List<CdcEngine> engines = new ArrayList<>();
    for (TableName t : List.of(kept, maintained)) {
      engines.add(CdcEngine.prepare(spark, t, spec, SCHEMA, "bench.cdc", TableSpec.defaults()));
    }
    long t0 = System.nanoTime();
    for (int round = 0; round <= rounds; round++) {
      Dataset<Row> all = spark.range(keys).select(col("id").cast("int").as("id"),
          concat(lit("r" + round + "-"), col("id")).as("v"), lit("U").as("op"), lit((long) round + 1).as("seq"));
      for (CdcEngine e : engines) {
        e.apply(all, "bench", round);
      }
    }
    System.out.printf("setup: %,d keys, %d full updates: %,d stored changes per table (%.1f s)%n", keys, rounds,
        spark.read().table(CdcEngine.changesTable(kept).quoted()).count(), (System.nanoTime() - t0) / 1e9);

    // VACUUM lists files in this many tasks, 10,000 by default (docs/gold.md, "Maintenance")
    spark.conf().set("spark.sql.sources.parallelPartitionDiscovery.parallelism", "8");
    long t = System.nanoTime();
    TableMaintenance.Report report = TableMaintenance.maintainChanges(spark, "maintained changes", maintained, spec, true);
    System.out.printf("RESULT maintain of the stored changes: %.1f s: %s%n", (System.nanoTime() - t) / 1e9,
        report.summary());
    System.out.printf("stored changes now: kept %,d, maintained %,d%n",
        spark.read().table(CdcEngine.changesTable(kept).quoted()).count(),
        spark.read().table(CdcEngine.changesTable(maintained).quoted()).count());

    Random r = new Random(7);
    double[] seconds = new double[2];
    List<List<Double>> perBatch = List.of(new ArrayList<>(), new ArrayList<>());
    for (int p = 0; p < probes; p++) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < probeSize; i++) {
        int id = r.nextInt(keys);
        rows.add(RowFactory.create(id, "p" + p + "-" + i, r.nextInt(10) == 0 ? "D" : "U", (long) rounds + 2 + p));
      }
      // one change per key and batch: a second one at the same sequence would be a conflict
      Dataset<Row> frame = spark.createDataFrame(rows, SCHEMA).dropDuplicates("id").cache();
      frame.count();
      for (int k = 0; k < 2; k++) {
        int which = (k + p) % 2; // alternate which goes first
        long s = System.nanoTime();
        engines.get(which).apply(frame, "bench", rounds + 1 + p);
        double d = (System.nanoTime() - s) / 1e9;
        seconds[which] += d;
        perBatch.get(which).add(d);
      }
      frame.unpersist();
    }
    long differ = spark.read().table(kept.quoted()).exceptAll(spark.read().table(maintained.quoted())).count()
        + spark.read().table(maintained.quoted()).exceptAll(spark.read().table(kept.quoted())).count();
    System.out.printf("RESULT %d probe batches of %,d changes: every change kept %.1f s (median %.2f s), maintained"
        + " %.1f s (median %.2f s), ratio %.2fx; rows differing between the tables: %d%n", probes, probeSize,
        seconds[0], median(perBatch.get(0)), seconds[1], median(perBatch.get(1)), seconds[1] / seconds[0], differ);
  }

  private static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
