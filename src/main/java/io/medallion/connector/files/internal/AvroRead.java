package io.medallion.connector.files.internal;

import io.medallion.connector.files.internal.CloudFilesOptions.EvolutionMode;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.mapred.FsInput;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.avro.AvroDeserializer;
import org.apache.spark.sql.avro.SchemaConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
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
  private final Broadcast<SerializableConfiguration> conf;
  private final StructType data; // data columns, without rescued and partition columns
  private final StructType partitions;
  private final StructType required; // with the rescued column at rescuedIndex
  private final int rescuedIndex;
  private final EvolutionMode mode;
  private final String schemaLocation;
  private final String timeZone;
  private final ReadFormat.Counters counters;

  AvroRead(ReadFormat.FileReader spark, Broadcast<SerializableConfiguration> conf, StructType data,
      StructType partitions, StructType required, int rescuedIndex, EvolutionMode mode,
      String schemaLocation, String timeZone, ReadFormat.Counters counters) {
    this.spark = spark;
    this.conf = conf;
    this.data = data;
    this.partitions = partitions;
    this.required = required;
    this.rescuedIndex = rescuedIndex;
    this.mode = mode;
    this.schemaLocation = schemaLocation;
    this.timeZone = timeZone;
    this.counters = counters;
  }

  @Override
  public Iterator<InternalRow> read(PartitionedFile file) throws Exception {
    String path = file.filePath().toString();
    DataFileReader<GenericRecord> reader = new DataFileReader<>(
        new FsInput(file.toPath(), conf.value().value()), new GenericDatumReader<>());
    boolean handedOver = false;
    try {
      Schema avro = reader.getSchema();
      if (!(SchemaConverters.toSqlType(avro).dataType() instanceof StructType fileSchema)) {
        return spark.read(file);
      }
      ColumnarRead.Fit fit = ColumnarRead.compare(data, partitions, fileSchema, null);
      if (!fit.added().isEmpty()
          && (mode == EvolutionMode.ADD_NEW_COLUMNS || mode == EvolutionMode.FAIL_ON_NEW_COLUMNS)) {
        throw ReadFormat.newColumns(mode, schemaLocation, conf.value().value(), path,
            new StructType(fit.added().toArray(new StructField[0])));
      }
      boolean rescueAdded = mode == EvolutionMode.RESCUE && rescuedIndex >= 0 && !fit.added().isEmpty();
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
    OwnTypes own = new OwnTypes(fileSchema, fit, rescueAdded, required, rescuedIndex, timeZone, path);
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
        counters.rescuedRecords().add(own.takeRescuedCount());
        return new GenericInternalRow(values);
      }
    };
  }
}
