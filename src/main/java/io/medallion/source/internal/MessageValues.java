package io.medallion.source.internal;

import io.medallion.internal.Causes;
import io.medallion.MedallionException;
import io.medallion.pipeline.TableRef;
import io.medallion.source.ValueFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns message values (Kafka record values, Kinesis record data) into bronze columns: JSON parsed
 * with a declared schema, or the raw text or bytes in {@code value}. A JSON value that does not
 * parse, or whose fields do not fit their types, keeps its text in {@code _rescued_data}, a JSON
 * object with {@code _value} and the message's coordinates, so nothing becomes a silent null.
 */
final class MessageValues {
  static final String RESCUED = "_rescued_data";
  private static final String CORRUPT = "_corrupt_record";
  private static final String PARSED = "__medallion_value";

  private MessageValues() {}

  /**
   * The declared JSON columns, or null for string and binary values.
   *
   * @param reserved column names bronze adds itself, which the schema may not declare
   */
  static StructType schema(TableRef ref, ValueFormat format, Optional<String> ddl, List<String> reserved) {
    if (format != ValueFormat.JSON) {
      return null;
    }
    StructType schema;
    try {
      schema = StructType.fromDDL(ddl.orElseThrow());
    } catch (Exception e) {
      throw SourceReadErrors.badColumnList(ref, "value-schema", e);
    }
    for (String name : schema.fieldNames()) {
      if (name.equals(RESCUED) || name.equals(CORRUPT) || reserved.contains(name)) {
        throw SourceReadErrors.reservedValueColumn(ref, name);
      }
    }
    return schema;
  }

  /**
   * The bronze rows: the value's columns (then {@code _rescued_data} for JSON), then
   * {@code metadata}.
   *
   * @param value the message's value column (binary)
   * @param context named columns saying where a message came from, copied into {@code _rescued_data}
   */
  static Dataset<Row> decode(
      Dataset<Row> raw, Column value, ValueFormat format, StructType schema, Map<String, Column> context,
      List<Column> metadata) {
    List<Column> columns = new ArrayList<>();
    if (schema == null) {
      columns.add((format == ValueFormat.BINARY ? value : value.cast(DataTypes.StringType)).as("value"));
    } else {
      Map<String, String> jsonOptions = Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
      // from_json, with a cheaper path for UTC time stamps (JsonValueExpression)
      raw = raw.withColumn(PARSED, new Column(new JsonValueExpression(value.cast(DataTypes.StringType).expr(),
          schema.add(CORRUPT, DataTypes.StringType), JsonValueExpression.scalaMap(jsonOptions),
          raw.sparkSession().sessionState().conf().sessionLocalTimeZone())));
      for (StructField f : schema.fields()) {
        columns.add(functions.col(PARSED).getField(f.name()).as(f.name()));
      }
      Column corrupt = functions.col(PARSED).getField(CORRUPT);
      List<Column> rescued = new ArrayList<>();
      rescued.add(corrupt.as("_value"));
      context.forEach((name, c) -> rescued.add(c.as(name)));
      columns.add(functions.when(corrupt.isNotNull(), functions.to_json(functions.struct(rescued.toArray(new Column[0]))))
          .as(RESCUED));
    }
    columns.addAll(metadata);
    return raw.select(columns.toArray(new Column[0]));
  }
}
