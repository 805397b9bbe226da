package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarantine rows are set aside by the executors on the pass that writes the target: files per
 * task under the staging folder, read back by a job of their own; none is collected to the driver,
 * and the folder is gone once the batch is closed.
 */
@ExtendWith(MedallionExtension.class)
class QuarantineSpillTest {
  @TempDir Path dir;

  @Test
  void quarantineRowsGoThroughFilesOfTheTasksNotTheDriver(Lakehouse lake) throws Exception {
    Dataset<Row> rows = lake.spark().range(0, 1000, 1, 4)
        .select(functions.col("id"), functions.when(functions.col("id").mod(10).equalTo(0), null)
            .otherwise(functions.concat(functions.lit("n"), functions.col("id"))).as("name"),
            functions.struct(functions.col("id").as("k"), functions.array(functions.lit("a"), functions.lit("b")).as("tags")).as("nested"));
    QualityRules rules = new QualityRules(List.of(
        Expectation.of("has_name", "name IS NOT NULL", Action.QUARANTINE),
        Expectation.of("small", "id < 995", Action.DROP)), List.of());
    Path staging = dir.resolve("staging");
    QualityCheck check = QualityCheck.compile(rules, "bronze.t", "c.s.t", "test: pipeline.bronze.t", rows, staging.toString());
    Path target = dir.resolve("target");
    try (QualityCheck.Batch batch = check.evaluate(rows, 7, false)) {
      batch.keep().write().parquet(target.toString());
      try (Stream<Path> files = Files.walk(staging)) {
        assertThat(files.filter(p -> p.toString().endsWith(".rows")).count()).isEqualTo(4); // one per task
      }
      QualityCheck.Outcome outcome = batch.after(true);
      assertThat(outcome.metrics().quarantined()).isEqualTo(100); // id 0, 10, ..., 990
      Dataset<Row> quarantine = outcome.quarantine().orElseThrow();
      assertThat(quarantine.queryExecution().analyzed()).isNotInstanceOf(LocalRelation.class);
      List<Row> got = quarantine.orderBy("id").collectAsList();
      assertThat(got).hasSize(100);
      assertThat(got.get(1).<Long>getAs("id")).isEqualTo(10L);
      assertThat(got.get(1).<Row>getAs("nested").<Long>getAs("k")).isEqualTo(10L);
      assertThat(got.get(1).<Row>getAs("nested").getList(1)).containsExactly("a", "b");
      assertThat(got.get(1).<Long>getAs("_batch_id")).isEqualTo(7L);
      assertThat(got.get(1).getList(got.get(1).fieldIndex("_errors")).toString()).contains("has_name");
    }
    assertThat(lake.spark().read().parquet(target.toString()).count()).isEqualTo(1000 - 100 - 5);
    try (Stream<Path> left = Files.list(staging)) {
      assertThat(left).isEmpty();
    }

    // A run killed between the write and the quarantine append leaves its files; the next run's
    // start removes them (its batch is replayed and reads its quarantine rows again).
    Path leftover = Files.createDirectories(staging.resolve("killed-run")).resolve("part-0-1.rows");
    Files.writeString(leftover, "x");
    check.clearStaging(lake.spark());
    assertThat(staging).doesNotExist();
  }

  @Test
  void aTaskSpillingThousandsOfRowsReadsEachBackWithItsOwnValues(Lakehouse lake) {
    // 2,500 quarantined rows per task: past the stream's periodic reset, with repeated strings and
    // a timestamp per row, so a stale back-reference would show as a wrong value
    Dataset<Row> rows = lake.spark().range(0, 5000, 1, 2)
        .select(functions.col("id"), functions.lit("same").as("label"),
            functions.timestamp_seconds(functions.col("id")).as("ts"));
    QualityRules rules = new QualityRules(List.of(Expectation.of("none_pass", "id < 0", Action.QUARANTINE)), List.of());
    QualityCheck check = QualityCheck.compile(rules, "bronze.t", "c.s.t", "test: pipeline.bronze.t", rows,
        dir.resolve("staging-many").toString());
    try (QualityCheck.Batch batch = check.evaluate(rows, 1, false)) {
      assertThat(batch.keep().count()).isZero();
      QualityCheck.Outcome outcome = batch.after(true);
      assertThat(outcome.metrics().quarantined()).isEqualTo(5000);
      Dataset<Row> q = outcome.quarantine().orElseThrow();
      assertThat(q.count()).isEqualTo(5000);
      assertThat(q.where("label = 'same' AND ts = timestamp_seconds(id)").select("id").distinct().count())
          .isEqualTo(5000);
    }
  }

  @Test
  void everyColumnTypeComesBackFromTheStagingFilesAsItWent(Lakehouse lake) {
    Dataset<Row> rows = lake.spark().sql("SELECT id, CAST(id AS INT) AS i, CAST(id AS SMALLINT) AS s,"
        + " CAST(id % 100 AS TINYINT) AS b, id * 0.5 AS d, CAST(id * 0.25 AS FLOAT) AS f, id % 2 = 0 AS flag,"
        + " CAST(id / 3 AS DECIMAL(20,6)) AS dec, CAST(id AS DECIMAL(38,0)) * 100000000000000000000 AS big,"
        + " date_add(DATE'2026-01-01', CAST(id AS INT)) AS day, timestamp_micros(id * 1000001) AS ts,"
        + " CAST(concat('x', id) AS BINARY) AS bin, map('k', id) AS m, array(id, id + 1) AS arr,"
        + " named_struct('n', id, 'tags', array('a')) AS st,"
        + " CASE WHEN id % 5 = 0 THEN NULL ELSE concat('\u00fc\u20ac\ud834\udd1e', id) END AS text"
        + " FROM range(0, 300, 1, 2)");
    QualityRules rules = new QualityRules(List.of(Expectation.of("none_pass", "id < 0", Action.QUARANTINE)), List.of());
    QualityCheck check = QualityCheck.compile(rules, "bronze.t", "c.s.t", "test: pipeline.bronze.t", rows,
        dir.resolve("staging-types").toString());
    try (QualityCheck.Batch batch = check.evaluate(rows, 2, false)) {
      assertThat(batch.keep().count()).isZero();
      Dataset<Row> q = batch.after(true).quarantine().orElseThrow();
      List<Row> got = q.select(java.util.Arrays.stream(rows.columns()).map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
          .orderBy("id").collectAsList();
      List<Row> expected = rows.orderBy("id").collectAsList();
      assertThat(got).hasSize(300);
      for (int r = 0; r < 300; r++) {
        assertThat(got.get(r)).as("row %d", r).isEqualTo(expected.get(r));
      }
      assertThat(got.get(1).<String>getAs("text")).isEqualTo("\u00fc\u20ac\ud834\udd1e1");
      assertThat(got.get(0).<String>getAs("text")).isNull();
    }
  }
}
