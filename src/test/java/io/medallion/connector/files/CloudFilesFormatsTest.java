package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.apache.spark.sql.execution.streaming.StreamingQueryWrapper;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parquet, ORC and Avro through {@code cloudFiles}, with files written by Spark itself: inference of
 * nested types, a second file with a new column, a file whose types do not fit, a restart.
 */
class CloudFilesFormatsTest extends CloudFilesTestBase {
  private static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  private static final String NESTED = "SELECT 1L AS id, named_struct('x', 1, 'y', 'a') AS s,"
      + " array(1, 2) AS arr, map('k', 1.5D) AS m, CAST('12.50' AS DECIMAL(10,2)) AS amount,"
      + " TIMESTAMP'2024-06-01 10:00:00' AS at";

  private static String wholeStage;

  /**
   * Spark reads Parquet and ORC vectorized only with whole-stage code generation on, as it is in a
   * job; the test kit's session turns it off (see LocalSpark), so this class turns it back on.
   */
  @BeforeAll
  static void wholeStageCodegen() {
    wholeStage = spark().conf().get(WHOLE_STAGE);
    spark().conf().set(WHOLE_STAGE, "true");
  }

  @AfterAll
  static void restoreWholeStageCodegen() {
    spark().conf().set(WHOLE_STAGE, wholeStage);
  }

  /** Writes the query's rows as one file of the format, named {@code name} under the landing folder. */
  private Path land(String format, String sql, String name) {
    Path out = dir.resolve("gen").resolve(name);
    spark().sql(sql).coalesce(1).write().format(format).save(out.toString());
    try (Stream<Path> files = Files.list(out)) {
      Path part = files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
      Path target = landing().resolve(name);
      Files.createDirectories(target.getParent());
      return Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private StreamingQuery run(String format) throws Exception {
    return availableNow(autoLoader(format).load(landing().toString()));
  }

  private static String plan(StreamingQuery q) {
    return ((StreamingQueryWrapper) q).streamingQuery().lastExecution().executedPlan().toString();
  }

  /** A given schema with {@code rescuedDataColumn} set, mode none: a new column's values are rescued, not dropped. */
  @Test
  void parquetWithAGivenSchemaAndARescuedDataColumnRescuesNewColumns() throws Exception {
    land("parquet", "SELECT 1L AS id", "a.parquet");
    Path b = land("parquet", "SELECT 2L AS id, 'red' AS color", "b.parquet");
    availableNow(autoLoader("parquet").schema("id BIGINT").option("rescuedDataColumn", "_rescued_data")
        .load(landing().toString()));
    assertThat(table().orderBy("id").collectAsList().toString())
        .isEqualTo("[[1,null], [2,{\"color\":\"red\",\"_file_path\":\"file:" + b + "\"}]]");
  }

  @Test
  void parquetIsReadVectorizedEvolvesRescuesAndRestarts() throws Exception {
    land("parquet", NESTED, "a.parquet");
    StreamingQuery q = run("parquet");
    assertThat(plan(q)).contains("Batched: true");
    assertThat(table().schema().apply("s").dataType().simpleString()).isEqualTo("struct<x:int,y:string>");
    assertThat(table().schema().apply("arr").dataType().simpleString()).isEqualTo("array<int>");
    assertThat(table().schema().apply("m").dataType().simpleString()).isEqualTo("map<string,double>");
    assertThat(table().schema().apply("amount").dataType()).isEqualTo(new DecimalType(10, 2));
    assertThat(table().schema().apply("at").dataType()).isEqualTo(DataTypes.TimestampType);
    assertThat(table().selectExpr("s.y", "arr[1]", "m['k']", "CAST(amount AS STRING)", "_rescued_data")
        .first().toString()).isEqualTo("[a,2,1.5,12.50,null]");

    land("parquet", "SELECT 2L AS id, 'red' AS color", "b.parquet");
    assertThatThrownBy(() -> run("parquet")).hasStackTraceContaining("[CLOUD_FILES_NEW_COLUMNS]")
        .hasStackTraceContaining("b.parquet has new columns: `color` string");
    run("parquet");
    assertThat(table().where("id = 2").select("color").first().getString(0)).isEqualTo("red");

    Path typed = land("parquet", "SELECT 3L AS id, 'abc' AS amount, 'blue' AS color", "c.parquet");
    Path cased = land("parquet", "SELECT 4L AS ID, 'green' AS color", "d.parquet");
    run("parquet");
    assertThat(table().where("id = 3").select("amount", "color", "_rescued_data").first().toString())
        .isEqualTo("[null,blue,{\"amount\":\"abc\",\"_file_path\":\"file:" + typed + "\"}]");
    assertThat(table().where("color = 'green'").select("id", "_rescued_data").first().toString())
        .isEqualTo("[null,{\"ID\":4,\"_file_path\":\"file:" + cased + "\"}]");

    StreamingQuery again = run("parquet");
    assertThat(table().count()).isEqualTo(4);
    assertThat(again.lastProgress().numInputRows()).isZero();
  }

  @Test
  void dmsFullLoadThenCdcFilesWithOpAndCommitTimestamp() throws Exception {
    land("parquet", "SELECT CAST(id AS INT) AS id, concat('n', id) AS name,"
        + " CAST(id * 1.25 AS DECIMAL(10,2)) AS balance FROM range(1, 4)", "LOAD00000001.parquet");
    run("parquet");
    land("parquet", "SELECT 'U' AS Op, TIMESTAMP'2026-11-02 10:00:00' AS _dms_commit_ts, 2 AS id,"
        + " 'n2b' AS name, CAST(9.50 AS DECIMAL(10,2)) AS balance"
        + " UNION ALL SELECT 'D', TIMESTAMP'2026-11-02 10:00:01', 3, 'n3', CAST(3.75 AS DECIMAL(10,2))",
        "cdc/20261102-100000000.parquet");
    assertThatThrownBy(() -> run("parquet")).hasStackTraceContaining("has new columns: `Op` string, `_dms_commit_ts` timestamp");
    run("parquet");
    assertThat(table().schema().apply("_dms_commit_ts").dataType()).isEqualTo(DataTypes.TimestampType);
    assertThat(table().schema().apply("balance").dataType()).isEqualTo(new DecimalType(10, 2));
    assertThat(table().orderBy("_dms_commit_ts", "id").selectExpr("Op", "id", "name", "CAST(balance AS STRING)",
        "CAST(_dms_commit_ts AS STRING)").collectAsList().toString())
        .isEqualTo("[[null,1,n1,1.25,null], [null,2,n2,2.50,null], [null,3,n3,3.75,null],"
            + " [U,2,n2b,9.50,2026-11-02 10:00:00], [D,3,n3,3.75,2026-11-02 10:00:01]]");
  }

  @Test
  void orcIsReadVectorizedStopsOnNewColumnsAndRescuesPerColumn() throws Exception {
    land("orc", NESTED, "a.orc");
    StreamingQuery q = run("orc");
    assertThat(plan(q)).contains("Batched: true");
    assertThat(table().selectExpr("s.y", "arr[1]", "m['k']", "CAST(amount AS STRING)", "_rescued_data")
        .first().toString()).isEqualTo("[a,2,1.5,12.50,null]");

    Path added = land("orc", "SELECT 2L AS id, 'red' AS color", "b.orc");
    assertThatThrownBy(() -> availableNow(autoLoader("orc")
        .option("cloudFiles.schemaEvolutionMode", "failOnNewColumns").load(landing().toString())))
        .hasStackTraceContaining("b.orc has new columns: `color` string");
    Path bad = land("orc", "SELECT 3L AS id, 'abc' AS amount", "c.orc");
    availableNow(autoLoader("orc").option("cloudFiles.schemaEvolutionMode", "rescue").load(landing().toString()));
    assertThat(table().count()).isEqualTo(3);
    assertThat(table().where("id = 3").select("amount", "_rescued_data").first().toString())
        .isEqualTo("[null,{\"amount\":\"abc\",\"_file_path\":\"file:" + bad + "\"}]");
    assertThat(table().where("id = 2").select("_rescued_data").first().getString(0))
        .isEqualTo("{\"color\":\"red\",\"_file_path\":\"file:" + added + "\"}");
    run("orc");
    assertThat(table().count()).isEqualTo(3);
  }

  @Test
  void avroEvolvesRescuesColumnsThatDoNotFitAndRestarts() throws Exception {
    land("avro", NESTED, "a.avro");
    run("avro");
    assertThat(table().selectExpr("id", "s.y", "arr[1]", "m['k']", "CAST(amount AS STRING)", "_rescued_data")
        .first().toString()).isEqualTo("[1,a,2,1.5,12.50,null]");

    land("avro", "SELECT 2L AS id, 'red' AS color", "b.avro");
    assertThatThrownBy(() -> run("avro")).hasStackTraceContaining("b.avro has new columns: `color` string");
    run("avro");
    assertThat(table().where("id = 2").select("color").first().getString(0)).isEqualTo("red");

    Path bad = land("avro", "SELECT 'three' AS id, 'blue' AS color, 7 AS Amount", "c.avro");
    run("avro");
    assertThat(table().count()).isEqualTo(3);
    assertThat(table().where("color = 'blue'").select("id", "amount", "_rescued_data").first().toString())
        .isEqualTo("[null,null,{\"id\":\"three\",\"Amount\":7,\"_file_path\":\"file:" + bad + "\"}]");
    run("avro");
    assertThat(table().count()).isEqualTo(3);
  }
}
