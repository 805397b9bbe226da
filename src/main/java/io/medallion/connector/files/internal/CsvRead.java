package io.medallion.connector.files.internal;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.csv.CSVHeaderChecker;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import org.apache.spark.sql.catalyst.csv.UnivocityParser;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.csv.CSVDataSource;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * CSV files checked for new columns, one file at a time.
 *
 * <p>With {@code header = true} each file's header is compared with the stream's columns. A file
 * whose header names the schema's columns in the schema's order is read by Spark's CSV reader as
 * configured. A header with columns the schema does not have follows the evolution mode (stop and
 * add them as strings, stop, rescue them, ignore them). A file whose columns come in another order,
 * or with new ones, is read by Spark's CSV parser with the file's own column order, and its values
 * are matched to the schema by name (Spark alone would match by position).
 *
 * <p>Without a header columns are matched by position, as Spark reads them: a file whose first
 * record has more values than the schema has columns has new columns, named as Spark names
 * headerless columns ({@code _c5}, {@code _c6}, ...), and they follow the evolution mode in the
 * same way; a file whose first record fits is read by Spark's CSV reader as configured.
 */
final class CsvRead implements ReadFormat.FileReader {
  private static final long serialVersionUID = 1L;

  private final ReadFormat.FileReader spark;
  private final FileCheck check;
  private final Map<String, String> readerOptions;
  private final boolean header;

  CsvRead(ReadFormat.FileReader spark, FileCheck check, Map<String, String> readerOptions) {
    this.spark = spark;
    this.check = check;
    this.readerOptions = new LinkedHashMap<>(readerOptions);
    this.header = readerOptions.entrySet().stream()
        .anyMatch(e -> e.getKey().equalsIgnoreCase("header") && Boolean.parseBoolean(e.getValue().trim()));
  }

  @Override
  public Iterator<InternalRow> read(PartitionedFile file) throws Exception {
    if (file.start() != 0) {
      return spark.read(file); // only the first split holds the header
    }
    Map<String, String> params = new LinkedHashMap<>(readerOptions);
    params.put("columnNameOfCorruptRecord", ReadFormat.CORRUPT);
    params.put("mode", "PERMISSIVE");
    params.put("enforceSchema", "true"); // the schema below is in the header's order
    CSVOptions options = new CSVOptions(ReadFormat.toScala(params), false, check.timeZone());
    String[] first = firstRecord(file, options);
    if (first == null || !header && first.length <= check.data().length()) {
      return spark.read(file);
    }
    String[] names = header ? first : positional(first.length);
    String path = file.filePath().toString();
    StructType fileSchema = new StructType();
    List<StructField> added = new ArrayList<>();
    for (String name : names) {
      StructField known = ColumnarRead.field(check.data(), name, true);
      if (known != null) {
        fileSchema = fileSchema.add(known);
      } else if (ColumnarRead.field(check.partitions(), name, true) == null) {
        StructField f = new StructField(name, DataTypes.StringType, true, Metadata.empty());
        fileSchema = fileSchema.add(f);
        added.add(f);
      } else {
        fileSchema = fileSchema.add(name + "\u0000partition", DataTypes.StringType, true); // read, dropped
      }
    }
    check.stopOnNewColumns(path, added);
    if (added.isEmpty() && Arrays.equals(fileSchema.fieldNames(), check.data().fieldNames())) {
      return spark.read(file);
    }
    boolean rescueAdded = check.rescuesAdded(added);
    ColumnarRead.Fit fit = new ColumnarRead.Fit(added, List.of(), fileSchema, null);
    OwnTypes own = new OwnTypes(fileSchema, fit, rescueAdded, check.required(), check.rescuedIndex(), check.timeZone(), path);
    StructType withCorrupt = fileSchema.add(ReadFormat.CORRUPT, DataTypes.StringType, true);
    UnivocityParser parser = new UnivocityParser(fileSchema, fileSchema, options); // corrupt column: readFile below
    CSVHeaderChecker checker = new CSVHeaderChecker(fileSchema, options, "CSV file: " + path, true);
    Iterator<InternalRow> rows = JavaConverters.asJavaIterator(CSVDataSource.apply(options)
        .readFile(check.conf().value().value(), file, parser, checker, withCorrupt));
    int corrupt = fileSchema.length();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = rows.hasNext();
        if (!more) {
          check.counters().rescuedRecords().add(own.takeRescuedCount());
        }
        return more;
      }

      @Override
      public InternalRow next() {
        InternalRow row = rows.next();
        Object[] values = own.convert(row, 0);
        if (check.rescuedIndex() >= 0 && !row.isNullAt(corrupt)) {
          values[check.rescuedIndex()] = ReadFormat.rescueJson("_corrupt_record", row.getUTF8String(corrupt).toString(), path);
          check.counters().corruptRecords().add(1);
        }
        return new GenericInternalRow(values);
      }
    };
  }

  /**
   * Names for a headerless file's {@code n} values: the schema's columns by position, then Spark's
   * names for the positions beyond them.
   */
  private String[] positional(int n) {
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = i < check.data().length() ? check.data().fieldNames()[i] : "_c" + i;
    }
    return names;
  }

  /**
   * The file's first record (its header, or its first row without one), parsed as CSV with the
   * stream's options (a quoted value may span lines), or null for an empty file.
   */
  private String[] firstRecord(PartitionedFile file, CSVOptions options) throws java.io.IOException {
    Configuration c = check.conf().value().value();
    Path path = file.toPath();
    CompressionCodec codec = new CompressionCodecFactory(c).getCodec(path);
    try (InputStream raw = path.getFileSystem(c).open(path);
        InputStream in = codec == null ? raw : codec.createInputStream(raw);
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, Charset.forName(options.charset())))) {
      lines.mark(1);
      if (lines.read() != '\uFEFF') {
        lines.reset();
      }
      com.univocity.parsers.csv.CsvParser parser = new com.univocity.parsers.csv.CsvParser(options.asParserSettings());
      parser.beginParsing(lines);
      try {
        return parser.parseNext();
      } finally {
        parser.stopParsing();
      }
    }
  }
}
