package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DeltaSink#sideAppend}: rows set aside by the tasks of another job are committed once, with
 * the write's transaction identifier, and read back as Spark's own write of them; a failed task
 * leaves no file; a table of another layout gets no side append (its caller writes with Spark).
 */
@ExtendWith(MedallionExtension.class)
class SideAppendTest {
  private static final TableSpec SPEC = new TableSpec(Optional.empty(), List.of(), Map.of());
  private static final StructType SCHEMA = StructType.fromDDL("id STRING, at TIMESTAMP, day DATE, n BIGINT,"
      + " i INT, sh SMALLINT, b TINYINT, ok BOOLEAN, d DOUBLE, f FLOAT, price DECIMAL(12,3), raw BINARY,"
      + " s STRUCT<a: STRING, tags: ARRAY<STRING>>, list ARRAY<STRUCT<rule: STRING, n: BIGINT>>,"
      + " attrs MAP<STRING, BIGINT>");
  private static final AtomicInteger CATALOGS = new AtomicInteger();

  private static TableName table(Lakehouse lake, String name) {
    String catalog = "side" + CATALOGS.incrementAndGet();
    WarehouseCatalog.register(lake.spark(), catalog, lake.root().resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", name);
  }

  private static Path folder(Lakehouse lake, TableName t) {
    return lake.root().resolve(t.catalog()).resolve(t.schema()).resolve(t.table());
  }

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < 30; k++) {
      rows.add(RowFactory.create("r" + k, Timestamp.from(Instant.parse("2026-12-03T01:02:03.123456Z").plusSeconds(k)),
          Date.valueOf("2026-12-0" + (1 + k % 9)), 5L * k, k, (short) k, (byte) k, k % 2 == 0, k / 3.0, k / 4f,
          new BigDecimal(k + ".125"), new byte[] {(byte) k, 1},
          RowFactory.create("x" + k, seq("p", "q" + k)),
          seq(RowFactory.create("u", (long) k), RowFactory.create(null, null)),
          scala.collection.immutable.Map$.MODULE$.<String, Long>empty().updated("k", (long) k)));
    }
    rows.add(RowFactory.create("nulls", null, null, null, null, null, null, null, null, null, null, null,
        RowFactory.create(null, seq()), seq((Object) null), null));
    return rows;
  }

  @SafeVarargs
  private static <T> scala.collection.Seq<T> seq(T... values) {
    return scala.collection.JavaConverters.asScalaBuffer(new ArrayList<>(Arrays.asList(values))).toSeq();
  }

  private static List<String> sorted(Dataset<Row> rows) {
    // binary values print as arrays of bytes in SQL, not as Java array identities
    return rows.selectExpr("to_json(struct(*))").collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
  }

  /** Runs a job over {@code rows} in 3 tasks that sends every row to {@code aside}; returns the rows the job kept. */
  private static long setAside(Dataset<Row> rows, SideAppend aside, Column alsoFail) {
    Column all = functions.struct(Arrays.stream(rows.columns()).map(functions::col).toArray(Column[]::new));
    Column sink = functions.udf(aside.sink(), DataTypes.BooleanType).asNondeterministic().apply(all);
    return rows.repartition(3).where(sink.or(alsoFail)).count();
  }

  private static long parquetFiles(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }

  @Test
  void rowsSetAsideByTasksAreCommittedOnceAndReadAsSparksOwnWriteOfThem(Lakehouse lake) throws IOException {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "quarantine");
    Dataset<Row> rows = spark.createDataFrame(rows(), SCHEMA);

    SideAppend aside = DeltaSink.sideAppend(spark, t, SCHEMA, SPEC).orElseThrow(); // creates the table
    assertThat(setAside(rows, aside, functions.lit(false))).isZero();
    assertThat(aside.rows()).isEqualTo(31);
    assertThat(aside.commit(new Txn("medallion:test", 4))).isTrue();

    assertThat(sorted(lake.table(t))).isEqualTo(sorted(rows));
    assertThat(lake.table(t).where("id = 'r7'").selectExpr("CAST(at AS STRING)", "CAST(price AS STRING)",
        "hex(raw)", "attrs['k']", "list[0].n").first().toString())
        .isEqualTo("[2026-12-03 01:02:10.123456,7.125,0701,7,7]");
    assertThat(DeltaSink.rowCount(spark, t)).isEqualTo(31);
    assertThat(spark.sql("DESCRIBE HISTORY " + t.quoted()).selectExpr("version", "operation",
        "operationParameters['mode']").orderBy("version").collectAsList().toString())
        .isEqualTo("[[0,CREATE TABLE,null], [1,WRITE,Append]]");

    // the same batch again (a replay): not committed twice, and its files are removed
    SideAppend again = DeltaSink.sideAppend(spark, t, SCHEMA, SPEC).orElseThrow();
    setAside(rows, again, functions.lit(false));
    assertThat(again.rows()).isEqualTo(31);
    assertThat(again.commit(new Txn("medallion:test", 4))).isFalse();
    assertThat(lake.table(t).count()).isEqualTo(31);
    assertThat(parquetFiles(folder(lake, t))).isEqualTo(lake.table(t).inputFiles().length);

    // the next batch is committed
    SideAppend next = DeltaSink.sideAppend(spark, t, SCHEMA, SPEC).orElseThrow();
    setAside(rows.where("id = 'r1'"), next, functions.lit(false));
    assertThat(next.commit(new Txn("medallion:test", 5))).isTrue();
    assertThat(lake.table(t).where("id = 'r1'").count()).isEqualTo(2);
  }

  @Test
  void aFailedTaskLeavesNoFileAndDiscardRemovesTheRest(Lakehouse lake) throws IOException {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "quarantine");
    Dataset<Row> rows = spark.createDataFrame(rows(), SCHEMA);
    SideAppend aside = DeltaSink.sideAppend(spark, t, SCHEMA, SPEC).orElseThrow();
    Column boom = functions.udf((String id) -> {
      if (id.equals("r5")) {
        throw new IllegalStateException("boom");
      }
      return false;
    }, DataTypes.BooleanType).asNondeterministic().apply(functions.col("id"));

    assertThatThrownBy(() -> setAside(rows, aside, boom)).hasStackTraceContaining("boom");
    long reported = aside.rows();
    assertThat(reported).as("the tasks that succeeded").isBetween(0L, 30L);
    try (Stream<Path> files = Files.list(folder(lake, t))) {
      assertThat(files.filter(f -> f.toString().endsWith(".parquet")).count())
          .as("one file per task that succeeded and met rows, none of the failed one").isLessThanOrEqualTo(2);
    }
    aside.discard();
    // Spark reports the job failed before the job's other running task has stopped; killed, that
    // task removes its own file as it stops (TaskFileAppend's completion listener), a moment later
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (parquetFiles(folder(lake, t)) > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
    }
    assertThat(parquetFiles(folder(lake, t))).as("no file left once every task has stopped").isZero();
    assertThat(lake.table(t).count()).isZero();
  }

  @Test
  void aTableOfAnotherLayoutGetsNoSideAppend(Lakehouse lake) {
    SparkSession spark = lake.spark();
    TableName wider = table(lake, "wider");
    DeltaSink.ensureTable(spark, wider, SCHEMA.add("extra", "string"), SPEC);
    TableName partitioned = table(lake, "partitioned");
    TableName mapped = table(lake, "mapped");
    spark.sql("CREATE SCHEMA IF NOT EXISTS `" + partitioned.catalog() + "`.`s`");
    spark.sql("CREATE SCHEMA IF NOT EXISTS `" + mapped.catalog() + "`.`s`");
    spark.sql("CREATE TABLE " + partitioned.quoted() + " (" + SCHEMA.toDDL() + ") USING delta PARTITIONED BY (day)");
    spark.sql("CREATE TABLE " + mapped.quoted() + " (" + SCHEMA.toDDL() + ") USING delta TBLPROPERTIES"
        + " ('delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')");

    for (TableName t : List.of(wider, partitioned, mapped)) {
      assertThat(DeltaSink.sideAppend(spark, t, SCHEMA, SPEC)).as(t.toString()).isEmpty();
    }
  }
}
