package io.medallion.connector.files.internal;

import io.medallion.connector.files.internal.CloudFilesOptions.EvolutionMode;
import java.io.FileNotFoundException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFileLinesReader;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.binaryfile.BinaryFileFormat;
import org.apache.spark.sql.execution.datasources.csv.CSVFileFormat;
import org.apache.spark.sql.execution.datasources.json.JsonFileFormat;
import org.apache.spark.sql.execution.datasources.orc.OrcFileFormat;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.text.TextFileFormat;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import scala.Function1;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;

/**
 * How the files of a {@code cloudFiles} batch are read: Spark's reader for the format, plus the
 * rescued-data column and per-file error capture.
 *
 * <ul>
 *   <li>JSON (lines, and multi-line cut into records by {@link MultiLineJson}) goes through
 *       {@link JsonRecordParser}: values that do not fit the schema and unknown fields are
 *       rescued, and new columns are reported for schema evolution.</li>
 *   <li>CSV uses Spark's parser; a malformed record (wrong column count, a value of the wrong
 *       type) is rescued whole as {@code {"_corrupt_record": ...}}. Each file's header is checked
 *       for new columns and matched by name, or without a header its first record's width is
 *       checked for new positional columns ({@link CsvRead}).</li>
 *   <li>Parquet and ORC go through {@link ColumnarRead}: Spark's own (vectorized) reader, with a
 *       per-file footer check for new columns and columns that do not fit.</li>
 *   <li>Avro uses Spark's avro module when it is on the classpath (a clear error otherwise), with
 *       a per-file header check ({@link AvroRead}).</li>
 *   <li>Any format: a file whose content cannot be read (deleted since discovery, corrupt gzip,
 *       not parquet) yields the rows read before the failure plus one row whose rescued column is
 *       {@code {"_file_error": "...", "_file_path": "..."}}, and is counted. Without a rescued
 *       column the batch fails with an error naming the file. An I/O error (a reset connection, a
 *       timeout) is not content: the task fails and Spark retries it ({@link ReadErrors}).</li>
 * </ul>
 */
public final class ReadFormat implements FileFormat {
  static final String CORRUPT = "_medallion_corrupt_record";

  /** Counters of what reading met, summed over executors. */
  public record Counters(LongAccumulator unreadableFiles, LongAccumulator corruptRecords,
      LongAccumulator rescuedRecords) implements Serializable {
    static Counters register(SparkSession spark, String name) {
      return new Counters(spark.sparkContext().longAccumulator(name + ".unreadableFiles"),
          spark.sparkContext().longAccumulator(name + ".corruptRecords"),
          spark.sparkContext().longAccumulator(name + ".rescuedRecords"));
    }
  }

  private final CloudFilesOptions options;
  private final Optional<String> schemaLocation;
  private final Counters counters;

  ReadFormat(CloudFilesOptions options, Counters counters) {
    this.options = options;
    this.schemaLocation = options.schemaLocation();
    this.counters = counters;
  }

  @Override
  public Option<StructType> inferSchema(SparkSession spark, scala.collection.immutable.Map<String, String> o,
      Seq<org.apache.hadoop.fs.FileStatus> files) {
    throw new UnsupportedOperationException("cloudFiles reads streams only: use spark.readStream");
  }

  @Override
  public OutputWriterFactory prepareWrite(SparkSession spark, Job job,
      scala.collection.immutable.Map<String, String> o, StructType dataSchema) {
    throw new UnsupportedOperationException("cloudFiles is a source, not a sink");
  }

  @Override
  public boolean isSplitable(SparkSession spark, scala.collection.immutable.Map<String, String> o,
      org.apache.hadoop.fs.Path path) {
    return delegate().isSplitable(spark, o, path);
  }

  private FileFormat delegate() {
    return switch (options.format()) {
      case "json" -> new JsonFileFormat();
      case "csv" -> new CSVFileFormat();
      case "parquet" -> new ParquetFileFormat();
      case "orc" -> new OrcFileFormat();
      case "text" -> new TextFileFormat();
      case "binaryfile" -> new BinaryFileFormat();
      case "avro" -> avro();
      default -> throw new IllegalArgumentException("cloudFiles.format " + options.format()
          + " is not readable here");
    };
  }

  static final String AVRO_FORMAT = "org.apache.spark.sql.avro.AvroFileFormat";

  /** Spark's avro format, from its external module ({@code provided}: see docs/cloudfiles.md). */
  static FileFormat avro() {
    return avro(AVRO_FORMAT);
  }

  static FileFormat avro(String className) {
    try {
      return (FileFormat) Class.forName(className, true, Thread.currentThread().getContextClassLoader() != null
          ? Thread.currentThread().getContextClassLoader() : ReadFormat.class.getClassLoader())
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw ReadErrors.avroMissing(org.apache.spark.package$.MODULE$.SPARK_VERSION(),
          scala.util.Properties.versionNumberString().replaceAll("^(\\d+\\.\\d+).*", "$1"));
    }
  }

  private boolean columnar() {
    return options.format().equals("parquet") || options.format().equals("orc");
  }

  /** Parquet and ORC: batches when Spark's reader would give them for these columns. */
  @Override
  public boolean supportBatch(SparkSession spark, StructType schema) {
    return columnar() && delegate().supportBatch(spark, without(schema, options.rescuedDataColumn()));
  }

  @Override
  public Function1<PartitionedFile, Iterator<InternalRow>> buildReaderWithPartitionValues(SparkSession spark,
      StructType dataSchema, StructType partitionSchema, StructType requiredSchema,
      Seq<Filter> filters, scala.collection.immutable.Map<String, String> o, Configuration conf) {
    if (columnar()) {
      return ColumnarRead.build(spark, delegate(), options, counters, dataSchema, partitionSchema,
          requiredSchema, filters, o, conf);
    }
    return FileFormat.super.buildReaderWithPartitionValues(spark, dataSchema, partitionSchema,
        requiredSchema, filters, o, conf);
  }

  private boolean multiLine() {
    return options.readerOptions().entrySet().stream()
        .anyMatch(e -> e.getKey().equalsIgnoreCase("multiLine") && Boolean.parseBoolean(e.getValue().trim()));
  }

  @Override
  public Function1<PartitionedFile, Iterator<InternalRow>> buildReader(SparkSession spark,
      StructType dataSchema, StructType partitionSchema, StructType requiredSchema,
      Seq<Filter> filters, scala.collection.immutable.Map<String, String> o, Configuration conf) {
    Optional<String> rescued = options.rescuedDataColumn();
    StructType fullData = without(dataSchema, rescued);
    int rescuedIndex = rescued.map(r -> Arrays.asList(requiredSchema.fieldNames()).indexOf(r)).orElse(-1);
    Broadcast<SerializableConfiguration> hadoopConf = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new SerializableConfiguration(conf));
    FileReader reader;
    if (options.format().equals("json")) {
      JsonRecordParser parser = new JsonRecordParser(fullData, requiredSchema, rescued,
          options.readerOptions(), spark.sessionState().conf().sessionLocalTimeZone(),
          options.inferColumnTypes());
      reader = new JsonLinesReader(parser, hadoopConf, options.evolutionMode(), schemaLocation, counters,
          multiLine());
    } else {
      reader = sparkReader(spark, fullData, requiredSchema, rescued, rescuedIndex, filters, o, conf);
      FileCheck check = new FileCheck(hadoopConf, Partitions.without(fullData, partitionSchema),
          partitionSchema, requiredSchema, rescuedIndex, options.newColumnsMode(), schemaLocation.orElse(null),
          spark.sessionState().conf().sessionLocalTimeZone(), counters);
      if (options.format().equals("csv")) {
        reader = new CsvRead(reader, check, options.readerOptions());
      } else if (options.format().equals("avro")) {
        reader = new AvroRead(reader, check);
      }
    }
    return new ErrorCapturingReader(reader, requiredSchema.length(), rescuedIndex, counters);
  }

  private FileReader sparkReader(SparkSession spark, StructType fullData, StructType required,
      Optional<String> rescued, int rescuedIndex, Seq<Filter> filters,
      scala.collection.immutable.Map<String, String> o, Configuration conf) {
    boolean corruptColumn = rescued.isPresent()
        && (options.format().equals("csv") || options.format().equals("json"));
    StructType innerData = corruptColumn ? fullData.add(CORRUPT, DataTypes.StringType) : fullData;
    List<StructField> innerFields = new ArrayList<>();
    int[] mapping = new int[required.length()];
    for (int i = 0; i < required.length(); i++) {
      StructField f = required.fields()[i];
      if (i == rescuedIndex) {
        mapping[i] = -1;
      } else {
        mapping[i] = innerFields.size();
        innerFields.add(f);
      }
    }
    int corruptIndex = -1;
    if (corruptColumn) {
      corruptIndex = innerFields.size();
      innerFields.add(new StructField(CORRUPT, DataTypes.StringType, true,
          org.apache.spark.sql.types.Metadata.empty()));
    }
    StructType innerRequired = new StructType(innerFields.toArray(new StructField[0]));
    Map<String, String> readerOptions = new LinkedHashMap<>(JavaConverters.mapAsJavaMap(o));
    if (corruptColumn) {
      readerOptions.put("columnNameOfCorruptRecord", CORRUPT);
      readerOptions.put("mode", "PERMISSIVE");
    }
    Function1<PartitionedFile, Iterator<InternalRow>> inner = delegate().buildReader(spark,
        innerData, new StructType(), innerRequired, filters, toScala(readerOptions), conf);
    DataType[] types = Arrays.stream(innerRequired.fields()).map(StructField::dataType).toArray(DataType[]::new);
    return new SparkFormatReader(inner, mapping, types, corruptIndex, rescuedIndex, required.length(), counters);
  }

  static StructType without(StructType schema, Optional<String> column) {
    if (column.isEmpty()) {
      return schema;
    }
    return new StructType(Arrays.stream(schema.fields())
        .filter(f -> !f.name().equals(column.get())).toArray(StructField[]::new));
  }

  static scala.collection.immutable.Map<String, String> toScala(Map<String, String> m) {
    scala.collection.immutable.Map<String, String> out = scala.collection.immutable.Map$.MODULE$.empty();
    for (Map.Entry<String, String> e : m.entrySet()) {
      out = out.$plus(new scala.Tuple2<>(e.getKey(), e.getValue()));
    }
    return out;
  }

  /**
   * The error that stops the stream at a file with new columns; in addNewColumns mode the columns
   * are first noted at the schema location, so the restarted stream has them.
   */
  static NewColumnsException newColumns(EvolutionMode mode, String schemaLocation, Configuration conf,
      String path, StructType fields) {
    String list = String.join(", ", Arrays.stream(fields.fields())
        .map(f -> "`" + f.name() + "` " + f.dataType().simpleString()).toList());
    if (mode == EvolutionMode.ADD_NEW_COLUMNS && schemaLocation != null) {
      SchemaStore.noteNewColumns(schemaLocation, conf, path, fields);
      return new NewColumnsException("[CLOUD_FILES_NEW_COLUMNS] " + path + " has new columns: "
          + list + ". With cloudFiles.schemaEvolutionMode = addNewColumns the stream stops here"
          + " and the columns are added to the schema at " + schemaLocation
          + " when it restarts; the batch is then read again with them. Restart the query"
          + " (medallion pipelines restart it by themselves).");
    }
    return new NewColumnsException("[CLOUD_FILES_NEW_COLUMNS] " + path + " has new columns: " + list
        + ". cloudFiles.schemaEvolutionMode = failOnNewColumns stops the stream. Add the columns"
        + " with cloudFiles.schemaHints, or use schemaEvolutionMode addNewColumns (evolve) or"
        + " rescue (keep them in the rescued-data column), then restart.");
  }

  /** A content error as it is written into the rescued-data column. */
  static String describe(Exception e) {
    return (e instanceof FileNotFoundException || e.getCause() instanceof FileNotFoundException
        ? "file not found (deleted or moved after discovery): " : "")
        + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage());
  }

  static UTF8String rescueJson(String key, String value, String path) {
    StringBuilder b = new StringBuilder(value.length() + path.length() + 48);
    b.append("{\"").append(key).append("\":");
    quote(b, value);
    b.append(",\"_file_path\":");
    quote(b, path);
    b.append('}');
    return UTF8String.fromString(b.toString());
  }

  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReadFormat r && r.options == options;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(options);
  }

  @Override
  public String toString() {
    return "cloudFiles(" + options.format() + ")";
  }

  // ------------------------------------------------------------------ readers

  /** Reads one file into rows of the required schema. */
  interface FileReader extends Serializable {
    java.util.Iterator<InternalRow> read(PartitionedFile file) throws Exception;
  }

  /** A new column in addNewColumns / failOnNewColumns mode: the batch must stop. */
  public static final class NewColumnsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NewColumnsException(String message) {
      super(message);
    }
  }

  private static final class JsonLinesReader implements FileReader {
    private static final long serialVersionUID = 1L;
    private final JsonRecordParser parser;
    private final Broadcast<SerializableConfiguration> conf;
    private final EvolutionMode mode;
    private final String schemaLocation; // null when none (Optional is not serializable)
    private final Counters counters;
    private final boolean multiLine;

    JsonLinesReader(JsonRecordParser parser, Broadcast<SerializableConfiguration> conf,
        EvolutionMode mode, Optional<String> schemaLocation, Counters counters, boolean multiLine) {
      this.counters = counters;
      this.multiLine = multiLine;
      this.parser = parser;
      this.conf = conf;
      this.mode = mode;
      this.schemaLocation = schemaLocation.orElse(null);
    }

    @Override
    public java.util.Iterator<InternalRow> read(PartitionedFile file) throws java.io.IOException {
      String path = file.filePath().toString();
      JsonRecordParser.Observations seen = new JsonRecordParser.Observations();
      if (multiLine) {
        List<InternalRow> rows = new ArrayList<>();
        for (byte[] record : MultiLineJson.records(file, conf.value().value())) {
          InternalRow r = parser.parse(record, 0, record.length, path, seen);
          if (r != null) {
            rows.add(r.copy());
          }
        }
        finish(path, seen);
        return rows.iterator();
      }
      HadoopFileLinesReader lines = new HadoopFileLinesReader(file, conf.value().value());
      return new java.util.Iterator<>() {
        InternalRow next;
        boolean done;

        @Override
        public boolean hasNext() {
          while (next == null && !done) {
            if (!lines.hasNext()) {
              done = true;
              lines.close();
              finish(path, seen);
              break;
            }
            Text t = lines.next();
            next = parser.parse(t.getBytes(), 0, t.getLength(), path, seen);
          }
          return next != null;
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          InternalRow r = next;
          next = null;
          return r;
        }
      };
    }

    private void finish(String path, JsonRecordParser.Observations seen) {
      counters.corruptRecords().add(seen.corruptRecords());
      counters.rescuedRecords().add(seen.rescuedRecords());
      Map<String, DataType> fresh = seen.newFields();
      if (fresh.isEmpty() || mode == EvolutionMode.RESCUE || mode == EvolutionMode.NONE) {
        return;
      }
      StructType fields = new StructType();
      for (Map.Entry<String, DataType> e : fresh.entrySet()) {
        fields = fields.add(e.getKey(), e.getValue(), true);
      }
      throw newColumns(mode, schemaLocation, conf.value().value(), path, fields);
    }
  }

  private static final class SparkFormatReader implements FileReader {
    private static final long serialVersionUID = 1L;
    private final Function1<PartitionedFile, Iterator<InternalRow>> inner;
    private final int[] mapping;
    private final DataType[] types;
    private final int corruptIndex;
    private final int rescuedIndex;
    private final int width;
    private final Counters counters;

    SparkFormatReader(Function1<PartitionedFile, Iterator<InternalRow>> inner, int[] mapping,
        DataType[] types, int corruptIndex, int rescuedIndex, int width, Counters counters) {
      this.inner = inner;
      this.mapping = mapping;
      this.types = types;
      this.corruptIndex = corruptIndex;
      this.rescuedIndex = rescuedIndex;
      this.width = width;
      this.counters = counters;
    }

    @Override
    public java.util.Iterator<InternalRow> read(PartitionedFile file) {
      Iterator<InternalRow> rows = inner.apply(file);
      String path = file.filePath().toString();
      return new java.util.Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public InternalRow next() {
          InternalRow in = rows.next();
          Object[] values = new Object[width];
          for (int i = 0; i < width; i++) {
            int j = mapping[i];
            if (j >= 0) {
              values[i] = in.isNullAt(j) ? null : in.get(j, types[j]);
            }
          }
          if (rescuedIndex >= 0 && corruptIndex >= 0 && !in.isNullAt(corruptIndex)) {
            values[rescuedIndex] = rescueJson("_corrupt_record", in.getUTF8String(corruptIndex).toString(), path);
            counters.corruptRecords().add(1);
          }
          return new GenericInternalRow(values);
        }
      };
    }
  }

  /** Turns a file that cannot be read into one rescued error row (see the class comment). */
  private static final class ErrorCapturingReader extends AbstractFunction1<PartitionedFile, Iterator<InternalRow>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final FileReader reader;
    private final int width;
    private final int rescuedIndex;
    private final Counters counters;

    ErrorCapturingReader(FileReader reader, int width, int rescuedIndex, Counters counters) {
      this.reader = reader;
      this.width = width;
      this.rescuedIndex = rescuedIndex;
      this.counters = counters;
    }

    @Override
    public Iterator<InternalRow> apply(PartitionedFile file) {
      String path = file.filePath().toString();
      java.util.Iterator<InternalRow> rows;
      try {
        rows = reader.read(file);
      } catch (Exception e) {
        return JavaConverters.asScalaIterator(List.of(failed(path, e)).iterator());
      }
      java.util.Iterator<InternalRow> guarded = ReadErrors.guarded(rows, e -> failed(path, e));
      return JavaConverters.asScalaIterator(guarded);
    }

    private InternalRow failed(String path, Exception e) {
      ReadErrors.rethrowUnlessContent(path, e);
      counters.unreadableFiles().add(1);
      String what = describe(e);
      if (rescuedIndex < 0) {
        throw ReadErrors.unreadable(path, what, e);
      }
      Object[] values = new Object[width];
      values[rescuedIndex] = rescueJson("_file_error", what, path);
      return new GenericInternalRow(values);
    }
  }
}
