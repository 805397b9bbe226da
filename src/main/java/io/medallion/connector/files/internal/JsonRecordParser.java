package io.medallion.connector.files.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.medallion.internal.UtcTimestamps;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.ExprUtils$;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.DateFormatter;
import org.apache.spark.sql.catalyst.util.DateFormatter$;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.catalyst.util.LegacyDateFormats$;
import org.apache.spark.sql.catalyst.util.RebaseDateTime;
import org.apache.spark.sql.catalyst.util.TimestampFormatter;
import org.apache.spark.sql.catalyst.util.TimestampFormatter$;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Enumeration;
import scala.Function1;
import scala.Option;
import scala.Tuple2;

/**
 * Parses one JSON Lines record into a Spark {@link InternalRow} against a schema, and rescues
 * whatever does not fit into a rescued-data column, as Databricks Auto Loader's {@code
 * _rescued_data} does.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Known fields (exact, case-sensitive name of a top-level field of the data schema) are
 *       converted to their type. Known fields that are not in the required schema are skipped
 *       without looking at their value (not checked, not rescued).
 *   <li>A value that does not convert (a string for a number, a float for an integral type, an
 *       out-of-range number, a bad date, a numeric string for a number, an object for a scalar...)
 *       leaves the field null and its raw JSON goes into the rescued column under the field name.
 *   <li>Structs, arrays and maps are converted best effort: a nested part that does not fit (also
 *       an unknown key inside a struct) is null in the produced value, and the WHOLE top-level
 *       value is rescued under the top-level field name.
 *   <li>Unknown top-level fields (including keys differing only by case) are rescued and reported
 *       in {@link Observations#newFields()} with a guessed type.
 *   <li>JSON {@code null} is a null value, never rescued.
 *   <li>String fields take any JSON value: strings as their text, anything else as its exact JSON
 *       text from the input (like Spark 4's exact string parsing; Spark 3.5 re-serializes
 *       objects, arrays and numbers, e.g. {@code 1.50} becomes {@code 1.5}, whitespace dropped).
 *   <li>A line that is not one JSON object (malformed, truncated, an array, a scalar, trailing
 *       content) gives a row of nulls and, with rescue, {@code {"_corrupt_record":"<line>",
 *       "_file_path":"..."}}; it is counted as corrupt. Bad input never throws.
 *   <li>Duplicate keys: the last one wins (an earlier rescued value of the same key is dropped).
 * </ul>
 *
 * <p>The rescued column holds a compact JSON object {@code {"<field>":<raw value>,...,
 * "_file_path":"<path>"}}, in input order, or null when nothing was rescued. Raw values are the
 * input bytes of the value, except strings quoted with single quotes and the non-numeric numbers
 * {@code NaN}/{@code Infinity} (accepted as Spark's reader accepts them), which are written as JSON
 * strings so the result stays valid JSON.
 *
 * <p>Parsing (Jackson features, date/time formats, time zone, locale, decimal parsing,
 * non-numeric numbers) follows Spark's JSON reader through Spark's own {@link JSONOptions},
 * {@link TimestampFormatter}, {@link DateFormatter}; options are the JSON reader's options.
 *
 * <p>Built on the driver and serialized to executors: the Jackson factory, converters and buffers
 * are created lazily on first use. One instance is not thread-safe: use one per task (Spark
 * deserializes one per task). Rows never reference the input byte array.
 */
public final class JsonRecordParser implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The key of the source file path in the rescued JSON. */
  public static final String FILE_PATH_KEY = "_file_path";
  /** The key of the whole line of a corrupt record in the rescued JSON. */
  public static final String CORRUPT_RECORD_KEY = "_corrupt_record";
  /** Options (case-insensitive) that turn on type guessing for new fields. */
  public static final List<String> INFER_COLUMN_TYPES_OPTIONS =
      List.of("cloudFiles.inferColumnTypes", "inferColumnTypes");

  private static final int SKIP = -1;

  private final StructType dataSchema;
  private final StructType requiredSchema;
  private final String rescuedColumn; // null when rescue is off
  private final int rescuedOrdinal; // -1 when the rescued column is not required
  private final boolean inferColumnTypes;
  private final JSONOptions jsonOptions;
  private final boolean timestampFallback;
  private final boolean dateFallback;
  /** Top-level field name to ordinal in the produced row, or SKIP (known, not required). */
  private final HashMap<String, Integer> slots;

  private transient State state;

  /**
   * @param dataSchema the full data schema of the source (the KNOWN fields), without the rescued
   *     column
   * @param requiredSchema the columns to produce, in this order: fields of {@code dataSchema}
   *     (same type, or a pruned struct/array/map of it) and possibly the rescued column (a string)
   * @param rescuedColumn the rescued-data column name, or empty when rescue is off
   * @param options JSON reader options, case-insensitive keys ({@code timestampFormat}, {@code
   *     dateFormat}, {@code timestampNTZFormat}, {@code timeZone}, {@code locale}, {@code
   *     allowNonNumericNumbers}, ...); {@code cloudFiles.inferColumnTypes} or {@code
   *     inferColumnTypes} ({@code true}/{@code false}, default false) sets how new fields' types are
   *     guessed
   * @param sessionTimeZone the time zone used when no {@code timeZone} option is given
   * @throws IllegalArgumentException when {@code requiredSchema} has a column that is neither a
   *     data field nor the rescued column, or types that do not match
   */
  public JsonRecordParser(
      StructType dataSchema,
      StructType requiredSchema,
      Optional<String> rescuedColumn,
      Map<String, String> options,
      String sessionTimeZone) {
    this(
        dataSchema,
        requiredSchema,
        rescuedColumn,
        options,
        sessionTimeZone,
        inferOption(options));
  }

  /**
   * As the other constructor, with new fields' types guessed as {@code long/double/boolean/string}
   * leaves when {@code inferColumnTypes}, else with string leaves (Auto Loader's JSON default).
   */
  public JsonRecordParser(
      StructType dataSchema,
      StructType requiredSchema,
      Optional<String> rescuedColumn,
      Map<String, String> options,
      String sessionTimeZone,
      boolean inferColumnTypes) {
    this.dataSchema = Objects.requireNonNull(dataSchema, "dataSchema");
    this.requiredSchema = Objects.requireNonNull(requiredSchema, "requiredSchema");
    this.rescuedColumn = rescuedColumn.filter(s -> !s.isEmpty()).orElse(null);
    this.inferColumnTypes = inferColumnTypes;
    if (this.rescuedColumn != null && Arrays.asList(dataSchema.fieldNames()).contains(this.rescuedColumn)) {
      throw new IllegalArgumentException(
          "the rescued column " + this.rescuedColumn + " is also a field of the data schema");
    }
    slots = new HashMap<>();
    for (StructField f : dataSchema.fields()) {
      slots.put(f.name(), SKIP);
    }
    int rescued = -1;
    StructField[] req = requiredSchema.fields();
    for (int i = 0; i < req.length; i++) {
      String name = req[i].name();
      if (name.equals(this.rescuedColumn)) {
        if (!(req[i].dataType() instanceof StringType)) {
          throw new IllegalArgumentException(
              "the rescued column " + name + " must be a string, not " + req[i].dataType().simpleString());
        }
        rescued = i;
      } else if (slots.get(name) != null) {
        if (slots.get(name) != SKIP) {
          throw new IllegalArgumentException("column " + name + " is required twice");
        }
        checkCompatible(name, req[i].dataType(), dataSchema.apply(name).dataType());
        slots.put(name, i);
      } else {
        throw new IllegalArgumentException(
            "required column "
                + name
                + " is neither a field of the data schema "
                + dataSchema.simpleString()
                + (this.rescuedColumn == null ? "" : " nor the rescued column " + this.rescuedColumn));
      }
    }
    this.rescuedOrdinal = rescued;

    Map<String, String> opts = options == null ? Map.of() : options;
    scala.collection.immutable.Map<String, String> scalaOpts =
        scala.collection.immutable.Map$.MODULE$.empty();
    for (Map.Entry<String, String> e : opts.entrySet()) {
      scalaOpts = scalaOpts.$plus(new Tuple2<>(e.getKey(), e.getValue()));
    }
    String tz = sessionTimeZone == null ? ZoneId.systemDefault().getId() : sessionTimeZone;
    this.jsonOptions = new JSONOptions(scalaOpts, tz, "_corrupt_record");
    // As Spark's JacksonParser decides whether to fall back to the legacy date/time parsing.
    SQLConf conf = SQLConf.get();
    Option<Object> fallback = jsonOptions.enableDateTimeParsingFallback();
    if (fallback.isEmpty()) {
      fallback = conf.jsonEnableDateTimeParsingFallback();
    }
    boolean legacy = "LEGACY".equals(String.valueOf(conf.legacyTimeParserPolicy()));
    this.timestampFallback =
        fallback.isDefined()
            ? (Boolean) fallback.get()
            : legacy || jsonOptions.timestampFormatInRead().isEmpty();
    this.dateFallback =
        fallback.isDefined() ? (Boolean) fallback.get() : legacy || jsonOptions.dateFormatInRead().isEmpty();
  }

  private static boolean inferOption(Map<String, String> options) {
    if (options != null) {
      for (Map.Entry<String, String> e : options.entrySet()) {
        for (String key : INFER_COLUMN_TYPES_OPTIONS) {
          if (key.equalsIgnoreCase(e.getKey())) {
            return Boolean.parseBoolean(e.getValue().trim());
          }
        }
      }
    }
    return false;
  }

  private static void checkCompatible(String path, DataType required, DataType data) {
    if (required instanceof StructType && data instanceof StructType) {
      StructType d = (StructType) data;
      for (StructField f : ((StructType) required).fields()) {
        if (!Arrays.asList(d.fieldNames()).contains(f.name())) {
          throw new IllegalArgumentException(
              "required field " + path + "." + f.name() + " is not in the data schema");
        }
        checkCompatible(path + "." + f.name(), f.dataType(), d.apply(f.name()).dataType());
      }
    } else if (required instanceof ArrayType && data instanceof ArrayType) {
      checkCompatible(
          path + "[]", ((ArrayType) required).elementType(), ((ArrayType) data).elementType());
    } else if (required instanceof MapType && data instanceof MapType) {
      checkCompatible(path + "{}", ((MapType) required).keyType(), ((MapType) data).keyType());
      checkCompatible(path + "{}", ((MapType) required).valueType(), ((MapType) data).valueType());
    } else if (!required.equals(data)) {
      throw new IllegalArgumentException(
          "required column "
              + path
              + " has type "
              + required.simpleString()
              + " but the data schema says "
              + data.simpleString());
    }
  }

  /** The data schema (known fields). */
  public StructType dataSchema() {
    return dataSchema;
  }

  /** The produced row's schema. */
  public StructType requiredSchema() {
    return requiredSchema;
  }

  /** The rescued column name, empty when rescue is off. */
  public Optional<String> rescuedColumn() {
    return Optional.ofNullable(rescuedColumn);
  }

  /** Whether new fields' leaf types are guessed (long/double/boolean/string) or all strings. */
  public boolean inferColumnTypes() {
    return inferColumnTypes;
  }

  /**
   * Parses one record (one line of JSON Lines).
   *
   * @param bytes the buffer holding the line (UTF-8); not referenced by the result
   * @param filePath the source file, written to the rescued JSON as {@code _file_path}
   * @param out what parsing saw, updated (may be null)
   * @return the row in the required schema's order, or null for a blank/whitespace-only line
   */
  public InternalRow parse(byte[] bytes, int offset, int length, String filePath, Observations out) {
    State s = state;
    if (s == null) {
      s = state = new State();
    }
    return s.parse(bytes, offset, length, filePath, out);
  }

  // ---------------------------------------------------------------------------------------------
  // Observations

  /** What parsing saw that the caller must count or act on. Mutable; reuse it per file/partition. */
  public static final class Observations implements Serializable {
    private static final long serialVersionUID = 1L;
    private long records;
    private long rescuedRecords;
    private long corruptRecords;
    private final LinkedHashMap<String, DataType> newFields = new LinkedHashMap<>();

    /** Non-blank lines parsed (corrupt ones included). */
    public long records() {
      return records;
    }

    /**
     * Well-formed records with at least one value that did not fit (a type mismatch in a required
     * field, or a non-null unknown field), whether or not the rescued column is produced.
     */
    public long rescuedRecords() {
      return rescuedRecords;
    }

    /** Lines that were not one JSON object. */
    public long corruptRecords() {
      return corruptRecords;
    }

    /**
     * New top-level fields (not in the data schema) in order of first appearance, with their
     * guessed type: first seen wins, widened long to double (or decimal), structs merged field by
     * field, arrays by element, anything else mixed to string; a field only ever null, an empty
     * array's element, are strings.
     */
    public Map<String, DataType> newFields() {
      LinkedHashMap<String, DataType> m = new LinkedHashMap<>();
      newFields.forEach((k, v) -> m.put(k, Guess.finish(v)));
      return m;
    }

    /** Adds another observation's counts and new fields into this one. */
    public void merge(Observations other) {
      records += other.records;
      rescuedRecords += other.rescuedRecords;
      corruptRecords += other.corruptRecords;
      other.newFields.forEach(this::observeNewField);
    }

    /** Back to zero. */
    public void reset() {
      records = 0;
      rescuedRecords = 0;
      corruptRecords = 0;
      newFields.clear();
    }

    void observeNewField(String name, DataType type) {
      DataType old = newFields.get(name);
      newFields.put(name, old == null ? type : Guess.merge(old, type));
    }

    @Override
    public String toString() {
      return "Observations{records="
          + records
          + ", rescuedRecords="
          + rescuedRecords
          + ", corruptRecords="
          + corruptRecords
          + ", newFields="
          + newFields()
          + "}";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Per-instance runtime state (transient, built on first parse)

  private final class State {
    final JsonFactory factory = jsonOptions.buildJsonFactory();
    final Conv[] converters;
    final int width = requiredSchema.length();
    final boolean rescuing = rescuedOrdinal >= 0;
    final Formatters formatters = new Formatters();

    // per record
    byte[] bytes;
    int offset;
    boolean failed;

    // rescued values of the current record
    final ArrayList<String> rescuedNames = new ArrayList<>();
    final ArrayList<byte[]> rescuedValues = new ArrayList<>();
    // new fields of the current record, committed to the observations when the record is good
    final ArrayList<String> newNames = new ArrayList<>();
    final ArrayList<DataType> newTypes = new ArrayList<>();
    final ByteBuf buf = new ByteBuf();
    String lastPath;
    byte[] lastPathJson;

    State() {
      StructField[] req = requiredSchema.fields();
      converters = new Conv[req.length];
      for (int i = 0; i < req.length; i++) {
        if (i != rescuedOrdinal) {
          DataType t = req[i].dataType();
          converters[i] = converter(t, dataSchema.apply(req[i].name()).dataType());
        }
      }
    }

    InternalRow parse(byte[] b, int off, int len, String filePath, Observations out) {
      this.bytes = b;
      this.offset = off;
      rescuedNames.clear();
      rescuedValues.clear();
      newNames.clear();
      newTypes.clear();
      Object[] values = new Object[width];
      boolean anyRescued = false;
      try (JsonParser p = factory.createParser(b, off, len)) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return null; // blank line
        }
        if (t != JsonToken.START_OBJECT) {
          return corrupt(b, off, len, filePath, out);
        }
        String name;
        while ((name = p.nextFieldName()) != null) {
          t = p.nextToken();
          Integer slot = slots.get(name);
          if (slot == null) {
            // unknown field: rescue it, guess its type
            long start = rescuing && t.isStructStart() ? tokenStart(p) : -1;
            DataType guessed = Guess.guess(p, t, inferColumnTypes);
            newNames.add(name);
            newTypes.add(guessed);
            if (t != JsonToken.VALUE_NULL) {
              anyRescued = true;
              if (rescuing) {
                putRescued(name, raw(p, t, start));
              }
            } else if (rescuing && !rescuedNames.isEmpty()) {
              dropRescued(name);
            }
            continue;
          }
          int ord = slot;
          if (ord == SKIP) {
            p.skipChildren();
            continue;
          }
          if (t == JsonToken.VALUE_NULL) {
            values[ord] = null;
          } else {
            // an object/array needs its start offset to be rescued (a string field takes it whole)
            long start =
                rescuing && t.isStructStart() && converters[ord] != STRING ? tokenStart(p) : -1;
            failed = false;
            values[ord] = converters[ord].convert(p, t, this);
            if (failed) {
              anyRescued = true;
              if (rescuing) {
                putRescued(name, raw(p, t, start));
              }
              continue;
            }
          }
          if (rescuing && !rescuedNames.isEmpty()) {
            dropRescued(name); // duplicate key: the last one wins
          }
        }
        if (p.nextToken() != null) {
          return corrupt(b, off, len, filePath, out); // trailing content
        }
      } catch (IOException | RuntimeException e) {
        return corrupt(b, off, len, filePath, out);
      } finally {
        this.bytes = null;
      }
      if (out != null) {
        out.records++;
        if (anyRescued) {
          out.rescuedRecords++;
        }
        for (int i = 0; i < newNames.size(); i++) {
          out.observeNewField(newNames.get(i), newTypes.get(i));
        }
      }
      if (rescuing && !rescuedNames.isEmpty()) {
        buf.reset();
        buf.append('{');
        for (int i = 0; i < rescuedNames.size(); i++) {
          appendJsonString(buf, rescuedNames.get(i));
          buf.append(':');
          buf.append(rescuedValues.get(i));
          buf.append(',');
        }
        appendFilePath(filePath);
        values[rescuedOrdinal] = UTF8String.fromBytes(buf.toByteArray());
      }
      return new GenericInternalRow(values);
    }

    private InternalRow corrupt(byte[] b, int off, int len, String filePath, Observations out) {
      if (out != null) {
        out.records++;
        out.corruptRecords++;
      }
      Object[] values = new Object[width];
      if (rescuing) {
        buf.reset();
        buf.append('{');
        appendJsonString(buf, CORRUPT_RECORD_KEY);
        buf.append(':');
        appendJsonString(buf, new String(b, off, len, StandardCharsets.UTF_8));
        buf.append(',');
        appendFilePath(filePath);
        values[rescuedOrdinal] = UTF8String.fromBytes(buf.toByteArray());
      }
      return new GenericInternalRow(values);
    }

    private void appendFilePath(String filePath) {
      if (filePath == null) {
        // no file: close the object after the trailing comma
        buf.setLength(buf.length() - 1);
        buf.append('}');
        return;
      }
      if (!filePath.equals(lastPath)) {
        ByteBuf pb = new ByteBuf();
        appendJsonString(pb, FILE_PATH_KEY);
        pb.append(':');
        appendJsonString(pb, filePath);
        pb.append('}');
        lastPathJson = pb.toByteArray();
        lastPath = filePath;
      }
      buf.append(lastPathJson);
    }

    private void putRescued(String name, byte[] raw) {
      int i = rescuedNames.indexOf(name);
      if (i >= 0) {
        rescuedNames.remove(i);
        rescuedValues.remove(i);
      }
      rescuedNames.add(name);
      rescuedValues.add(raw);
    }

    private void dropRescued(String name) {
      int i = rescuedNames.indexOf(name);
      if (i >= 0) {
        rescuedNames.remove(i);
        rescuedValues.remove(i);
      }
    }

    /** Absolute offset in {@code bytes} of the current token. */
    long tokenStart(JsonParser p) {
      return offset + p.getTokenLocation().getByteOffset();
    }

    /**
     * The raw JSON of the value whose first token is {@code t}. For an object or array the parser
     * must be at its end token and {@code start} its first byte.
     */
    byte[] raw(JsonParser p, JsonToken t, long start) throws IOException {
      switch (t) {
        case START_OBJECT:
        case START_ARRAY:
          {
            int from = (int) start;
            int to = (int) (offset + p.getCurrentLocation().getByteOffset());
            byte[] r = Arrays.copyOfRange(bytes, from, to);
            if (hasSingleQuotedString(r)) {
              // possibly single-quoted strings (Spark's reader accepts them): re-serialize as JSON
              return reserialize(from, to - from);
            }
            return r;
          }
        case VALUE_STRING:
          {
            int from = (int) tokenStart(p);
            if (bytes[from] == '"') {
              int i = from + 1;
              while (bytes[i] != '"') {
                i += bytes[i] == '\\' ? 2 : 1;
              }
              return Arrays.copyOfRange(bytes, from, i + 1);
            }
            ByteBuf b = new ByteBuf();
            appendJsonString(b, p.getText());
            return b.toByteArray();
          }
        case VALUE_NUMBER_FLOAT:
          if (nonNumericToken(p, t)) {
            ByteBuf b = new ByteBuf();
            appendJsonString(b, p.getText());
            return b.toByteArray();
          }
          return p.getText().getBytes(StandardCharsets.UTF_8);
        default:
          return p.getText().getBytes(StandardCharsets.UTF_8);
      }
    }

    private byte[] reserialize(int from, int len) throws IOException {
      java.io.ByteArrayOutputStream os = new java.io.ByteArrayOutputStream(len);
      try (JsonParser q = factory.createParser(bytes, from, len);
          com.fasterxml.jackson.core.JsonGenerator g =
              factory.createGenerator(os, com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
        q.nextToken();
        g.copyCurrentStructure(q);
      }
      return os.toByteArray();
    }

    /** Builds the converter producing {@code required} from a value of the data schema's {@code data}. */
    Conv converter(DataType required, DataType data) {
      if (required instanceof StringType) {
        return STRING;
      } else if (required instanceof BooleanType) {
        return BOOLEAN;
      } else if (required instanceof ByteType) {
        return new IntegralConv(Byte.MIN_VALUE, Byte.MAX_VALUE, 'b');
      } else if (required instanceof ShortType) {
        return new IntegralConv(Short.MIN_VALUE, Short.MAX_VALUE, 's');
      } else if (required instanceof IntegerType) {
        return new IntegralConv(Integer.MIN_VALUE, Integer.MAX_VALUE, 'i');
      } else if (required instanceof LongType) {
        return new IntegralConv(Long.MIN_VALUE, Long.MAX_VALUE, 'l');
      } else if (required instanceof FloatType) {
        return new FractionalConv(true, jsonOptions.allowNonNumericNumbers());
      } else if (required instanceof DoubleType) {
        return new FractionalConv(false, jsonOptions.allowNonNumericNumbers());
      } else if (required instanceof DecimalType) {
        DecimalType d = (DecimalType) required;
        return new DecimalConv(d.precision(), d.scale(), formatters);
      } else if (required instanceof DateType) {
        return new DateConv(formatters, dateFallback);
      } else if (required instanceof TimestampType) {
        return new TimestampConv(formatters, timestampFallback, jsonOptions.zoneId());
      } else if (required instanceof TimestampNTZType) {
        return new TimestampNtzConv(formatters);
      } else if (required instanceof BinaryType) {
        return BINARY;
      } else if (required instanceof ArrayType) {
        return new ArrayConv(
            converter(((ArrayType) required).elementType(), ((ArrayType) data).elementType()));
      } else if (required instanceof MapType) {
        MapType m = (MapType) required;
        if (!(m.keyType() instanceof StringType)) {
          throw new IllegalArgumentException(
              "JSON maps need string keys, not " + m.keyType().simpleString());
        }
        return new MapConv(converter(m.valueType(), ((MapType) data).valueType()));
      } else if (required instanceof StructType) {
        StructType r = (StructType) required;
        StructType d = (StructType) data;
        HashMap<String, Integer> fieldSlots = new HashMap<>();
        for (String n : d.fieldNames()) {
          fieldSlots.put(n, SKIP);
        }
        Conv[] convs = new Conv[r.length()];
        for (int i = 0; i < convs.length; i++) {
          StructField f = r.fields()[i];
          fieldSlots.put(f.name(), i);
          convs[i] = converter(f.dataType(), d.apply(f.name()).dataType());
        }
        return new StructConv(fieldSlots, convs);
      }
      throw new IllegalArgumentException(
          "unsupported type for JSON parsing: " + required.simpleString());
    }

    /** Lazily built Spark formatters (so the parser does not build what its schema never needs). */
    final class Formatters {
      private TimestampFormatter timestamp;
      private Boolean defaultTimestamp;
      private TimestampFormatter timestampNtz;
      private DateFormatter date;
      private Function1<String, BigDecimal> decimal;

      Enumeration.Value fastDateFormat() {
        return LegacyDateFormats$.MODULE$.FAST_DATE_FORMAT();
      }

      /** Spark's default timestamp parser is in use (no {@code timestampFormat} option). */
      boolean defaultTimestamp() {
        if (defaultTimestamp == null) {
          defaultTimestamp = UtcTimestamps.isSparkDefault(timestamp());
        }
        return defaultTimestamp;
      }

      TimestampFormatter timestamp() {
        if (timestamp == null) {
          timestamp =
              TimestampFormatter$.MODULE$.apply(
                  jsonOptions.timestampFormatInRead(),
                  jsonOptions.zoneId(),
                  jsonOptions.locale(),
                  fastDateFormat(),
                  true);
        }
        return timestamp;
      }

      TimestampFormatter timestampNtz() {
        if (timestampNtz == null) {
          timestampNtz =
              TimestampFormatter$.MODULE$.apply(
                  jsonOptions.timestampNTZFormatInRead(),
                  jsonOptions.zoneId(),
                  fastDateFormat(),
                  true,
                  true);
        }
        return timestampNtz;
      }

      DateFormatter date() {
        if (date == null) {
          date =
              DateFormatter$.MODULE$.apply(
                  jsonOptions.dateFormatInRead(), jsonOptions.locale(), fastDateFormat(), true);
        }
        return date;
      }

      Function1<String, BigDecimal> decimal() {
        if (decimal == null) {
          decimal = ExprUtils$.MODULE$.getDecimalParser(jsonOptions.locale());
        }
        return decimal;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Converters

  /** Converts one JSON value (never {@code null} at its top) to Spark's internal value. */
  private abstract static class Conv {
    /**
     * Converts the value whose first token {@code t} is current. Leaves the parser at the value's
     * last token. When (part of) the value does not fit, sets {@code s.failed} and returns null
     * (scalars) or the value with the misfits null (structs, arrays, maps).
     */
    abstract Object convert(JsonParser p, JsonToken t, State s) throws IOException;

    static Object fail(JsonParser p, JsonToken t, State s) throws IOException {
      s.failed = true;
      if (t.isStructStart()) {
        p.skipChildren();
      }
      return null;
    }
  }

  /** Whether the current number token is NaN/Infinity/-INF... (a literal without digits). */
  static boolean nonNumericToken(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_FLOAT) {
      return false;
    }
    String text = p.getText();
    for (int i = 0; i < text.length(); i++) {
      if (Character.isDigit(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The text of the current string token as UTF-8 (no intermediate String for ASCII). */
  static UTF8String text(JsonParser p) throws IOException {
    char[] cs = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      char c = cs[off + i];
      if (c >= 0x80) {
        return UTF8String.fromString(new String(cs, off, len));
      }
      out[i] = (byte) c;
    }
    return UTF8String.fromBytes(out);
  }

  private static final Conv STRING =
      new Conv() {
        @Override
        Object convert(JsonParser p, JsonToken t, State s) throws IOException {
          switch (t) {
            case VALUE_STRING:
              return text(p);
            case START_OBJECT:
            case START_ARRAY:
              {
                int from = (int) s.tokenStart(p);
                p.skipChildren();
                int to = (int) (s.offset + p.getCurrentLocation().getByteOffset());
                return UTF8String.fromBytes(Arrays.copyOfRange(s.bytes, from, to));
              }
            default:
              return UTF8String.fromString(p.getText());
          }
        }
      };

  private static final Conv BOOLEAN =
      new Conv() {
        @Override
        Object convert(JsonParser p, JsonToken t, State s) throws IOException {
          if (t == JsonToken.VALUE_TRUE) {
            return Boolean.TRUE;
          } else if (t == JsonToken.VALUE_FALSE) {
            return Boolean.FALSE;
          }
          return fail(p, t, s);
        }
      };

  private static final Conv BINARY =
      new Conv() {
        @Override
        Object convert(JsonParser p, JsonToken t, State s) throws IOException {
          if (t == JsonToken.VALUE_STRING) {
            try {
              return p.getBinaryValue();
            } catch (IOException | IllegalArgumentException e) {
              return fail(p, t, s);
            }
          }
          return fail(p, t, s);
        }
      };

  private static final class IntegralConv extends Conv {
    private final long min;
    private final long max;
    private final char kind;

    IntegralConv(long min, long max, char kind) {
      this.min = min;
      this.max = max;
      this.kind = kind;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        return fail(p, t, s);
      }
      JsonParser.NumberType nt = p.getNumberType();
      if (nt == JsonParser.NumberType.BIG_INTEGER) {
        return fail(p, t, s);
      }
      long v = p.getLongValue();
      if (v < min || v > max) {
        return fail(p, t, s);
      }
      switch (kind) {
        case 'b':
          return (byte) v;
        case 's':
          return (short) v;
        case 'i':
          return (int) v;
        default:
          return v;
      }
    }
  }

  private static final class FractionalConv extends Conv {
    private final boolean isFloat;
    private final boolean allowNonNumeric;

    FractionalConv(boolean isFloat, boolean allowNonNumeric) {
      this.isFloat = isFloat;
      this.allowNonNumeric = allowNonNumeric;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        double d = p.getDoubleValue();
        if (Double.isInfinite(d) && !nonNumericToken(p, t)) {
          return fail(p, t, s); // too large for a double
        }
        if (isFloat) {
          float f = (float) d;
          if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            return fail(p, t, s); // too large for a float
          }
          return f;
        }
        return d;
      }
      if (t == JsonToken.VALUE_STRING && allowNonNumeric) {
        double d;
        switch (p.getText()) {
          case "NaN":
            d = Double.NaN;
            break;
          case "+INF":
          case "+Infinity":
          case "Infinity":
            d = Double.POSITIVE_INFINITY;
            break;
          case "-INF":
          case "-Infinity":
            d = Double.NEGATIVE_INFINITY;
            break;
          default:
            return fail(p, t, s);
        }
        return isFloat ? (Object) (float) d : (Object) d;
      }
      return fail(p, t, s);
    }
  }

  private static final class DecimalConv extends Conv {
    private final int precision;
    private final int scale;
    private final State.Formatters formatters;

    DecimalConv(int precision, int scale, State.Formatters formatters) {
      this.precision = precision;
      this.scale = scale;
      this.formatters = formatters;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      try {
        Decimal d;
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          d = new Decimal().set(p.getLongValue());
        } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
          d = Decimal.apply(p.getDecimalValue());
        } else if (t == JsonToken.VALUE_STRING && p.getTextLength() >= 1) {
          d = Decimal.apply(formatters.decimal().apply(p.getText()));
        } else {
          return fail(p, t, s);
        }
        // rounds HALF_UP to the scale as Spark does; false when the precision overflows
        if (!d.changePrecision(precision, scale)) {
          return fail(p, t, s);
        }
        return d;
      } catch (NumberFormatException | ArithmeticException e) {
        return fail(p, t, s);
      } catch (RuntimeException e) {
        return fail(p, t, s);
      }
    }
  }

  private static final class DateConv extends Conv {
    private final State.Formatters formatters;
    private final boolean fallback;

    DateConv(State.Formatters formatters, boolean fallback) {
      this.formatters = formatters;
      this.fallback = fallback;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t != JsonToken.VALUE_STRING || p.getTextLength() < 1) {
        return fail(p, t, s);
      }
      String text = p.getText();
      try {
        return formatters.date().parse(text);
      } catch (Exception e) {
        if (fallback) {
          Option<Object> d =
              DateTimeUtils.stringToDate(
                  DateTimeUtils.cleanLegacyTimestampStr(UTF8String.fromString(text)));
          if (d.isDefined()) {
            return d.get();
          }
          try {
            // Spark 1.5 wrote dates as a number of days in a string; Spark's reader accepts it
            return RebaseDateTime.rebaseJulianToGregorianDays(Integer.parseInt(text));
          } catch (NumberFormatException nfe) {
            // not that either
          }
        }
        return fail(p, t, s);
      }
    }
  }

  private static final class TimestampConv extends Conv {
    private final State.Formatters formatters;
    private final boolean fallback;
    private final ZoneId zone;

    TimestampConv(State.Formatters formatters, boolean fallback, ZoneId zone) {
      this.formatters = formatters;
      this.fallback = fallback;
      this.zone = zone;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t == JsonToken.VALUE_STRING && p.getTextLength() >= 1) {
        String text = p.getText();
        try {
          if (formatters.defaultTimestamp() && UtcTimestamps.zulu(text)) {
            Long utc = UtcTimestamps.parseZulu(text);
            if (utc != null) {
              return utc;
            }
          }
          return formatters.timestamp().parse(text);
        } catch (Exception e) {
          if (fallback) {
            Option<Object> ts =
                DateTimeUtils.stringToTimestamp(
                    DateTimeUtils.cleanLegacyTimestampStr(UTF8String.fromString(text)), zone);
            if (ts.isDefined()) {
              return ts.get();
            }
          }
          return fail(p, t, s);
        }
      }
      if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        // seconds since the epoch, as Spark's reader reads them
        try {
          return Math.multiplyExact(p.getLongValue(), 1_000_000L);
        } catch (ArithmeticException e) {
          return fail(p, t, s);
        }
      }
      return fail(p, t, s);
    }
  }

  private static final class TimestampNtzConv extends Conv {
    private final State.Formatters formatters;

    TimestampNtzConv(State.Formatters formatters) {
      this.formatters = formatters;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t == JsonToken.VALUE_STRING && p.getTextLength() >= 1) {
        try {
          return formatters.timestampNtz().parseWithoutTimeZone(p.getText(), false);
        } catch (Exception e) {
          return fail(p, t, s);
        }
      }
      return fail(p, t, s);
    }
  }

  private static final class ArrayConv extends Conv {
    private final Conv element;

    ArrayConv(Conv element) {
      this.element = element;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t != JsonToken.START_ARRAY) {
        return fail(p, t, s);
      }
      Object[] values = new Object[8];
      int n = 0;
      JsonToken e;
      while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
        if (e == null) {
          throw new IOException("unexpected end of input in an array");
        }
        if (n == values.length) {
          values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = e == JsonToken.VALUE_NULL ? null : element.convert(p, e, s);
      }
      return new GenericArrayData(n == values.length ? values : Arrays.copyOf(values, n));
    }
  }

  private static final class MapConv extends Conv {
    private final Conv value;

    MapConv(Conv value) {
      this.value = value;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t != JsonToken.START_OBJECT) {
        return fail(p, t, s);
      }
      ArrayList<Object> keys = new ArrayList<>();
      ArrayList<Object> values = new ArrayList<>();
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken v = p.nextToken();
        keys.add(UTF8String.fromString(name));
        values.add(v == JsonToken.VALUE_NULL ? null : value.convert(p, v, s));
      }
      return new ArrayBasedMapData(
          new GenericArrayData(keys.toArray()), new GenericArrayData(values.toArray()));
    }
  }

  private static final class StructConv extends Conv {
    private final HashMap<String, Integer> slots;
    private final Conv[] fields;

    StructConv(HashMap<String, Integer> slots, Conv[] fields) {
      this.slots = slots;
      this.fields = fields;
    }

    @Override
    Object convert(JsonParser p, JsonToken t, State s) throws IOException {
      if (t != JsonToken.START_OBJECT) {
        return fail(p, t, s);
      }
      Object[] values = new Object[fields.length];
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken v = p.nextToken();
        Integer slot = slots.get(name);
        if (slot == null) {
          if (v != JsonToken.VALUE_NULL) {
            s.failed = true; // an unknown nested key: the whole top-level value is rescued
          }
          p.skipChildren();
        } else if (slot == SKIP) {
          p.skipChildren();
        } else {
          values[slot] = v == JsonToken.VALUE_NULL ? null : fields[slot].convert(p, v, s);
        }
      }
      return new GenericInternalRow(values);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Type guessing for new fields

  static final class Guess {
    private Guess() {}

    /** Guesses the type of the value whose first token {@code t} is current; consumes it. */
    static DataType guess(JsonParser p, JsonToken t, boolean infer) throws IOException {
      switch (t) {
        case VALUE_NULL:
          return DataTypes.NullType;
        case VALUE_STRING:
          return DataTypes.StringType;
        case VALUE_TRUE:
        case VALUE_FALSE:
          return infer ? DataTypes.BooleanType : DataTypes.StringType;
        case VALUE_NUMBER_INT:
          if (!infer) {
            return DataTypes.StringType;
          }
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return p.getBigIntegerValue().abs().toString().length() <= DecimalType.MAX_PRECISION()
                ? DataTypes.createDecimalType(DecimalType.MAX_PRECISION(), 0)
                : DataTypes.DoubleType;
          }
          return DataTypes.LongType;
        case VALUE_NUMBER_FLOAT:
          return infer ? DataTypes.DoubleType : DataTypes.StringType;
        case START_ARRAY:
          {
            DataType element = DataTypes.NullType;
            JsonToken e;
            while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
              if (e == null) {
                throw new IOException("unexpected end of input in an array");
              }
              element = merge(element, guess(p, e, infer));
            }
            return DataTypes.createArrayType(element, true);
          }
        case START_OBJECT:
          {
            LinkedHashMap<String, DataType> fields = new LinkedHashMap<>();
            String name;
            while ((name = p.nextFieldName()) != null) {
              DataType g = guess(p, p.nextToken(), infer);
              DataType old = fields.get(name);
              fields.put(name, old == null ? g : merge(old, g));
            }
            return struct(fields);
          }
        default:
          p.skipChildren();
          return DataTypes.StringType;
      }
    }

    private static StructType struct(LinkedHashMap<String, DataType> fields) {
      StructField[] fs = new StructField[fields.size()];
      int i = 0;
      for (Map.Entry<String, DataType> e : fields.entrySet()) {
        fs[i++] = DataTypes.createStructField(e.getKey(), e.getValue(), true);
      }
      return DataTypes.createStructType(fs);
    }

    /** The type holding values of both types: long+double widen, structs/arrays merge, else string. */
    static DataType merge(DataType a, DataType b) {
      if (a.equals(b)) {
        return a;
      }
      if (a instanceof NullType) {
        return b;
      }
      if (b instanceof NullType) {
        return a;
      }
      if (isNumber(a) && isNumber(b)) {
        if (a instanceof DoubleType || b instanceof DoubleType) {
          return DataTypes.DoubleType;
        }
        return DataTypes.createDecimalType(DecimalType.MAX_PRECISION(), 0); // long + decimal
      }
      if (a instanceof StructType && b instanceof StructType) {
        LinkedHashMap<String, DataType> fields = new LinkedHashMap<>();
        for (StructField f : ((StructType) a).fields()) {
          fields.put(f.name(), f.dataType());
        }
        for (StructField f : ((StructType) b).fields()) {
          DataType old = fields.get(f.name());
          fields.put(f.name(), old == null ? f.dataType() : merge(old, f.dataType()));
        }
        return struct(fields);
      }
      if (a instanceof ArrayType && b instanceof ArrayType) {
        return DataTypes.createArrayType(
            merge(((ArrayType) a).elementType(), ((ArrayType) b).elementType()), true);
      }
      return DataTypes.StringType;
    }

    private static boolean isNumber(DataType t) {
      return t instanceof LongType || t instanceof DoubleType || t instanceof DecimalType;
    }

    /** Replaces the placeholder NullType (only nulls seen) by StringType, recursively. */
    static DataType finish(DataType t) {
      if (t instanceof NullType) {
        return DataTypes.StringType;
      }
      if (t instanceof ArrayType) {
        return DataTypes.createArrayType(finish(((ArrayType) t).elementType()), true);
      }
      if (t instanceof StructType) {
        StructField[] fs = ((StructType) t).fields().clone();
        for (int i = 0; i < fs.length; i++) {
          fs[i] = DataTypes.createStructField(fs[i].name(), finish(fs[i].dataType()), true);
        }
        return DataTypes.createStructType(fs);
      }
      return t;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // JSON output helpers

  /** Whether raw JSON has a single quote outside double-quoted strings (a single-quoted string). */
  static boolean hasSingleQuotedString(byte[] b) {
    boolean inString = false;
    for (int i = 0; i < b.length; i++) {
      byte c = b[i];
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '\'') {
        return true;
      }
    }
    return false;
  }

  /** Appends {@code s} as a JSON string literal (UTF-8). */
  static void appendJsonString(ByteBuf out, String s) {
    out.append('"');
    int n = s.length();
    int runStart = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String esc = null;
      if (c == '"') {
        esc = "\\\"";
      } else if (c == '\\') {
        esc = "\\\\";
      } else if (c < 0x20) {
        switch (c) {
          case '\n':
            esc = "\\n";
            break;
          case '\r':
            esc = "\\r";
            break;
          case '\t':
            esc = "\\t";
            break;
          case '\b':
            esc = "\\b";
            break;
          case '\f':
            esc = "\\f";
            break;
          default:
            esc = String.format(Locale.ROOT, "\\u%04x", (int) c);
        }
      }
      if (esc != null) {
        out.append(s.substring(runStart, i).getBytes(StandardCharsets.UTF_8));
        out.append(esc.getBytes(StandardCharsets.US_ASCII));
        runStart = i + 1;
      }
    }
    out.append(s.substring(runStart).getBytes(StandardCharsets.UTF_8));
    out.append('"');
  }

  /** A minimal growable byte buffer. */
  static final class ByteBuf {
    private byte[] buf = new byte[256];
    private int len;

    void reset() {
      len = 0;
    }

    int length() {
      return len;
    }

    void setLength(int n) {
      len = n;
    }

    void append(char ascii) {
      ensure(1);
      buf[len++] = (byte) ascii;
    }

    void append(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }
  }
}
