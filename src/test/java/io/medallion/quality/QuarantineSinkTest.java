package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller's {@link QualityCheck.QuarantineSink} gets each quarantined row of an inline batch as a
 * row of the quarantine table (its columns, {@code _errors}, {@code _batch_id}, {@code
 * _quarantined_at}) from the tasks of the target's write; when it holds another count than the
 * batch's quarantined rows, the batch gives the rows read again from its input instead.
 */
@ExtendWith(MedallionExtension.class)
class QuarantineSinkTest {
  /** What each test's sink received, by test (the tasks run in this JVM: local mode). */
  static final Map<String, List<Row>> RECEIVED = new ConcurrentHashMap<>();

  @TempDir Path dir;

  static QualityCheck.QuarantineSink sink(String key, long rowsOff) {
    RECEIVED.put(key, new CopyOnWriteArrayList<>());
    return new QualityCheck.QuarantineSink() {
      @Override
      public UDF1<Row, Boolean> function() {
        return row -> {
          RECEIVED.get(key).add(row);
          return false;
        };
      }

      @Override
      public long rows() {
        return RECEIVED.get(key).size() + rowsOff;
      }
    };
  }

  static Dataset<Row> rows(Lakehouse lake) {
    return lake.spark().range(0, 1000, 1, 4)
        .select(functions.col("id"), functions.when(functions.col("id").mod(10).equalTo(0), null)
            .otherwise(functions.concat(functions.lit("n"), functions.col("id"))).as("name"));
  }

  static QualityCheck check(Lakehouse lake, Path dir) {
    QualityRules rules = new QualityRules(List.of(
        Expectation.of("has_name", "name IS NOT NULL", Action.QUARANTINE),
        Expectation.of("small", "id < 985", Action.DROP),
        Expectation.of("even", "id % 2 = 0", Action.WARN)), List.of());
    return QualityCheck.compile(rules, "bronze.t", "c.s.t", "test: pipeline.bronze.t", rows(lake),
        dir.resolve("staging").toString());
  }

  @Test
  void theSinkGetsEachQuarantinedRowAsARowOfTheQuarantineTable(Lakehouse lake) {
    Dataset<Row> rows = rows(lake);
    QualityCheck check = check(lake, dir);
    assertThat(check.quarantinesOnTheWrite(false)).isTrue();
    assertThat(check.quarantinesOnTheWrite(true)).isFalse();
    try (QualityCheck.Batch batch = check.evaluate(rows, 7, false, Optional.of(sink("exact", 0)))) {
      assertThat(batch.keep().count()).isEqualTo(1000 - 100 - 14); // 985-999 but 990, which is quarantined
      QualityCheck.Outcome outcome = batch.after(true);
      assertThat(outcome.metrics().quarantined()).isEqualTo(100);
      assertThat(outcome.inSink()).isTrue();
      assertThat(outcome.quarantine()).isEmpty();
    }
    List<Row> got = RECEIVED.get("exact").stream()
        .sorted(java.util.Comparator.comparingLong(r -> r.getLong(0))).toList();
    assertThat(got).hasSize(100);
    org.apache.spark.sql.types.StructType schema = check.quarantineSchema(rows);
    assertThat(schema.fieldNames()).containsExactly("id", "name", "_errors", "_batch_id", "_quarantined_at");
    Row r990 = lake.spark().createDataFrame(got, schema).where("id = 990").first();
    assertThat(r990.<Object>getAs("name")).isNull();
    assertThat(r990.<Row>getList(2)).extracting(Row::toString)
        .containsExactly("[has_name,quarantine,name IS NOT NULL]", "[small,drop,id < 985]");
    assertThat(r990.<Long>getAs("_batch_id")).isEqualTo(7L);
    assertThat(r990.<Object>getAs("_quarantined_at")).isNotNull();
    assertThat(got.get(1).getLong(0)).isEqualTo(10L);
    assertThat(got.get(1).<Row>getList(2)).extracting(Row::toString).containsExactly("[has_name,quarantine,name IS NOT NULL]");
  }

  @Test
  void aSinkHoldingAnotherCountGivesWayToTheRowsReadAgain(Lakehouse lake) {
    Dataset<Row> rows = rows(lake);
    try (QualityCheck.Batch batch = check(lake, dir).evaluate(rows, 3, false, Optional.of(sink("short", -1)))) {
      batch.keep().count();
      QualityCheck.Outcome outcome = batch.after(true);
      assertThat(outcome.inSink()).isFalse();
      Dataset<Row> again = outcome.quarantine().orElseThrow();
      assertThat(again.count()).isEqualTo(100);
      assertThat(again.where("id = 990").selectExpr("size(_errors)", "_batch_id").first().toString()).isEqualTo("[2,3]");
    }
  }
}
