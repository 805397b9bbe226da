package io.medallion.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.TableSpec;
import io.medallion.table.internal.cdc.CdcSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What one snapshot costs snapshot CDC (DLT's from-snapshot flow): an SCD type 2 table of {@code
 * keys} keys receives {@code snapshots} more full snapshots: in each, 2% of the keys change (and the 2%
 * changed in the one before change back), the lowest 0.5% are gone and 0.5% are new. Each snapshot is
 * cached and counted before it is timed, as the pipeline's staged quality check does, so the time is
 * the derivation of its changes against the stored ones and their application. Prints each snapshot's seconds and the changes applied, and
 * checks the table's current rows against the last snapshot.
 *
 * <p>Arguments: work folder, keys (default 500,000), snapshots after the first (default 4).
 */
public final class CdcSnapshotBenchmark {
  static final StructType SCHEMA = StructType.fromDDL("id BIGINT, name STRING, city STRING");

  private CdcSnapshotBenchmark() {}

  /** Version {@code v} (1 for the first): keys {@code [v*keys/200, keys + v*keys/200)}, 2% of them changed at {@code v}. */
  static Dataset<Row> snapshot(SparkSession spark, long keys, int v) {
    long shift = v * keys / 200;
    return spark.range(shift, keys + shift).select(col("id"), concat(lit("name"), col("id")).as("name"),
        when(col("id").mod(50).equalTo(v), concat(lit("city-v"), lit(v))).otherwise(lit("city")).as("city"));
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    long keys = Bench.arg(args, 1, 500_000);
    int snapshots = (int) Bench.arg(args, 2, 4);
    Files.createDirectories(work);
    SparkSession spark = Bench.session("cdc-snapshot-bench", 8);
    WarehouseCatalog.register(spark, "bench", work.resolve("warehouse").toString());
    TableName t = TableName.of("bench", "snap", "history");
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of("unused")).scdType2().build();
    CdcSnapshots s = CdcSnapshots.prepare(spark, t, spec, SCHEMA, "bench.snapshot.cdc", TableSpec.defaults());
    double later = 0;
    for (int v = 1; v <= snapshots + 1; v++) {
      Dataset<Row> snap = snapshot(spark, keys, v).cache();
      snap.count();
      long start = System.nanoTime();
      CdcSnapshots.Result r = s.apply(snap, v);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (v > 1) {
        later += seconds;
      }
      System.out.printf("snapshot %d: %.2f s, %s, %,d upserts, %,d deletes%n", v, seconds, r.outcome(),
          r.changes().upserts(), r.changes().deletes());
      snap.unpersist();
    }
    Dataset<Row> current = spark.read().table(t.quoted()).where(col("__END_AT").isNull()).drop("__START_AT", "__END_AT");
    Dataset<Row> last = snapshot(spark, keys, snapshots + 1);
    long wrong = current.exceptAll(last).count() + last.exceptAll(current).count();
    System.out.printf("RESULT snapshots 2-%d: %.1f s; current rows against the last snapshot: %,d wrong%n",
        snapshots + 1, later, wrong);
  }
}
