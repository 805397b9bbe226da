package io.medallion.bench;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.DeltaSink;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.Txn;
import io.medallion.table.Write;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A silver upsert into a large table, as a scheduled run applies it: a table of {@code keys} rows
 * (default 1,000,000; ids in increasing order, as order ids are, written in {@code files} files of
 * key ranges, default 8) receives {@code batches} batches (default 5) of {@code changes} changes
 * (default 10,000), after one warm-up batch: updates of recent ids (the newest 5%), new ids after the
 * largest, and an older version of every 20th of those ids in the same batch. In ONE
 * JVM, batch by batch (alternating which goes first), medallion's upsert ({@link DeltaSink#write}
 * with {@link Write#merge}: one row per key, the newest by its sequence, then Delta's MERGE with the
 * batch's key range as target-only bounds) and the hand-written Delta MERGE a competent engineer
 * writes for the same semantics (the newest row per id by {@code row_number()}, then {@code ON t.id =
 * s.id WHEN MATCHED AND s.seq >= t.seq THEN UPDATE WHEN NOT MATCHED THEN INSERT}) apply the same batches to two copies of the table; only the
 * batches are timed. The two tables are compared row by row at the end.
 *
 * <p>Usage: {@code UpsertBenchmark <work dir> [keys] [changes] [batches] [files]}.
 */
public final class UpsertBenchmark {
  private static final TableSpec SPEC = new TableSpec(Optional.empty(), List.of(), Map.of());

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    long keys = Bench.arg(args, 1, 1_000_000);
    int changes = (int) Bench.arg(args, 2, 10_000);
    int batches = (int) Bench.arg(args, 3, 5);
    int files = (int) Bench.arg(args, 4, 8);
    SparkSession spark = Bench.session("upsert benchmark", 4);
    WarehouseCatalog.register(spark, "bench", work.resolve("warehouse").toUri().toString());
    TableName ours = TableName.of("bench", "s", "medallion");
    TableName hand = TableName.of("bench", "s", "hand_written");
    Dataset<Row> initial = spark.range(0, keys, 1, files)
        .selectExpr("id", "CAST(0 AS BIGINT) AS seq", "concat('customer-', id % 1000) AS customer",
            "CAST(id % 997 AS DOUBLE) AS amount", "'placed' AS status");
    DeltaSink.write(initial, ours, SPEC, Write.append(), Txn.NONE);
    initial.write().format("delta").mode("append").saveAsTable(hand.quoted());
    System.out.printf("table: %,d rows in %d files (key ranges); %d batches of %,d changes%n", keys, files, batches,
        changes);

    List<Double> oursSeconds = new ArrayList<>();
    List<Double> handSeconds = new ArrayList<>();
    long next = keys;
    for (int b = 0; b <= batches; b++) { // batch 0 warms both paths up and is not counted
      // 80% updates of the newest 5% of ids (each batch a newer sequence), 20% new ids
      int updates = changes * 4 / 5;
      long recent = keys - keys / 20;
      Dataset<Row> changed = spark.range(0, changes, 1, 2)
          .selectExpr("CASE WHEN id < " + updates + " THEN " + recent + " + (id * 7919) % " + (keys / 20)
                  + " ELSE " + next + " + id - " + updates + " END AS id",
              "CAST(" + (2 * b) + " AS BIGINT) AS seq", "concat('customer-', id % 1000) AS customer",
              "CAST(id % 89 AS DOUBLE) AS amount", "'shipped' AS status");
      // an older version of every 20th id of the batch, in the same batch: the upsert keeps the newer
      Dataset<Row> older = changed.where("id % 20 = 0").selectExpr("id", "seq - 1 AS seq", "customer",
          "amount + 1 AS amount", "'stale' AS status");
      Dataset<Row> batch = changed.unionByName(older).cache();
      batch.count();
      next += changes - updates;
      batch.createOrReplaceTempView("batch");
      final int batchNo = b;
      Runnable medallion = () -> DeltaSink.write(batch, ours, SPEC, Write.merge(List.of("id"), Optional.of("seq")),
          new Txn("bench", batchNo));
      Runnable handWritten = () -> spark.sql("MERGE INTO " + hand.quoted() + " t USING (SELECT id, seq, customer,"
          + " amount, status FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY seq DESC) AS n FROM batch)"
          + " WHERE n = 1) s ON t.id = s.id"
          + " WHEN MATCHED AND s.seq >= t.seq THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
      boolean oursFirst = b % 2 == 1;
      double first = time(oursFirst ? medallion : handWritten);
      double second = time(oursFirst ? handWritten : medallion);
      System.out.printf("batch %d%s: medallion %.2f s, hand-written MERGE %.2f s%n", b, b == 0 ? " (warm-up)" : "",
          oursFirst ? first : second, oursFirst ? second : first);
      if (b > 0) {
        oursSeconds.add(oursFirst ? first : second);
        handSeconds.add(oursFirst ? second : first);
      }
      batch.unpersist();
    }
    long differing = spark.table(ours.quoted()).exceptAll(spark.table(hand.quoted())).count()
        + spark.table(hand.quoted()).exceptAll(spark.table(ours.quoted())).count();
    double o = oursSeconds.stream().mapToDouble(Double::doubleValue).sum();
    double h = handSeconds.stream().mapToDouble(Double::doubleValue).sum();
    System.out.printf("RESULT batches: medallion %.2f s, hand-written MERGE %.2f s, ratio %.2fx; rows %,d and %,d,"
            + " differing rows %d%n", o, h, o / h, spark.table(ours.quoted()).count(), spark.table(hand.quoted()).count(),
        differing);
    if (differing != 0) {
      throw new IllegalStateException("the two tables differ in " + differing + " rows");
    }
  }

  private static double time(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return (System.nanoTime() - start) / 1e9;
  }
}
