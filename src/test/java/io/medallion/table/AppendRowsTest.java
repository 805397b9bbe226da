package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DeltaSink#appendRows}: driver-held rows (events) are committed without a Spark job, and
 * read back exactly as Spark's own write of them; a table of another layout gets them through
 * Spark's write.
 */
@ExtendWith(MedallionExtension.class)
class AppendRowsTest {
  private static final TableSpec SPEC = new TableSpec(Optional.empty(), List.of(), java.util.Map.of());
  private static final StructType SCHEMA = StructType.fromDDL("id STRING, at TIMESTAMP, n BIGINT, ok BOOLEAN,"
      + " i INT, d DOUBLE, s STRUCT<a: STRING, b: STRUCT<c: BIGINT>, tags: ARRAY<STRING>>,"
      + " list ARRAY<STRUCT<x: STRING, y: BIGINT>>");
  private static final AtomicInteger CATALOGS = new AtomicInteger();

  private static TableName table(Lakehouse lake, String name) {
    String catalog = "rows" + CATALOGS.incrementAndGet();
    WarehouseCatalog.register(lake.spark(), catalog, lake.root().resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", name);
  }

  private static List<Row> rows() {
    return List.of(
        RowFactory.create("a", Timestamp.from(Instant.parse("2026-12-03T01:02:03.123456Z")), 5L, true, 7, 1.5,
            RowFactory.create("x", RowFactory.create(9L), seq("p", "q")),
            seq(RowFactory.create("u", 1L), RowFactory.create(null, 2L))),
        RowFactory.create("b", null, null, false, null, null, RowFactory.create(null, null, seq()), seq((Object) null)),
        RowFactory.create(null, null, null, null, null, null, null, null));
  }

  @SafeVarargs
  private static <T> scala.collection.Seq<T> seq(T... values) {
    return scala.collection.JavaConverters.asScalaBuffer(new ArrayList<>(Arrays.asList(values))).toSeq();
  }

  private static List<String> sorted(List<Row> rows) {
    return rows.stream().map(Row::toString).sorted().toList();
  }

  /** The Spark jobs {@code action} runs on this thread (ReplayTest counts them too). */
  static int jobs(SparkSession spark, Runnable action) {
    String group = "append-rows-" + System.nanoTime();
    AtomicInteger jobs = new AtomicInteger();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        if (group.equals(start.properties().getProperty("spark.jobGroup.id"))) {
          jobs.incrementAndGet();
        }
      }
    };
    spark.sparkContext().addSparkListener(listener);
    spark.sparkContext().setJobGroup(group, "AppendRowsTest", false);
    try {
      action.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    } finally {
      spark.sparkContext().clearJobGroup();
      spark.sparkContext().removeSparkListener(listener);
    }
    return jobs.get();
  }

  @Test
  void rowsAreCommittedWithoutASparkJobAndReadAsSparksOwnWriteOfThem(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "events");
    DeltaSink.ensureTable(spark, t, SCHEMA, SPEC);

    assertThat(jobs(spark, () -> DeltaSink.appendRows(spark, t, SCHEMA, SPEC, rows()))).isZero();
    assertThat(jobs(spark, () -> DeltaSink.appendRows(spark, t, SCHEMA, SPEC, rows().subList(0, 1)))).isZero();

    List<Row> both = new ArrayList<>(rows());
    both.add(rows().get(0));
    assertThat(sorted(lake.table(t).collectAsList())).isEqualTo(sorted(spark.createDataFrame(both, SCHEMA).collectAsList()));
    assertThat(lake.table(t).where("id = 'a'").selectExpr("CAST(at AS STRING)").first().getString(0))
        .isEqualTo(Timestamp.from(Instant.parse("2026-12-03T01:02:03.123456Z")).toString());
    assertThat(lake.table(t).where("s.b.c = 9 AND list[1].y = 2 AND s.tags[1] = 'q'").count()).isEqualTo(2);
    List<Row> history = spark.sql("DESCRIBE HISTORY " + t.quoted())
        .selectExpr("version", "operation", "operationParameters['mode']").orderBy("version").collectAsList();
    assertThat(history.toString()).isEqualTo("[[0,CREATE TABLE,null], [1,WRITE,Append], [2,WRITE,Append]]");
    assertThat(DeltaSink.rowCount(spark, t)).isEqualTo(4);
  }

  @Test
  void aTableOfAnotherLayoutGetsTheRowsThroughSparksWrite(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName wider = table(lake, "wider");
    DeltaSink.ensureTable(spark, wider, SCHEMA.add("extra", "string"), SPEC);
    TableName mapped = table(lake, "mapped");
    spark.sql("CREATE SCHEMA IF NOT EXISTS `" + mapped.catalog() + "`.`" + mapped.schema() + "`");
    spark.sql("CREATE TABLE " + mapped.quoted() + " (" + SCHEMA.toDDL() + ") USING delta TBLPROPERTIES"
        + " ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')");

    for (TableName t : List.of(wider, mapped)) {
      assertThat(jobs(spark, () -> DeltaSink.appendRows(spark, t, SCHEMA, SPEC, rows()))).as(t.toString()).isPositive();
      assertThat(sorted(lake.table(t).select("id", "at", "n", "ok", "i", "d", "s", "list").collectAsList())).as(t.toString())
          .isEqualTo(sorted(spark.createDataFrame(rows(), SCHEMA).collectAsList()));
    }
  }

  /**
   * Two runs of different tables of one pipeline, in two JVMs, may both create the event log on
   * their first run, and both append to it: neither fails, and every row is there. (Delta fails the
   * second of two concurrent creations; in a few rounds of two threads at least one collides.)
   */
  @Test
  void twoWritersCreatingAndAppendingToOneTableAtOnceBothSucceed(Lakehouse lake) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 4; round++) {
        TableName t = table(lake, "events");
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
        for (int writer = 0; writer < 2; writer++) {
          writers.add(pool.submit(() -> {
            together.await();
            DeltaSink.ensureTable(lake.spark(), t, SCHEMA, SPEC);
            together.await();
            DeltaSink.appendRows(lake.spark(), t, SCHEMA, SPEC, rows());
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> w : writers) {
          w.get(2, java.util.concurrent.TimeUnit.MINUTES); // throws when a writer failed
        }
        assertThat(lake.table(t).count()).as(t.toString()).isEqualTo(2L * rows().size());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
