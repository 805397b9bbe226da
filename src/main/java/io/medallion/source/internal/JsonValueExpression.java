package io.medallion.source.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.medallion.internal.UtcTimestamps;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.json.CreateJacksonParser;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.json.JacksonParser;
import org.apache.spark.sql.catalyst.util.FailureSafeParser;
import org.apache.spark.sql.catalyst.util.LegacyDateFormats$;
import org.apache.spark.sql.catalyst.util.TimestampFormatter$;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;
import scala.collection.immutable.Map$;

/**
 * Spark's {@code from_json(value, schema, options)} for a struct schema, with one difference in
 * cost and none in result: a {@code TIMESTAMP} value written in the ISO 8601 UTC form ({@code
 * ...T10:20:30.123Z}) is read by {@link UtcTimestamps} instead of Spark's default parser, which
 * looks the zone up anew for every value (8% of a Kafka bronze task's CPU). Everything else is
 * Spark's own code: the same {@link JacksonParser} and {@link FailureSafeParser} (PERMISSIVE,
 * partial results, the corrupt-record column) that {@code from_json} builds. {@code
 * JsonValueExpressionTest} compares the two on valid, invalid and near-miss values.
 *
 * <p>Immutable; the parser is built lazily where the expression is evaluated (executors).
 */
final class JsonValueExpression extends Expression implements CodegenFallback, java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Expression child;
  private final scala.collection.immutable.List<Expression> children;
  private final StructType schema;
  private final scala.collection.immutable.Map<String, String> options;
  private final String timeZoneId;
  private transient FailureSafeParser<UTF8String> parser;

  /**
   * @param child the JSON text (a string expression)
   * @param schema the fields to read; a field named as the options' {@code columnNameOfCorruptRecord}
   *     receives the text of a value that does not parse or fit
   * @param timeZoneId the session's time zone, as {@code from_json} resolves it
   */
  JsonValueExpression(Expression child, StructType schema, scala.collection.immutable.Map<String, String> options,
      String timeZoneId) {
    this.child = child;
    this.children = scala.collection.JavaConverters.asScalaBuffer(java.util.List.of(child)).toList();
    this.schema = (StructType) schema.asNullable();
    this.options = options;
    this.timeZoneId = timeZoneId;
  }

  static scala.collection.immutable.Map<String, String> scalaMap(Map<String, String> options) {
    scala.collection.immutable.Map<String, String> out = Map$.MODULE$.empty();
    for (Map.Entry<String, String> e : options.entrySet()) {
      out = out.updated(e.getKey(), e.getValue());
    }
    return out;
  }

  @Override
  public scala.collection.Seq<Expression> children() {
    return children;
  }

  @Override
  public DataType dataType() {
    return schema;
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public Object eval(InternalRow input) {
    Object json = child.eval(input);
    if (json == null) {
      return null;
    }
    if (parser == null) {
      parser = buildParser();
    }
    scala.collection.Iterator<InternalRow> rows = parser.parse((UTF8String) json);
    return rows.hasNext() ? rows.next() : null;
  }

  /** As {@code JsonToStructs.parser} builds it, with {@link UtcParser} for the raw parser. */
  private FailureSafeParser<UTF8String> buildParser() {
    JSONOptions parsed = new JSONOptions(options, timeZoneId, SQLConf.get().columnNameOfCorruptRecord());
    String corrupt = parsed.columnNameOfCorruptRecord();
    StructType actual = new StructType();
    for (StructField f : schema.fields()) {
      if (!f.name().equals(corrupt)) {
        actual = actual.add(f);
      }
    }
    JacksonParser raw = new UtcParser(actual, parsed);
    Function1<UTF8String, scala.collection.Iterable<InternalRow>> parse =
        input -> raw.parse(input, CreateJacksonParser::utf8String, text -> text);
    return new FailureSafeParser<>(parse, parsed.parseMode(), schema, corrupt);
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  @Override
  public Expression withNewChildrenInternal(scala.collection.IndexedSeq<Expression> newChildren) {
    return new JsonValueExpression(newChildren.apply(0), schema, options, timeZoneId);
  }

  @Override
  public String prettyName() {
    return "from_json";
  }

  @Override
  public int productArity() {
    return 4;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> child;
      case 1 -> schema;
      case 2 -> options;
      case 3 -> timeZoneId;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof JsonValueExpression;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JsonValueExpression e && e.child.equals(child) && e.schema.equals(schema)
        && e.options.equals(options) && e.timeZoneId.equals(timeZoneId);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(child, schema, options, timeZoneId);
  }

  /** Spark's parser, but a {@code TIMESTAMP} in the UTC form takes {@link UtcTimestamps}' shortcut. */
  private static final class UtcParser extends JacksonParser {
    UtcParser(StructType schema, JSONOptions options) {
      super(schema, options, false, JacksonParser.$lessinit$greater$default$4());
    }

    /** Spark's parser for TIMESTAMP values is its default one (decided as Spark decides it). */
    private boolean sparkDefault() {
      JSONOptions o = options();
      return UtcTimestamps.isSparkDefault(TimestampFormatter$.MODULE$.apply(o.timestampFormatInRead(), o.zoneId(),
          o.locale(), LegacyDateFormats$.MODULE$.FAST_DATE_FORMAT(), true));
    }

    @Override
    public Function1<JsonParser, Object> makeConverter(DataType type) {
      Function1<JsonParser, Object> spark = super.makeConverter(type);
      // called by Spark's constructor (once per TIMESTAMP field): no field of this class is set yet
      if (!(type instanceof TimestampType) || !sparkDefault()) {
        return spark;
      }
      return p -> {
        // an object's field converter starts on the field's name, as Spark's own does (it skips it)
        JsonToken token = p.currentToken() == JsonToken.FIELD_NAME ? next(p) : p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
          String text = text(p);
          if (UtcTimestamps.zulu(text)) {
            Long utc = UtcTimestamps.parseZulu(text);
            if (utc != null) {
              return utc;
            }
          }
        }
        return spark.apply(p);
      };
    }

    /** The current token's text; Jackson's IOException passes through unchanged, as in Spark's converters. */
    private static String text(JsonParser p) {
      try {
        return p.getText();
      } catch (java.io.IOException e) {
        throw JsonValueExpression.<RuntimeException>rethrow(e);
      }
    }

    private static JsonToken next(JsonParser p) {
      try {
        return p.nextToken();
      } catch (java.io.IOException e) {
        throw JsonValueExpression.<RuntimeException>rethrow(e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E rethrow(Throwable e) throws E {
    throw (E) e;
  }
}
