package io.medallion.connector.files.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.connector.files.internal.JsonRecordParser.Observations;
import io.medallion.testkit.LocalSpark;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonRecordParserTest {
  private static final String FILE = "s3a://bucket/in/part-1.json";
  private static final String RESCUED = "_rescued_data";

  private static final StructType DATA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("name", DataTypes.StringType)
          .add("amount", DataTypes.DoubleType)
          .add("qty", DataTypes.IntegerType)
          .add("ok", DataTypes.BooleanType)
          .add("price", DataTypes.createDecimalType(10, 2))
          .add("day", DataTypes.DateType)
          .add("ts", DataTypes.TimestampType);

  private static final StructType NESTED =
      new StructType()
          .add("id", DataTypes.LongType)
          .add(
              "addr",
              new StructType()
                  .add("city", DataTypes.StringType)
                  .add("zip", DataTypes.IntegerType))
          .add("tags", DataTypes.createArrayType(DataTypes.LongType))
          .add("attrs", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType));

  // --------------------------------------------------------------------------------------------
  // helpers

  private static StructType withRescued(StructType s) {
    return s.add(RESCUED, DataTypes.StringType);
  }

  private static JsonRecordParser parser(StructType data) {
    return new JsonRecordParser(
        data, withRescued(data), Optional.of(RESCUED), Map.of(), "UTC");
  }

  private static InternalRow parse(JsonRecordParser p, String line, Observations obs) {
    byte[] b = ("XX" + line + "YY").getBytes(StandardCharsets.UTF_8); // offset and length matter
    return p.parse(b, 2, b.length - 4, FILE, obs);
  }

  private static InternalRow parse(JsonRecordParser p, String line) {
    return parse(p, line, new Observations());
  }

  /** The row as plain Java values (String, Long, BigDecimal, List, Map, ...). */
  private static List<Object> values(InternalRow row, StructType schema) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < schema.length(); i++) {
      DataType t = schema.fields()[i].dataType();
      out.add(row.isNullAt(i) ? null : java(row.get(i, t), t));
    }
    return out;
  }

  private static Object java(Object v, DataType t) {
    if (v == null) {
      return null;
    }
    if (v instanceof UTF8String) {
      return v.toString();
    }
    if (v instanceof Decimal) {
      return ((Decimal) v).toJavaBigDecimal();
    }
    if (t instanceof StructType) {
      return values((InternalRow) v, (StructType) t);
    }
    if (t instanceof ArrayType) {
      DataType e = ((ArrayType) t).elementType();
      ArrayData a = (ArrayData) v;
      List<Object> l = new ArrayList<>();
      for (int i = 0; i < a.numElements(); i++) {
        l.add(a.isNullAt(i) ? null : java(a.get(i, e), e));
      }
      return l;
    }
    if (t instanceof MapType) {
      MapType m = (MapType) t;
      MapData md = (MapData) v;
      Map<Object, Object> r = new LinkedHashMap<>();
      for (int i = 0; i < md.numElements(); i++) {
        r.put(
            java(md.keyArray().get(i, m.keyType()), m.keyType()),
            md.valueArray().isNullAt(i)
                ? null
                : java(md.valueArray().get(i, m.valueType()), m.valueType()));
      }
      return r;
    }
    if (v instanceof byte[]) {
      return new String((byte[]) v, StandardCharsets.UTF_8);
    }
    return v;
  }

  private static Map<Object, Object> mapOf(Object... kv) {
    Map<Object, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String rescued(InternalRow row, StructType required) {
    int i = required.fieldIndex(RESCUED);
    return row.isNullAt(i) ? null : row.getUTF8String(i).toString();
  }

  private static long micros(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  private static int days(String date) {
    return (int) LocalDate.parse(date).toEpochDay();
  }

  // --------------------------------------------------------------------------------------------
  // known fields

  @Test
  void convertsKnownFieldsToSparkInternalValues() {
    JsonRecordParser p = parser(DATA);
    InternalRow row =
        parse(
            p,
            "{\"id\": 7, \"name\": \"caf\\u00e9 \\\"x\\\"\", \"amount\": 1.5, \"qty\": -3, \"ok\": true,"
                + " \"price\": 12.345, \"day\": \"2024-02-29\", \"ts\": \"2024-01-15T10:20:30.123Z\"}");
    assertThat(row.getLong(0)).isEqualTo(7L);
    assertThat(row.getUTF8String(1).toString()).isEqualTo("café \"x\"");
    assertThat(row.getDouble(2)).isEqualTo(1.5);
    assertThat(row.getInt(3)).isEqualTo(-3);
    assertThat(row.getBoolean(4)).isTrue();
    assertThat(row.getDecimal(5, 10, 2).toJavaBigDecimal()).isEqualTo(new BigDecimal("12.35"));
    assertThat(row.getInt(6)).isEqualTo(days("2024-02-29"));
    assertThat(row.getLong(7)).isEqualTo(micros("2024-01-15T10:20:30.123Z"));
    assertThat(row.isNullAt(8)).isTrue(); // nothing rescued
  }

  @Test
  void missingFieldsAreNullAndNullIsNeverRescued() {
    JsonRecordParser p = parser(DATA);
    Observations obs = new Observations();
    InternalRow row = parse(p, "{\"id\": null, \"qty\": 5, \"new\": null}", obs);
    assertThat(values(row, withRescued(DATA)))
        .containsExactly(null, null, null, 5, null, null, null, null, null);
    assertThat(obs.rescuedRecords()).isZero();
    assertThat(obs.newFields()).containsExactly(Map.entry("new", DataTypes.StringType));
  }

  @Test
  void rescuesValuesThatDoNotFitTheirType() {
    JsonRecordParser p = parser(DATA);
    Observations obs = new Observations();
    InternalRow row =
        parse(
            p,
            "{\"id\": \"abc\", \"name\": \"n\", \"amount\": \"1.5\", \"qty\": 1.5, \"ok\": \"true\","
                + " \"price\": 123456789.5, \"day\": \"2024-13-45\", \"ts\": {\"a\": [1, 2]}}",
            obs);
    assertThat(values(row, DATA)).containsExactly(null, "n", null, null, null, null, null, null);
    assertThat(rescued(row, withRescued(DATA)))
        .isEqualTo(
            "{\"id\":\"abc\",\"amount\":\"1.5\",\"qty\":1.5,\"ok\":\"true\",\"price\":123456789.5,"
                + "\"day\":\"2024-13-45\",\"ts\":{\"a\": [1, 2]},\"_file_path\":\""
                + FILE
                + "\"}");
    assertThat(obs.records()).isEqualTo(1);
    assertThat(obs.rescuedRecords()).isEqualTo(1);
    assertThat(obs.corruptRecords()).isZero();
  }

  @Test
  void rescuesOutOfRangeNumbersAndNumericStrings() {
    StructType s =
        new StructType()
            .add("b", DataTypes.ByteType)
            .add("s", DataTypes.ShortType)
            .add("i", DataTypes.IntegerType)
            .add("l", DataTypes.LongType)
            .add("f", DataTypes.FloatType)
            .add("d", DataTypes.DoubleType)
            .add("l2", DataTypes.LongType);
    JsonRecordParser p = parser(s);
    InternalRow row =
        parse(
            p,
            "{\"b\": 128, \"s\": -32769, \"i\": 2147483648, \"l\": 9223372036854775808,"
                + " \"f\": 1e39, \"d\": 1e400, \"l2\": \"42\"}");
    assertThat(values(row, s)).containsOnlyNulls();
    assertThat(rescued(row, withRescued(s)))
        .isEqualTo(
            "{\"b\":128,\"s\":-32769,\"i\":2147483648,\"l\":9223372036854775808,\"f\":1e39,"
                + "\"d\":1e400,\"l2\":\"42\",\"_file_path\":\"" + FILE + "\"}");

    InternalRow inRange =
        parse(
            p,
            "{\"b\": -128, \"s\": 32767, \"i\": -2147483648, \"l\": -9223372036854775808,"
                + " \"f\": 2, \"d\": -0.25e1, \"l2\": 0}");
    assertThat(values(inRange, withRescued(s)))
        .containsExactly(
            (byte) -128, (short) 32767, Integer.MIN_VALUE, Long.MIN_VALUE, 2.0f, -2.5, 0L, null);
  }

  @Test
  void acceptsNonNumericStringsForDoublesAndFloats() {
    StructType s =
        new StructType()
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType)
            .add("c", DataTypes.FloatType)
            .add("d", DataTypes.DoubleType)
            .add("e", DataTypes.DoubleType);
    JsonRecordParser p = parser(s);
    InternalRow row =
        parse(
            p,
            "{\"a\": \"NaN\", \"b\": \"Infinity\", \"c\": \"-Infinity\", \"d\": NaN, \"e\": \"nan\"}");
    assertThat(values(row, withRescued(s)))
        .containsExactly(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Double.NaN,
            null,
            "{\"e\":\"nan\",\"_file_path\":\"" + FILE + "\"}");
  }

  @Test
  void decimalsFromNumbersAndNumericStringsRoundOrRescue() {
    StructType s =
        new StructType()
            .add("a", DataTypes.createDecimalType(5, 2))
            .add("b", DataTypes.createDecimalType(5, 2))
            .add("c", DataTypes.createDecimalType(5, 2))
            .add("d", DataTypes.createDecimalType(5, 2))
            .add("e", DataTypes.createDecimalType(38, 0))
            .add("f", DataTypes.createDecimalType(5, 2));
    JsonRecordParser p = parser(s);
    InternalRow row =
        parse(
            p,
            "{\"a\": 123.455, \"b\": \"-1.5\", \"c\": 1000, \"d\": \"x1\","
                + " \"e\": 12345678901234567890123456789, \"f\": 7}");
    assertThat(values(row, withRescued(s)))
        .containsExactly(
            new BigDecimal("123.46"),
            new BigDecimal("-1.50"),
            null,
            null,
            new BigDecimal("12345678901234567890123456789"),
            new BigDecimal("7.00"),
            "{\"c\":1000,\"d\":\"x1\",\"_file_path\":\"" + FILE + "\"}");
  }

  @Test
  void datesAndTimestampsParseLikeSparksJsonReader() {
    StructType s =
        new StructType()
            .add("t1", DataTypes.TimestampType)
            .add("t2", DataTypes.TimestampType)
            .add("t3", DataTypes.TimestampType)
            .add("t4", DataTypes.TimestampType)
            .add("d1", DataTypes.DateType)
            .add("d2", DataTypes.DateType)
            .add("n", DataTypes.TimestampNTZType)
            .add("bad", DataTypes.TimestampType);
    JsonRecordParser p =
        new JsonRecordParser(s, withRescued(s), Optional.of(RESCUED), Map.of(), "UTC");
    InternalRow row =
        parse(
            p,
            "{\"t1\": \"2024-01-15T10:20:30Z\", \"t2\": \"2024-01-15T10:20:30.5+02:00\","
                + " \"t3\": \"2024-01-15 10:20:30\", \"t4\": 1700000000, \"d1\": \"2024-01-15\","
                + " \"d2\": \"2024-01-15T23:59:59\", \"n\": \"2024-01-15T10:20:30.000001\","
                + " \"bad\": \"yesterday\"}");
    assertThat(values(row, withRescued(s)))
        .containsExactly(
            micros("2024-01-15T10:20:30Z"),
            micros("2024-01-15T08:20:30.5Z"),
            micros("2024-01-15T10:20:30Z"),
            1_700_000_000_000_000L,
            days("2024-01-15"),
            days("2024-01-15"),
            micros("2024-01-15T10:20:30.000001Z"),
            null,
            "{\"bad\":\"yesterday\",\"_file_path\":\"" + FILE + "\"}");
  }

  @Test
  void formatAndTimeZoneOptionsAreHonoured() {
    StructType s =
        new StructType().add("ts", DataTypes.TimestampType).add("d", DataTypes.DateType);
    JsonRecordParser p =
        new JsonRecordParser(
            s,
            withRescued(s),
            Optional.of(RESCUED),
            Map.of(
                "TIMESTAMPFORMAT", "dd/MM/yyyy HH:mm", "dateformat", "dd/MM/yyyy",
                "timeZone", "Europe/Paris"),
            "UTC");
    InternalRow row = parse(p, "{\"ts\": \"15/01/2024 10:20\", \"d\": \"29/02/2024\"}");
    assertThat(values(row, withRescued(s)))
        .containsExactly(micros("2024-01-15T09:20:00Z"), days("2024-02-29"), null);
    // with a format given there is no lenient fallback: ISO text does not fit
    InternalRow iso = parse(p, "{\"ts\": \"2024-01-15T10:20:00Z\", \"d\": \"2024-02-29\"}");
    assertThat(values(iso, withRescued(s)))
        .containsExactly(
            null,
            null,
            "{\"ts\":\"2024-01-15T10:20:00Z\",\"d\":\"2024-02-29\",\"_file_path\":\"" + FILE + "\"}");
    // the session time zone is the default
    JsonRecordParser la =
        new JsonRecordParser(s, s, Optional.empty(), Map.of(), "America/Los_Angeles");
    assertThat(parse(la, "{\"ts\": \"2024-01-15 10:20:00\"}").getLong(0))
        .isEqualTo(micros("2024-01-15T18:20:00Z"));
  }

  @Test
  void stringFieldsTakeAnyJsonValueAsItsText() {
    StructType s =
        new StructType()
            .add("a", DataTypes.StringType)
            .add("b", DataTypes.StringType)
            .add("c", DataTypes.StringType)
            .add("d", DataTypes.StringType)
            .add("e", DataTypes.StringType)
            .add("f", DataTypes.StringType);
    JsonRecordParser p = parser(s);
    InternalRow row =
        parse(
            p,
            "{\"a\": \"x\\ty\", \"b\": 1.50, \"c\": true, \"d\": {\"k\": [1, \"v\"]}, \"e\": [],"
                + " \"f\": -12}");
    assertThat(values(row, withRescued(s)))
        .containsExactly("x\ty", "1.50", "true", "{\"k\": [1, \"v\"]}", "[]", "-12", null);
  }

  @Test
  void binaryFieldsAreBase64() {
    StructType s =
        new StructType().add("b", DataTypes.BinaryType).add("c", DataTypes.BinaryType);
    InternalRow row = parse(parser(s), "{\"b\": \"aGVsbG8=\", \"c\": 5}");
    assertThat(values(row, withRescued(s)))
        .containsExactly("hello", null, "{\"c\":5,\"_file_path\":\"" + FILE + "\"}");
  }

  // --------------------------------------------------------------------------------------------
  // unknown fields

  @Test
  void rescuesUnknownFieldsAndKeysDifferingOnlyByCase() {
    JsonRecordParser p = parser(DATA);
    Observations obs = new Observations();
    InternalRow row =
        parse(p, "{\"id\": 1, \"ID\": 2, \"extra\": {\"a\": [1, {\"b\": \"x\"}]}, \"n2\": 3.5}", obs);
    assertThat(row.getLong(0)).isEqualTo(1L);
    assertThat(rescued(row, withRescued(DATA)))
        .isEqualTo(
            "{\"ID\":2,\"extra\":{\"a\": [1, {\"b\": \"x\"}]},\"n2\":3.5,\"_file_path\":\""
                + FILE
                + "\"}");
    assertThat(obs.rescuedRecords()).isEqualTo(1);
    assertThat(obs.newFields().keySet()).containsExactly("ID", "extra", "n2");
  }

  @Test
  void guessesNewFieldTypesAsStringsByDefault() {
    JsonRecordParser p = parser(DATA);
    assertThat(p.inferColumnTypes()).isFalse();
    Observations obs = new Observations();
    parse(
        p,
        "{\"s\": \"x\", \"l\": 1, \"d\": 1.5, \"b\": true, \"o\": {\"x\": 1, \"y\": [true]},"
            + " \"a\": [1, 2], \"e\": []}",
        obs);
    assertThat(obs.newFields())
        .containsExactly(
            Map.entry("s", DataTypes.StringType),
            Map.entry("l", DataTypes.StringType),
            Map.entry("d", DataTypes.StringType),
            Map.entry("b", DataTypes.StringType),
            Map.entry(
                "o",
                new StructType()
                    .add("x", DataTypes.StringType)
                    .add("y", DataTypes.createArrayType(DataTypes.StringType))),
            Map.entry("a", DataTypes.createArrayType(DataTypes.StringType)),
            Map.entry("e", DataTypes.createArrayType(DataTypes.StringType)));
  }

  @Test
  void guessesNewFieldTypesWhenInferringAndWidensAcrossRecords() {
    JsonRecordParser p =
        new JsonRecordParser(
            DATA,
            withRescued(DATA),
            Optional.of(RESCUED),
            Map.of("cloudFiles.inferColumnTypes", "true"),
            "UTC");
    assertThat(p.inferColumnTypes()).isTrue();
    Observations obs = new Observations();
    parse(
        p,
        "{\"s\": \"x\", \"l\": 1, \"d\": 1.5, \"b\": false, \"o\": {\"x\": 1}, \"a\": [1, 2.5],"
            + " \"m\": 1, \"z\": null}",
        obs);
    parse(
        p,
        "{\"l\": 2.5, \"o\": {\"x\": 2, \"y\": \"k\"}, \"m\": \"text\", \"z\": 3, \"s\": 4}",
        obs);
    assertThat(obs.newFields())
        .containsExactly(
            Map.entry("s", DataTypes.StringType),
            Map.entry("l", DataTypes.DoubleType),
            Map.entry("d", DataTypes.DoubleType),
            Map.entry("b", DataTypes.BooleanType),
            Map.entry("o", new StructType().add("x", DataTypes.LongType).add("y", DataTypes.StringType)),
            Map.entry("a", DataTypes.createArrayType(DataTypes.DoubleType)),
            Map.entry("m", DataTypes.StringType),
            Map.entry("z", DataTypes.LongType));
    assertThat(obs.records()).isEqualTo(2);
    assertThat(obs.rescuedRecords()).isEqualTo(2);

    // the explicit constructor flag
    assertThat(
            new JsonRecordParser(DATA, DATA, Optional.empty(), Map.of(), "UTC", true)
                .inferColumnTypes())
        .isTrue();
  }

  // --------------------------------------------------------------------------------------------
  // nested values

  @Test
  void nestedValuesAreBestEffortAndRescuedWhole() {
    JsonRecordParser p = parser(NESTED);
    StructType req = withRescued(NESTED);

    InternalRow good =
        parse(
            p,
            "{\"id\": 1, \"addr\": {\"city\": \"Oslo\", \"zip\": 150}, \"tags\": [1, null, 3],"
                + " \"attrs\": {\"a\": 1, \"b\": null}}");
    Map<Object, Object> attrs = new LinkedHashMap<>();
    attrs.put("a", 1L);
    attrs.put("b", null);
    assertThat(values(good, req))
        .containsExactly(1L, List.of("Oslo", 150), Arrays.asList(1L, null, 3L), attrs, null);

    InternalRow bad =
        parse(
            p,
            "{\"id\": 2, \"addr\": {\"city\": \"Oslo\", \"zip\": \"x\", \"floor\": 3},"
                + " \"tags\": [1, \"two\"], \"attrs\": {\"a\": 1.5, \"b\": 2}}");
    assertThat(values(bad, req).subList(0, 4))
        .containsExactly(
            2L,
            Arrays.asList("Oslo", null),
            Arrays.asList(1L, null),
            mapOf("a", null, "b", 2L));
    assertThat(rescued(bad, req))
        .isEqualTo(
            "{\"addr\":{\"city\": \"Oslo\", \"zip\": \"x\", \"floor\": 3},\"tags\":[1, \"two\"],"
                + "\"attrs\":{\"a\": 1.5, \"b\": 2},\"_file_path\":\""
                + FILE
                + "\"}");

    // an unknown nested key alone rescues the whole struct, which keeps its known parts
    InternalRow extra = parse(p, "{\"addr\": {\"city\": \"Rome\", \"Zip\": 1}}");
    assertThat(values(extra, req).get(1)).isEqualTo(Arrays.asList("Rome", null));
    assertThat(rescued(extra, req))
        .isEqualTo("{\"addr\":{\"city\": \"Rome\", \"Zip\": 1},\"_file_path\":\"" + FILE + "\"}");

    // a scalar where a struct/array is expected
    InternalRow scalar = parse(p, "{\"addr\": \"Rome\", \"tags\": 5}");
    assertThat(values(scalar, req))
        .containsExactly(
            null, null, null, null, "{\"addr\":\"Rome\",\"tags\":5,\"_file_path\":\"" + FILE + "\"}");
  }

  // --------------------------------------------------------------------------------------------
  // corrupt and blank lines

  @Test
  void corruptLinesGiveNullsAndTheWholeLine() {
    JsonRecordParser p = parser(DATA);
    Observations obs = new Observations();
    for (String line :
        List.of(
            "{\"id\": 1, \"name\": \"tru",
            "{\"id\": 1,,}",
            "[{\"id\": 1}]",
            "42",
            "\"text\"",
            "not json",
            "{\"id\": 1} {\"id\": 2}",
            "{\"id\": 1}}")) {
      InternalRow row = parse(p, line, obs);
      assertThat(values(row, DATA)).as(line).containsOnlyNulls();
      StringBuilder esc = new StringBuilder();
      for (char c : line.toCharArray()) {
        esc.append(c == '"' ? "\\\"" : String.valueOf(c));
      }
      assertThat(rescued(row, withRescued(DATA)))
          .as(line)
          .isEqualTo("{\"_corrupt_record\":\"" + esc + "\",\"_file_path\":\"" + FILE + "\"}");
    }
    assertThat(obs.records()).isEqualTo(8);
    assertThat(obs.corruptRecords()).isEqualTo(8);
    assertThat(obs.rescuedRecords()).isZero();
  }

  @Test
  void blankLinesAreSkippedAndNotCounted() {
    JsonRecordParser p = parser(DATA);
    Observations obs = new Observations();
    assertThat(parse(p, "", obs)).isNull();
    assertThat(parse(p, "   \t \r", obs)).isNull();
    assertThat(obs.records()).isZero();
  }

  @Test
  void withoutRescueCorruptLinesAreNullRowsAndStillCounted() {
    JsonRecordParser p = new JsonRecordParser(DATA, DATA, Optional.empty(), Map.of(), "UTC");
    assertThat(p.rescuedColumn()).isEmpty();
    Observations obs = new Observations();
    assertThat(values(parse(p, "{\"id\": ", obs), DATA)).containsOnlyNulls();
    InternalRow row = parse(p, "{\"id\": \"x\", \"qty\": 3, \"new\": 1}", obs);
    assertThat(row.numFields()).isEqualTo(DATA.length());
    assertThat(values(row, DATA)).containsExactly(null, null, null, 3, null, null, null, null);
    assertThat(obs.records()).isEqualTo(2);
    assertThat(obs.corruptRecords()).isEqualTo(1);
    assertThat(obs.rescuedRecords()).isEqualTo(1);
    assertThat(obs.newFields()).containsOnlyKeys("new");
  }

  // --------------------------------------------------------------------------------------------
  // duplicates, escaping

  @Test
  void duplicateKeysLastWins() {
    JsonRecordParser p = parser(DATA);
    StructType req = withRescued(DATA);
    InternalRow row = parse(p, "{\"id\": \"bad\", \"id\": 5, \"qty\": 1, \"qty\": \"x\", \"u\": 1, \"u\": [2]}");
    assertThat(row.getLong(0)).isEqualTo(5L);
    assertThat(row.isNullAt(3)).isTrue();
    assertThat(rescued(row, req))
        .isEqualTo("{\"qty\":\"x\",\"u\":[2],\"_file_path\":\"" + FILE + "\"}");
  }

  @Test
  void rescuedJsonIsProperlyEscaped() {
    JsonRecordParser p = parser(DATA);
    byte[] b =
        "{\"we\\\"ird\\nkey\": 'single', \"id\": {'a': \"b\"}, \"x\": \"\\u00e9\\\\\"}"
            .getBytes(StandardCharsets.UTF_8);
    InternalRow row = p.parse(b, 0, b.length, "/data/a \"b\"\\c.json", new Observations());
    assertThat(rescued(row, withRescued(DATA)))
        .isEqualTo(
            "{\"we\\\"ird\\nkey\":\"single\",\"id\":{\"a\":\"b\"},\"x\":\"\\u00e9\\\\\","
                + "\"_file_path\":\"/data/a \\\"b\\\"\\\\c.json\"}");

    // an apostrophe inside a double-quoted string keeps the raw value byte-exact
    InternalRow apostrophe = parse(p, "{\"id\": {\"t\": \"it's \\\"ok\\\"\", \"n\": 1.50}}");
    assertThat(rescued(apostrophe, withRescued(DATA)))
        .isEqualTo(
            "{\"id\":{\"t\": \"it's \\\"ok\\\"\", \"n\": 1.50},\"_file_path\":\"" + FILE + "\"}");

    byte[] c = "{\"id\": \"tab\there".getBytes(StandardCharsets.UTF_8);
    InternalRow corrupt = p.parse(c, 0, c.length, null, null);
    assertThat(rescued(corrupt, withRescued(DATA)))
        .isEqualTo("{\"_corrupt_record\":\"{\\\"id\\\": \\\"tab\\there\"}");
  }

  // --------------------------------------------------------------------------------------------
  // required schema

  @Test
  void producesTheRequiredColumnsOnlyAndDoesNotRescuePrunedFields() {
    StructType req =
        new StructType()
            .add(RESCUED, DataTypes.StringType)
            .add("qty", DataTypes.IntegerType)
            .add("id", DataTypes.LongType);
    JsonRecordParser p =
        new JsonRecordParser(DATA, req, Optional.of(RESCUED), Map.of(), "UTC");
    InternalRow row =
        parse(p, "{\"id\": 9, \"name\": 5, \"amount\": \"not a number\", \"qty\": \"x\", \"new\": 1}");
    assertThat(values(row, req))
        .containsExactly(
            "{\"qty\":\"x\",\"new\":1,\"_file_path\":\"" + FILE + "\"}", null, 9L);

    // the rescued column in the middle
    StructType mid =
        new StructType()
            .add("id", DataTypes.LongType)
            .add(RESCUED, DataTypes.StringType)
            .add("ok", DataTypes.BooleanType);
    InternalRow m =
        parse(
            new JsonRecordParser(DATA, mid, Optional.of(RESCUED), Map.of(), "UTC"),
            "{\"ok\": 1, \"id\": 3}");
    assertThat(values(m, mid))
        .containsExactly(3L, "{\"ok\":1,\"_file_path\":\"" + FILE + "\"}", null);

    // rescue configured but not required: nothing rescued, new fields still observed
    Observations obs = new Observations();
    StructType idOnly = new StructType().add("id", DataTypes.LongType);
    InternalRow o =
        parse(
            new JsonRecordParser(DATA, idOnly, Optional.of(RESCUED), Map.of(), "UTC"),
            "{\"id\": \"x\", \"n\": true}",
            obs);
    assertThat(values(o, idOnly)).containsOnlyNulls();
    assertThat(obs.newFields()).containsOnlyKeys("n");
    assertThat(obs.rescuedRecords()).isEqualTo(1);
  }

  @Test
  void prunedNestedStructsKeepTheirKnownFieldsUnrescued() {
    StructType req =
        new StructType()
            .add("addr", new StructType().add("zip", DataTypes.IntegerType))
            .add(RESCUED, DataTypes.StringType);
    JsonRecordParser p = new JsonRecordParser(NESTED, req, Optional.of(RESCUED), Map.of(), "UTC");
    InternalRow row = parse(p, "{\"addr\": {\"city\": 5, \"zip\": 10}}");
    assertThat(values(row, req)).containsExactly(List.of(10), null);
  }

  @Test
  void rejectsRequiredColumnsOutsideTheDataSchema() {
    StructType req = new StructType().add("id", DataTypes.LongType).add("other", DataTypes.StringType);
    assertThatThrownBy(
            () -> new JsonRecordParser(DATA, req, Optional.of(RESCUED), Map.of(), "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other");
    StructType rescuedWithoutRescue = withRescued(DATA);
    assertThatThrownBy(
            () ->
                new JsonRecordParser(DATA, rescuedWithoutRescue, Optional.empty(), Map.of(), "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(RESCUED);
    StructType wrongType = new StructType().add("id", DataTypes.StringType);
    assertThatThrownBy(
            () -> new JsonRecordParser(DATA, wrongType, Optional.empty(), Map.of(), "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
  }

  // --------------------------------------------------------------------------------------------
  // observations, serialization

  @Test
  void observationsMergeAndReset() {
    JsonRecordParser p = parser(DATA);
    Observations a = new Observations();
    Observations b = new Observations();
    parse(p, "{\"id\": 1}", a);
    parse(p, "{\"x\": 1}", a);
    parse(p, "{oops", b);
    parse(p, "{\"y\": \"s\"}", b);
    a.merge(b);
    assertThat(a.records()).isEqualTo(4);
    assertThat(a.rescuedRecords()).isEqualTo(2);
    assertThat(a.corruptRecords()).isEqualTo(1);
    assertThat(a.newFields()).containsOnlyKeys("x", "y");
    a.reset();
    assertThat(a.records()).isZero();
    assertThat(a.newFields()).isEmpty();
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    JsonRecordParser p =
        new JsonRecordParser(
            NESTED, withRescued(NESTED), Optional.of(RESCUED), Map.of("timeZone", "UTC"), "UTC");
    String line = "{\"id\": 1, \"addr\": {\"city\": \"Oslo\", \"zip\": \"x\"}, \"tags\": [4]}";
    List<Object> before = values(parse(p, line), withRescued(NESTED)); // state built before
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    JsonRecordParser copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (JsonRecordParser) in.readObject();
    }
    assertThat(values(parse(copy, line), withRescued(NESTED))).isEqualTo(before);
    assertThat(before.get(4))
        .isEqualTo(
            "{\"addr\":{\"city\": \"Oslo\", \"zip\": \"x\"},\"_file_path\":\"" + FILE + "\"}");
  }

  // --------------------------------------------------------------------------------------------
  // against Spark's own JSON reader

  @TempDir Path tmp;

  @Test
  void givesTheSameValuesAsSparksJsonReader() throws Exception {
    StructType schema =
        new StructType()
            .add("s", DataTypes.StringType)
            .add("b", DataTypes.BooleanType)
            .add("y", DataTypes.ByteType)
            .add("h", DataTypes.ShortType)
            .add("i", DataTypes.IntegerType)
            .add("l", DataTypes.LongType)
            .add("f", DataTypes.FloatType)
            .add("d", DataTypes.DoubleType)
            .add("dec", DataTypes.createDecimalType(12, 3))
            .add("day", DataTypes.DateType)
            .add("ts", DataTypes.TimestampType)
            .add("ntz", DataTypes.TimestampNTZType)
            .add("bin", DataTypes.BinaryType)
            .add(
                "st",
                new StructType()
                    .add("a", DataTypes.LongType)
                    .add("inner", new StructType().add("x", DataTypes.StringType))
                    .add("arr", DataTypes.createArrayType(DataTypes.DoubleType)))
            .add("arr", DataTypes.createArrayType(DataTypes.StringType))
            .add(
                "arrst",
                DataTypes.createArrayType(new StructType().add("k", DataTypes.IntegerType)))
            .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
            .add(
                "mm",
                DataTypes.createMapType(
                    DataTypes.StringType, DataTypes.createArrayType(DataTypes.LongType)));
    List<String> lines =
        List.of(
            "{\"s\": \"héllo \\\"w\\\"\", \"b\": true, \"y\": -5, \"h\": 300, \"i\": 123456, \"l\": 9007199254740993,"
                + " \"f\": 1.25, \"d\": -2.5e-3, \"dec\": 123.4567, \"day\": \"2024-02-29\","
                + " \"ts\": \"2024-01-15T10:20:30.123456Z\", \"ntz\": \"2024-01-15T10:20:30.5\","
                + " \"bin\": \"aGVsbG8=\", \"st\": {\"a\": 1, \"inner\": {\"x\": \"y\"}, \"arr\": [1.5, null, 2]},"
                + " \"arr\": [\"a\", null, \"c\"], \"arrst\": [{\"k\": 1}, {\"k\": 2}],"
                + " \"m\": {\"x\": 1, \"y\": 2}, \"mm\": {\"p\": [1, 2], \"q\": []}}",
            "{\"s\": 42, \"b\": false, \"d\": \"NaN\", \"f\": \"-Infinity\", \"dec\": \"1,234.5\","
                + " \"day\": \"2024-3-7\", \"ts\": \"2024-06-01 08:00:00+02:00\", \"l\": -1}",
            "{\"s\": {\"nested\":[1,\"x\"]}, \"ts\": 1700000000, \"day\": \"2024-01-15T12:00:00\","
                + " \"dec\": -0.0005, \"d\": 12, \"st\": {\"a\": null}, \"m\": {}}",
            "{\"s\": true, \"ts\": \"2024-01-15T10:20\", \"day\": \"2024\", \"arr\": [],"
                + " \"dec\": 999999999.9994}",
            "{}");
    Path file = tmp.resolve("data.json");
    Files.write(file, lines);

    SparkSession spark = LocalSpark.session();
    String tz = spark.conf().get("spark.sql.session.timeZone");
    List<InternalRow> sparkRows =
        Arrays.asList(
            (InternalRow[])
                spark
                    .read()
                    .schema(schema)
                    .json(file.toString())
                    .queryExecution()
                    .executedPlan()
                    .executeCollect());

    StructType required = withRescued(schema);
    JsonRecordParser p =
        new JsonRecordParser(schema, required, Optional.of(RESCUED), new HashMap<>(), tz);
    assertThat(sparkRows).hasSize(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      InternalRow ours = parse(p, lines.get(i));
      assertThat(rescued(ours, required)).as(lines.get(i)).isNull();
      List<Object> expected = values(sparkRows.get(i), schema);
      List<Object> actual = values(ours, schema);
      // byte[] compare by content: values() turns them into strings
      assertThat(actual).as(lines.get(i)).isEqualTo(expected);
    }
    // sanity: the comparison is not vacuous
    assertThat(values(sparkRows.get(0), schema).get(0)).isEqualTo("héllo \"w\"");
    assertThat(values(sparkRows.get(2), schema).get(0)).isEqualTo("{\"nested\":[1,\"x\"]}");
  }

  @Test
  void utcTimestampsTakeAShortcutThatGivesSparksValues() throws Exception {
    // Texts ending in Z parse without Spark's per-value zone lookup; every one must give what
    // Spark's own JSON reader gives (in a session zone that is not UTC), and the others too.
    List<String> texts = List.of(
        "2024-01-15T10:20:30Z", "2024-01-15T10:20:30.123456Z", "2024-01-15 10:20:30Z",
        "2024-01-15T10:20Z", "2024-1-5T1:2:3Z", "2024-02-29T23:59:59.999Z", "1900-01-01T00:00:00Z",
        "+12024-01-15T10:20:30Z", "2024-01-15Z", "2024-01-15T10:20:30.1234567Z", "2024-13-15T10:20:30Z",
        "2024-01-15T25:20:30Z", "10:20:30Z", "2024-01-15T10:20:30+01:00", "2024-01-15T10:20:30 Z",
        "2024-01-15T10:20:30UTC", "Z", "1Z", "2024-01-15T10:20:30z");
    assertThat(io.medallion.internal.UtcTimestamps.zulu("2024-01-15T10:20:30Z")).isTrue();
    assertThat(io.medallion.internal.UtcTimestamps.zulu("2024-01-15 10:20:30.123456789Z")).isTrue();
    assertThat(io.medallion.internal.UtcTimestamps.zulu("2024-01-15T10:20Z")).isFalse();
    assertThat(io.medallion.internal.UtcTimestamps.zulu("2024-01-15T10:20:30.Z")).isFalse();
    assertThat(io.medallion.internal.UtcTimestamps.zulu("2024-01-15T10:20:30+01:00")).isFalse();
    StructType schema = new StructType().add("ts", DataTypes.TimestampType);
    Path file = tmp.resolve("zulu.json");
    Files.write(file, texts.stream().map(t -> "{\"ts\": \"" + t + "\"}").toList());
    SparkSession spark = LocalSpark.session();
    String before = spark.conf().get("spark.sql.session.timeZone");
    spark.conf().set("spark.sql.session.timeZone", "America/New_York");
    try {
      List<InternalRow> sparkRows = Arrays.asList((InternalRow[]) spark.read().schema(schema)
          .json(file.toString()).queryExecution().executedPlan().executeCollect());
      JsonRecordParser p = new JsonRecordParser(schema, withRescued(schema), Optional.of(RESCUED), new HashMap<>(),
          "America/New_York");
      assertThat(sparkRows).hasSize(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        assertThat(values(parse(p, "{\"ts\": \"" + texts.get(i) + "\"}"), schema)).as(texts.get(i))
            .isEqualTo(values(sparkRows.get(i), schema));
      }
      assertThat(values(sparkRows.get(0), schema)).containsExactly(micros("2024-01-15T10:20:30Z")); // not vacuous
    } finally {
      spark.conf().set("spark.sql.session.timeZone", before);
    }
  }
}
