package io.medallion.connector.files.internal;

import io.medallion.connector.files.internal.CloudFilesOptions.EvolutionMode;
import java.io.CharArrayWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.json.JacksonGenerator;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.orc.OrcUtils;
import org.apache.spark.sql.execution.datasources.RecordReaderIterator;
import org.apache.spark.sql.execution.datasources.parquet.ParquetReadSupport$;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.SerializableConfiguration;
import scala.Function1;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;

/**
 * Parquet and ORC: Spark's own reader ({@code buildReaderWithPartitionValues}, vectorized when
 * Spark would vectorize), with the rescued-data column added as a constant null column to each
 * batch, so the hot path copies nothing.
 *
 * <p>Per file, the schema in the footer is compared with the stream's schema (one footer read):
 * <ul>
 *   <li>a column the schema does not have is a new column: the evolution mode decides (stop and
 *       add it, stop, rescue it, ignore it);</li>
 *   <li>a column whose type differs, or whose name differs only in case, does not fit: the file
 *       is read with its own types (Parquet: Spark's vectorized reader, case-sensitive) and such
 *       values go to the rescued-data column as JSON with the file's path, the schema's column is
 *       null for them. This is the slow path and only such files take it.</li>
 * </ul>
 * An ORC file whose columns do not fit is read row by row with its own schema (Spark's ORC
 * deserializer) and rescued the same way ({@link OwnTypes}).
 */
final class ColumnarRead extends AbstractFunction1<PartitionedFile, Iterator<InternalRow>>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int SLOW_BATCH = 4096;

  private final Function1<PartitionedFile, Iterator<InternalRow>> inner;
  private final Broadcast<SerializableConfiguration> conf;
  private final String format;
  private final StructType data; // the stream's data columns, without the rescued column
  private final StructType required; // what the scan needs, without the rescued column
  private final StructType partitions;
  private final int rescuedIndex; // in the scan's required columns, -1 when not read
  private final boolean hasRescuedColumn;
  private final boolean batches;
  private final EvolutionMode mode;
  private final String schemaLocation;
  private final String timeZone;
  private final ReadFormat.Counters counters;
  private final ParquetFiles parquet; // Parquet only
  private final boolean direct; // Parquet files that fit are read from the footer of the check

  private ColumnarRead(Function1<PartitionedFile, Iterator<InternalRow>> inner,
      Broadcast<SerializableConfiguration> conf, String format, StructType data, StructType required,
      StructType partitions, int rescuedIndex, boolean hasRescuedColumn, boolean batches,
      EvolutionMode mode, String schemaLocation, String timeZone, ReadFormat.Counters counters,
      ParquetFiles parquet, boolean direct) {
    this.parquet = parquet;
    this.direct = direct;
    this.inner = inner;
    this.conf = conf;
    this.format = format;
    this.data = data;
    this.required = required;
    this.partitions = partitions;
    this.rescuedIndex = rescuedIndex;
    this.hasRescuedColumn = hasRescuedColumn;
    this.batches = batches;
    this.mode = mode;
    this.schemaLocation = schemaLocation;
    this.timeZone = timeZone;
    this.counters = counters;
  }

  /** Builds the reader on the driver (see the class comment). */
  static Function1<PartitionedFile, Iterator<InternalRow>> build(SparkSession spark, FileFormat delegate,
      CloudFilesOptions options, ReadFormat.Counters counters, StructType dataSchema,
      StructType partitionSchema, StructType requiredSchema, Seq<Filter> filters,
      scala.collection.immutable.Map<String, String> o, Configuration hadoopConf) {
    var rescued = options.rescuedDataColumn();
    StructType data = ReadFormat.without(dataSchema, rescued);
    StructType required = ReadFormat.without(requiredSchema, rescued);
    int rescuedIndex = rescued.map(r -> Arrays.asList(requiredSchema.fieldNames()).indexOf(r)).orElse(-1);
    boolean batches = "true".equals(o.get(FileFormat.OPTION_RETURNING_BATCH()).getOrElse(() -> "false"));
    Function1<PartitionedFile, Iterator<InternalRow>> inner = delegate.buildReaderWithPartitionValues(
        spark, data, partitionSchema, required, filters, o, hadoopConf);
    // Broadcast after the delegate set its keys (requested schema, Parquet conversions) on the conf.
    Broadcast<SerializableConfiguration> conf = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new SerializableConfiguration(hadoopConf));
    boolean isParquet = options.format().equals("parquet");
    StructType result = new StructType(java.util.stream.Stream.concat(Arrays.stream(required.fields()),
        Arrays.stream(partitionSchema.fields())).toArray(StructField[]::new));
    return new ColumnarRead(inner, conf, options.format(), data, required, partitionSchema, rescuedIndex,
        rescued.isPresent(), batches, options.newColumnsMode(), options.schemaLocation().orElse(null),
        spark.sessionState().conf().sessionLocalTimeZone(), counters,
        isParquet ? ParquetFiles.of(spark) : null,
        isParquet && ParquetFiles.readsDirectly(spark, result, !filters.isEmpty()));
  }

  /** Whether files need their footer compared with the schema at all. */
  private boolean checksFiles() {
    return hasRescuedColumn || mode == EvolutionMode.ADD_NEW_COLUMNS || mode == EvolutionMode.FAIL_ON_NEW_COLUMNS;
  }

  @Override
  public Iterator<InternalRow> apply(PartitionedFile file) {
    return cast(read(file)); // elements are ColumnarBatches when batches is set
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  private Iterator<Object> read(PartitionedFile file) {
    String path = file.filePath().toString();
    Fit fit;
    try {
      fit = checksFiles() ? fit(file) : Fit.NONE;
    } catch (Exception e) {
      return errorRow(path, e);
    }
    if (!fit.added().isEmpty()) {
      StructType added = new StructType(fit.added().toArray(new StructField[0]));
      if (mode == EvolutionMode.ADD_NEW_COLUMNS || mode == EvolutionMode.FAIL_ON_NEW_COLUMNS) {
        throw ReadFormat.newColumns(mode, schemaLocation, conf.value().value(), path, added);
      }
    }
    // rescue mode keeps a file's new columns in the rescued column
    boolean rescueAdded = mode == EvolutionMode.RESCUE && hasRescuedColumn && !fit.added().isEmpty();
    if (fit.misfits().isEmpty() && !rescueAdded) {
      try {
        return guard(path, fit.footer() != null && direct ? direct(file, fit.footer()) : fast(file));
      } catch (Exception e) {
        return errorRow(path, e);
      }
    }
    try {
      return guard(path, format.equals("parquet") ? slow(file, fit, rescueAdded) : orcOwnTypes(file, fit, rescueAdded));
    } catch (Exception e) {
      return errorRow(path, e);
    }
  }

  // ------------------------------------------------------------------ the fast path

  /**
   * A Parquet file that fits, read by Spark's vectorized reader started from the footer the check
   * read (so the footer is read once per file, as by {@code spark.read.parquet}).
   */
  private Iterator<Object> direct(PartitionedFile file, ParquetMetadata footer) throws Exception {
    VectorizedParquetRecordReader reader = parquet.open(file, footer, conf.value().value(), partitions, 0);
    reader.initBatch(partitions, file.partitionValues());
    if (batches) {
      reader.enableReturningBatches();
    }
    return withNullRescued(cast(new RecordReaderIterator<>(reader)));
  }

  private Iterator<Object> fast(PartitionedFile file) {
    return withNullRescued(cast(inner.apply(file)));
  }

  private Iterator<Object> withNullRescued(Iterator<Object> rows) {
    if (rescuedIndex < 0) {
      return rows;
    }
    if (batches) {
      ColumnVector nulls = nullVector(DataTypes.StringType);
      return rows.map(new AbstractFunction1<Object, Object>() {
        @Override
        public Object apply(Object b) {
          return withRescued((ColumnarBatch) b, nulls);
        }
      });
    }
    return rows.map(new AbstractFunction1<Object, Object>() {
      @Override
      public Object apply(Object r) {
        return insertNull((InternalRow) r);
      }
    });
  }

  /** The delegate's batch with the rescued column inserted where the scan wants it (no copy). */
  private ColumnarBatch withRescued(ColumnarBatch b, ColumnVector rescued) {
    ColumnVector[] out = new ColumnVector[b.numCols() + 1];
    for (int i = 0, j = 0; i < out.length; i++) {
      out[i] = i == rescuedIndex ? rescued : b.column(j++);
    }
    return new ColumnarBatch(out, b.numRows());
  }

  private InternalRow insertNull(InternalRow r) {
    int n = r.numFields() + 1;
    Object[] values = new Object[n];
    DataType[] types = outputTypes();
    for (int i = 0, j = 0; i < n; i++) {
      if (i == rescuedIndex) {
        continue;
      }
      values[i] = r.isNullAt(j) ? null : r.get(j, types[i]);
      j++;
    }
    return new GenericInternalRow(values);
  }

  private DataType[] outputTypes() {
    List<DataType> types = new ArrayList<>();
    for (StructField f : required.fields()) {
      types.add(f.dataType());
    }
    if (rescuedIndex >= 0) {
      types.add(rescuedIndex, DataTypes.StringType);
    }
    for (StructField f : partitions.fields()) {
      types.add(f.dataType());
    }
    return types.toArray(new DataType[0]);
  }

  private static ColumnVector nullVector(DataType type) {
    ConstantColumnVector v = new ConstantColumnVector(1, type);
    v.setNull();
    return v;
  }

  // ------------------------------------------------------------------ footer check

  /** How a file's columns fit the schema: columns it adds, and its columns that do not fit. */
  record Fit(List<StructField> added, List<String> misfits, StructType fileSchema, ParquetMetadata footer) {
    static final Fit NONE = new Fit(List.of(), List.of(), new StructType(), null);
  }

  private Fit fit(PartitionedFile file) throws Exception {
    Configuration c = conf.value().value();
    StructType fileSchema;
    ParquetMetadata footer = null;
    if (format.equals("parquet")) {
      footer = ParquetFiles.footer(c, file); // once: the reader below starts from it
      fileSchema = new ParquetToSparkSchemaConverter(c).convert(footer.getFileMetaData().getSchema());
    } else {
      var orc = OrcUtils.readSchema(file.toPath(), c, false);
      if (orc.isEmpty()) {
        return Fit.NONE; // an empty ORC file
      }
      fileSchema = OrcUtils.toCatalystSchema(orc.get());
    }
    return compare(data, partitions, fileSchema, footer);
  }

  /** How a file's columns ({@code fileSchema}) fit the stream's data and partition columns. */
  static Fit compare(StructType data, StructType partitions, StructType fileSchema, ParquetMetadata footer) {
    List<StructField> added = new ArrayList<>();
    List<String> misfits = new ArrayList<>();
    for (StructField f : fileSchema.fields()) {
      StructField exact = field(data, f.name(), false);
      if (exact != null) {
        if (!sameType(exact.dataType(), f.dataType())) {
          misfits.add(f.name());
        }
      } else if (field(data, f.name(), true) != null) {
        misfits.add(f.name());
      } else if (field(partitions, f.name(), true) == null) {
        added.add(f);
      }
    }
    return new Fit(added, misfits, fileSchema, footer);
  }

  static StructField field(StructType s, String name, boolean ignoreCase) {
    for (StructField f : s.fields()) {
      if (ignoreCase ? f.name().equalsIgnoreCase(name) : f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** Equal types, ignoring nullability; field names compared exactly. */
  static boolean sameType(DataType a, DataType b) {
    if (a instanceof StructType sa && b instanceof StructType sb) {
      if (sa.length() != sb.length()) {
        return false;
      }
      for (int i = 0; i < sa.length(); i++) {
        if (!sa.fields()[i].name().equals(sb.fields()[i].name())
            || !sameType(sa.fields()[i].dataType(), sb.fields()[i].dataType())) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof ArrayType aa && b instanceof ArrayType ab) {
      return sameType(aa.elementType(), ab.elementType());
    }
    if (a instanceof MapType ma && b instanceof MapType mb) {
      return sameType(ma.keyType(), mb.keyType()) && sameType(ma.valueType(), mb.valueType());
    }
    return a.equals(b);
  }

  // ------------------------------------------------------------------ the slow path (Parquet)

  private Iterator<Object> slow(PartitionedFile file, Fit fit, boolean rescueAdded) throws Exception {
    // Read the file's own columns under their own names and types: the required columns that fit,
    // plus those to rescue.
    List<StructField> read = new ArrayList<>();
    int[] source = new int[required.length()];
    for (int i = 0; i < required.length(); i++) {
      StructField f = required.fields()[i];
      StructField inFile = field(fit.fileSchema(), f.name(), false);
      if (inFile != null && !fit.misfits().contains(inFile.name())) {
        source[i] = read.size();
        read.add(inFile);
      } else {
        source[i] = -1;
      }
    }
    List<Integer> rescue = new ArrayList<>();
    List<StructField> rescueFields = new ArrayList<>();
    for (StructField f : fit.fileSchema().fields()) {
      if (fit.misfits().contains(f.name()) || (rescueAdded && fit.added().contains(f))) {
        rescue.add(read.size());
        rescueFields.add(f);
        read.add(f);
      }
    }
    StructType readSchema = new StructType(read.toArray(new StructField[0]));
    Configuration c = new Configuration(conf.value().value());
    c.set(ParquetReadSupport$.MODULE$.SPARK_ROW_REQUESTED_SCHEMA(), readSchema.json());
    c.set("spark.sql.caseSensitive", "true");
    VectorizedParquetRecordReader reader = parquet.open(file, fit.footer(), c, partitions, SLOW_BATCH);
    reader.initBatch(partitions, file.partitionValues());
    reader.enableReturningBatches();
    Rescuer rescuer = new Rescuer(new StructType(rescueFields.toArray(new StructField[0])),
        rescue.stream().mapToInt(Integer::intValue).toArray(), timeZone, file.filePath().toString());
    java.util.Iterator<ColumnarBatch> batchesRead = cast(JavaConverters.asJavaIterator(
        new RecordReaderIterator<>(reader))); // closes the reader at the end
    java.util.Iterator<ColumnarBatch> out = new java.util.Iterator<>() {
      final OnHeapColumnVector rescued = new OnHeapColumnVector(SLOW_BATCH, DataTypes.StringType);

      @Override
      public boolean hasNext() {
        return batchesRead.hasNext();
      }

      @Override
      public ColumnarBatch next() {
        ColumnarBatch in = batchesRead.next();
        int n = in.numRows();
        rescued.reset();
        long count = rescuer.fill(in, rescued);
        counters.rescuedRecords().add(count);
        int width = required.length() + (rescuedIndex >= 0 ? 1 : 0) + partitions.length();
        ColumnVector[] cols = new ColumnVector[width];
        int k = 0;
        for (int i = 0; i < required.length(); i++) {
          if (k == rescuedIndex) {
            cols[k++] = rescued;
          }
          cols[k++] = source[i] >= 0 ? in.column(source[i]) : nullVector(required.fields()[i].dataType());
        }
        if (k == rescuedIndex) {
          cols[k++] = rescued;
        }
        for (int p = 0; p < partitions.length(); p++) {
          cols[k++] = in.column(read.size() + p);
        }
        return new ColumnarBatch(cols, n);
      }
    };
    return batches ? asRows(out) : rowsOf(out);
  }

  // ------------------------------------------------------------------ the slow path (ORC)

  /** An ORC file read row by row with its own schema (Spark's ORC deserializer), misfits rescued. */
  private Iterator<Object> orcOwnTypes(PartitionedFile file, Fit fit, boolean rescueAdded) throws Exception {
    Configuration c = conf.value().value();
    org.apache.orc.Reader reader = org.apache.orc.OrcFile.createReader(file.toPath(),
        org.apache.orc.OrcFile.readerOptions(c));
    var rows = new org.apache.orc.mapreduce.OrcMapreduceRecordReader<org.apache.orc.mapred.OrcStruct>(reader,
        reader.options().range(file.start(), file.length()));
    StructType fileSchema = fit.fileSchema();
    int[] all = java.util.stream.IntStream.range(0, fileSchema.length()).toArray();
    var deserializer = new org.apache.spark.sql.execution.datasources.orc.OrcDeserializer(fileSchema, all);
    StructType out = required;
    if (rescuedIndex >= 0) {
      List<StructField> fields = new ArrayList<>(Arrays.asList(required.fields()));
      fields.add(rescuedIndex, new StructField("\u0000rescued", DataTypes.StringType, true,
          org.apache.spark.sql.types.Metadata.empty()));
      out = new StructType(fields.toArray(new StructField[0]));
    }
    OwnTypes own = new OwnTypes(fileSchema, fit, rescueAdded, out, rescuedIndex, timeZone,
        file.filePath().toString());
    int width = out.length();
    InternalRow partitionValues = file.partitionValues();
    java.util.Iterator<org.apache.orc.mapred.OrcStruct> structs =
        JavaConverters.asJavaIterator(new RecordReaderIterator<>(rows)); // closes at the end
    java.util.Iterator<InternalRow> converted = new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = structs.hasNext();
        if (!more) {
          counters.rescuedRecords().add(own.takeRescuedCount());
        }
        return more;
      }

      @Override
      public InternalRow next() {
        Object[] values = own.convert(deserializer.deserialize(structs.next()), partitions.length());
        for (int p = 0; p < partitions.length(); p++) {
          values[width + p] = partitionValues.isNullAt(p) ? null
              : partitionValues.get(p, partitions.fields()[p].dataType());
        }
        return new GenericInternalRow(values);
      }
    };
    if (!batches) {
      return cast(JavaConverters.asScalaIterator(converted));
    }
    StructType outWithPartitions = out;
    for (StructField p : partitions.fields()) {
      outWithPartitions = outWithPartitions.add(p);
    }
    return asRows(toBatches(converted, outWithPartitions));
  }

  /** Rows into column batches, for a scan that expects batches (the rare slow path only). */
  private static java.util.Iterator<ColumnarBatch> toBatches(java.util.Iterator<InternalRow> rows, StructType schema) {
    var converter = new org.apache.spark.sql.execution.RowToColumnConverter(schema);
    return new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public ColumnarBatch next() {
        OnHeapColumnVector[] vectors = OnHeapColumnVector.allocateColumns(SLOW_BATCH, schema);
        int n = 0;
        while (n < SLOW_BATCH && rows.hasNext()) {
          converter.convert(rows.next(), vectors);
          n++;
        }
        return new ColumnarBatch(vectors, n);
      }
    };
  }

  private static Iterator<Object> asRows(java.util.Iterator<ColumnarBatch> batches) {
    return cast(JavaConverters.asScalaIterator(batches));
  }

  private static Iterator<Object> rowsOf(java.util.Iterator<ColumnarBatch> batches) {
    return JavaConverters.asScalaIterator(new java.util.Iterator<Object>() {
      java.util.Iterator<InternalRow> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && batches.hasNext()) {
          current = batches.next().rowIterator();
        }
        return current.hasNext();
      }

      @Override
      public Object next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return current.next().copy();
      }
    });
  }

  /** The row's values of {@code fields} as one JSON object with the file's path, Spark's JSON. */
  static String rescuedJson(StructType fields, InternalRow values, JSONOptions json, String path) {
    CharArrayWriter w = new CharArrayWriter();
    JacksonGenerator g = new JacksonGenerator(fields, w, json);
    g.write(values);
    g.flush();
    String object = w.toString();
    StringBuilder b = new StringBuilder(object.length() + path.length() + 20);
    b.append(object, 0, object.length() - 1).append(",\"_file_path\":");
    ReadFormat.quote(b, path);
    b.append('}');
    return b.toString();
  }

  /** Writes the values that do not fit as one JSON object per row, with the file's path. */
  private static final class Rescuer {
    private final StructType fields;
    private final int[] columns;
    private final JSONOptions json;
    private final String path;

    Rescuer(StructType fields, int[] columns, String timeZone, String path) {
      this.fields = fields;
      this.columns = columns;
      this.json = new JSONOptions(ReadFormat.toScala(java.util.Map.of()), timeZone, "");
      this.path = path;
    }

    long fill(ColumnarBatch in, OnHeapColumnVector out) {
      long count = 0;
      for (int row = 0; row < in.numRows(); row++) {
        Object[] values = new Object[columns.length];
        boolean any = false;
        for (int i = 0; i < columns.length; i++) {
          ColumnVector v = in.column(columns[i]);
          if (!v.isNullAt(row)) {
            values[i] = in.getRow(row).get(columns[i], fields.fields()[i].dataType());
            any = true;
          }
        }
        if (!any) {
          out.putNull(row);
          continue;
        }
        byte[] bytes = rescuedJson(fields, new GenericInternalRow(values), json, path)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.putByteArray(row, bytes);
        count++;
      }
      return count;
    }
  }

  // ------------------------------------------------------------------ errors

  /** Rethrows I/O errors (the task fails and is retried); content errors become one row. */
  private Iterator<Object> guard(String path, Iterator<Object> rows) {
    return JavaConverters.asScalaIterator(ReadErrors.guarded(JavaConverters.asJavaIterator(rows),
        e -> errorValue(path, e)));
  }

  private Iterator<Object> errorRow(String path, Exception e) {
    return JavaConverters.asScalaIterator(List.of(errorValue(path, e)).iterator());
  }

  /** One row (or one-row batch) holding a content error; rethrows anything else. */
  private Object errorValue(String path, Exception e) {
    ReadErrors.rethrowUnlessContent(path, e);
    counters.unreadableFiles().add(1);
    String what = ReadFormat.describe(e);
    if (rescuedIndex < 0) {
      throw ReadErrors.unreadable(path, what, e);
    }
    UTF8String value = ReadFormat.rescueJson("_file_error", what, path);
    DataType[] types = outputTypes();
    if (!batches) {
      Object[] values = new Object[types.length];
      values[rescuedIndex] = value;
      return new GenericInternalRow(values);
    }
    ColumnVector[] cols = new ColumnVector[types.length];
    for (int i = 0; i < types.length; i++) {
      ConstantColumnVector v = new ConstantColumnVector(1, types[i]);
      if (i == rescuedIndex) {
        v.setUtf8String(value);
      } else {
        v.setNull();
      }
      cols[i] = v;
    }
    return new ColumnarBatch(cols, 1);
  }

  @Override
  public String toString() {
    return "cloudFiles(" + format.toLowerCase(Locale.ROOT) + ")";
  }
}
