package io.medallion.source.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.LocalSpark;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonValueExpression} gives exactly what Spark's {@code from_json} gives (values, NULLs,
 * partial results and the corrupt-record column), for time stamps that take its UTC shortcut, ones
 * that almost do, and every other kind of value, interpreted and code-generated, in a session whose
 * zone is not UTC (so a shortcut that read the text in the wrong zone would show).
 */
class JsonValueExpressionTest {
  private static final StructType SCHEMA = StructType.fromDDL(
      "ts TIMESTAMP, n INT, s STRING, amount DECIMAL(10,2), nested STRUCT<at: TIMESTAMP, d: DATE>, "
          + "times ARRAY<TIMESTAMP>, byName MAP<STRING, TIMESTAMP>, _corrupt_record STRING");
  private static final Map<String, String> OPTIONS =
      Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", "_corrupt_record");

  /** Time stamp texts: the UTC shape (valid and invalid), near misses, and other forms Spark reads. */
  private static final List<String> TIMES = List.of(
      "2024-01-15T10:20:30Z", "2024-01-15T10:20:30.123456Z", "2024-01-15 10:20:30Z", "2024-01-15T10:20:30.1Z",
      "2024-02-29T23:59:59.999Z", "1900-01-01T00:00:00Z", "2024-01-15T10:20:30.123456789Z",
      "2024-02-30T10:20:30Z", "2024-13-15T10:20:30Z", "2024-01-15T25:20:30Z", "2023-02-29T00:00:00Z",
      "2024-01-15T10:20Z", "2024-1-5T1:2:3Z", "+12024-01-15T10:20:30Z", "2024-01-15Z", "2024-01-15T10:20:30.Z",
      "10:20:30Z", "2024-01-15T10:20:30+01:00", "2024-01-15T10:20:30 Z", "2024-01-15T10:20:30UTC",
      "2024-01-15T10:20:30z", "2024-01-15T10:20:30", "2024-01-15", "Z", "1Z", "", " ");

  @Test
  void givesWhatFromJsonGivesForEveryKindOfValue() {
    List<String> values = new ArrayList<>();
    for (String t : TIMES) {
      values.add("{\"ts\": \"" + t + "\", \"n\": 1}");
      values.add("{\"nested\": {\"at\": \"" + t + "\", \"d\": \"2024-01-15\"}, \"times\": [\"" + t
          + "\", \"2024-01-15T10:20:30Z\"], \"byName\": {\"k\": \"" + t + "\"}}");
    }
    values.addAll(Arrays.asList(
        "{\"ts\": 1700000000, \"n\": 2}", "{\"ts\": \"1700000000\"}", "{\"ts\": 1.5}", "{\"ts\": true}",
        "{\"ts\": null, \"n\": null}", "{}", "{\"n\": \"x\", \"ts\": \"2024-01-15T10:20:30Z\", \"s\": \"after\"}",
        "{\"ts\": \"2024-02-30T10:20:30Z\", \"s\": \"kept\"}", "{\"amount\": 12.345}", "{\"amount\": \"1.5\"}",
        "{\"s\": {\"a\": [1, 2.50]}}", "{\"unknown\": 1, \"ts\": \"2024-01-15T10:20:30Z\"}",
        "{\"ts\": \"2024-01-15T10:20:30Z\"", "not json", "[1, 2]", "[{\"ts\": \"2024-01-15T10:20:30Z\"}]",
        "\"2024-01-15T10:20:30Z\"", "42", "", "{\"ts\": \"2024-01-15T10:20:30Z\"} trailing",
        "{\"_corrupt_record\": \"x\", \"n\": 3}", "{\"ts\": \"\\u0032024-01-15T10:20:30Z\"}"));
    values.add(null);
    SparkSession spark = LocalSpark.session();
    String zone = spark.conf().get("spark.sql.session.timeZone");
    String factory = spark.conf().get("spark.sql.codegen.factoryMode", "FALLBACK");
    String wholeStage = spark.conf().get("spark.sql.codegen.wholeStage", "true");
    String excluded = spark.conf().get("spark.sql.optimizer.excludedRules", "");
    spark.conf().set("spark.sql.session.timeZone", "America/New_York");
    // evaluated in tasks (serialized to them), not folded into a local relation on the driver
    spark.conf().set("spark.sql.optimizer.excludedRules", "org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation");
    try {
      for (String mode : List.of("NO_CODEGEN", "CODEGEN_ONLY")) {
        spark.conf().set("spark.sql.codegen.factoryMode", mode);
        spark.conf().set("spark.sql.codegen.wholeStage", mode.equals("CODEGEN_ONLY") ? "true" : "false");
        Dataset<Row> texts = spark.createDataset(values, Encoders.STRING()).toDF("value");
        Column ours = new Column(new JsonValueExpression(functions.col("value").expr(), SCHEMA,
            JsonValueExpression.scalaMap(OPTIONS), "America/New_York"));
        List<Row> rows = texts.select(functions.col("value"), functions.from_json(functions.col("value"), SCHEMA, OPTIONS),
            ours).collectAsList();
        assertThat(rows).hasSize(values.size());
        for (Row r : rows) {
          assertThat(r.get(2)).as(mode + ": " + r.getString(0)).isEqualTo(r.get(1));
        }
        // not vacuous: the shortcut's shape is read as the instant it names, and bad input is rescued
        Row first = rows.get(0).getStruct(2);
        assertThat(first.getTimestamp(0)).isEqualTo(Timestamp.from(Instant.parse("2024-01-15T10:20:30Z")));
        assertThat(first.isNullAt(7)).isTrue();
        Row invalid = rows.get(2 * TIMES.indexOf("2024-02-30T10:20:30Z")).getStruct(2);
        assertThat(invalid.isNullAt(0)).isTrue();
        assertThat(invalid.getString(7)).contains("2024-02-30T10:20:30Z");
        assertThat(rows.get(rows.size() - 1).isNullAt(2)).isTrue();
      }
    } finally {
      spark.conf().set("spark.sql.session.timeZone", zone);
      spark.conf().set("spark.sql.optimizer.excludedRules", excluded);
      spark.conf().set("spark.sql.codegen.factoryMode", factory);
      spark.conf().set("spark.sql.codegen.wholeStage", wholeStage);
    }
  }
}
