package io.medallion.connector.files.internal;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A file read with its own schema (names and types as written) turned into rows of the stream's
 * columns: the columns that fit are passed through, the others (and, in rescue mode, the new ones)
 * go to the rescued column as one JSON object with the file's path; the stream's column is NULL
 * for them. Used by the row paths of Avro ({@link AvroRead}) and ORC ({@link ColumnarRead}).
 */
final class OwnTypes implements Serializable {
  private static final long serialVersionUID = 1L;

  private final StructType fileSchema;
  private final int[] source; // per output column: the file's column, -1 for NULL
  private final int rescuedIndex;
  private final int[] rescue;
  private final StructType rescued;
  private final JSONOptions json;
  private final String path;
  private long rescuedRecords;

  /**
   * @param out the output columns, the rescued column at {@code rescuedIndex} (-1: none)
   */
  OwnTypes(StructType fileSchema, ColumnarRead.Fit fit, boolean rescueAdded, StructType out,
      int rescuedIndex, String timeZone, String path) {
    this.fileSchema = fileSchema;
    this.rescuedIndex = rescuedIndex;
    this.path = path;
    this.source = new int[out.length()];
    for (int i = 0; i < source.length; i++) {
      StructField inFile = i == rescuedIndex ? null : ColumnarRead.field(fileSchema, out.fields()[i].name(), false);
      source[i] = inFile == null || fit.misfits().contains(inFile.name()) ? -1 : fileSchema.fieldIndex(inFile.name());
    }
    List<Integer> toRescue = new ArrayList<>();
    StructType fields = new StructType();
    for (int j = 0; j < fileSchema.length(); j++) {
      StructField f = fileSchema.fields()[j];
      if (fit.misfits().contains(f.name()) || (rescueAdded && fit.added().contains(f))) {
        toRescue.add(j);
        fields = fields.add(f);
      }
    }
    this.rescue = toRescue.stream().mapToInt(Integer::intValue).toArray();
    this.rescued = fields;
    this.json = new JSONOptions(ReadFormat.toScala(java.util.Map.of()), timeZone, "");
  }

  /** The output values of one row of the file, with {@code tail} free slots at the end. */
  Object[] convert(InternalRow row, int tail) {
    Object[] values = new Object[source.length + tail];
    for (int i = 0; i < source.length; i++) {
      if (source[i] >= 0 && !row.isNullAt(source[i])) {
        values[i] = row.get(source[i], fileSchema.fields()[source[i]].dataType());
      }
    }
    Object[] misfit = new Object[rescue.length];
    boolean any = false;
    for (int k = 0; k < rescue.length; k++) {
      if (!row.isNullAt(rescue[k])) {
        misfit[k] = row.get(rescue[k], fileSchema.fields()[rescue[k]].dataType());
        any = true;
      }
    }
    if (any && rescuedIndex >= 0) {
      values[rescuedIndex] = UTF8String.fromString(
          ColumnarRead.rescuedJson(rescued, new GenericInternalRow(misfit), json, path));
      rescuedRecords++;
    }
    return values;
  }

  /** Rows with rescued values so far (then reset). */
  long takeRescuedCount() {
    long n = rescuedRecords;
    rescuedRecords = 0;
    return n;
  }
}
