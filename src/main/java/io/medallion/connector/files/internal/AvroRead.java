package io.medallion.connector.files.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.mapred.FsInput;
import org.apache.spark.sql.avro.AvroDeserializer;
import org.apache.spark.sql.avro.SchemaConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Avro: each file's schema (its header) is compared with the stream's, as Parquet footers are
 * ({@link ColumnarRead#compare}). A file that fits is read by Spark's avro reader. New columns
 * follow the evolution mode (stop and add them, stop, rescue them, ignore them). A file with
 * columns whose type differs, or whose name differs only in case, is read with its own schema
 * (Spark's {@code AvroDeserializer}): the fitting columns are kept, the others go to the rescued
 * column as JSON with the file's path, the schema's column is NULL for them.
 *
 * <p>Only loaded when {@code cloudFiles.format = avro} (Spark's avro module is {@code provided}).
 */
final class AvroRead implements ReadFormat.FileReader {
  private static final long serialVersionUID = 1L;

  private final ReadFormat.FileReader spark;
  private final FileCheck check;

  AvroRead(ReadFormat.FileReader spark, FileCheck check) {
    this.spark = spark;
    this.check = check;
  }

  @Override
  public Iterator<InternalRow> read(PartitionedFile file) throws Exception {
    String path = file.filePath().toString();
    DataFileReader<GenericRecord> reader = new DataFileReader<>(
        new FsInput(file.toPath(), check.conf().value().value()), new GenericDatumReader<>());
    boolean handedOver = false;
    try {
      Schema avro = reader.getSchema();
      if (!(SchemaConverters.toSqlType(avro).dataType() instanceof StructType fileSchema)) {
        return spark.read(file);
      }
      ColumnarRead.Fit fit = ColumnarRead.compare(check.data(), check.partitions(), fileSchema, null);
      check.stopOnNewColumns(path, fit.added());
      boolean rescueAdded = check.rescuesAdded(fit.added());
      if (fit.misfits().isEmpty() && !rescueAdded) {
        return spark.read(file);
      }
      handedOver = true;
      return ownTypes(reader, avro, fileSchema, fit, rescueAdded, file);
    } finally {
      if (!handedOver) {
        reader.close();
      }
    }
  }

  /** Reads the split with the file's own schema and rescues what does not fit. */
  private Iterator<InternalRow> ownTypes(DataFileReader<GenericRecord> reader, Schema avro,
      StructType fileSchema, ColumnarRead.Fit fit, boolean rescueAdded, PartitionedFile file) throws Exception {
    String path = file.filePath().toString();
    long end = file.start() + file.length();
    reader.sync(file.start());
    AvroDeserializer deserializer = new AvroDeserializer(avro, fileSchema, "CORRECTED", false);
    OwnTypes own = new OwnTypes(fileSchema, fit, rescueAdded, check.required(), check.rescuedIndex(), check.timeZone(), path);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          boolean more = reader.hasNext() && !reader.pastSync(end);
          if (!more) {
            reader.close();
          }
          return more;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Option<Object> converted = deserializer.deserialize(reader.next());
        InternalRow row = converted.isDefined() ? ((InternalRow) converted.get()).copy()
            : new GenericInternalRow(fileSchema.length());
        Object[] values = own.convert(row, 0);
        check.counters().rescuedRecords().add(own.takeRescuedCount());
        return new GenericInternalRow(values);
      }
    };
  }
}
