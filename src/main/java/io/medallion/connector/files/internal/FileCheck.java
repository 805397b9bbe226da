package io.medallion.connector.files.internal;

import io.medallion.connector.files.internal.CloudFilesOptions.EvolutionMode;
import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * What a per-file schema check on the executors needs ({@link AvroRead}, {@link CsvRead}): the
 * stream's data columns (without the rescued and partition columns), its partition columns, the
 * scan's required columns with the rescued column at {@code rescuedIndex} (-1: none), the
 * evolution mode and where new columns are noted.
 */
record FileCheck(Broadcast<SerializableConfiguration> conf, StructType data, StructType partitions,
    StructType required, int rescuedIndex, EvolutionMode mode, String schemaLocation, String timeZone,
    ReadFormat.Counters counters) implements Serializable {

  /** Stops the stream in addNewColumns / failOnNewColumns mode when the file has new columns. */
  void stopOnNewColumns(String path, java.util.List<org.apache.spark.sql.types.StructField> added) {
    if (!added.isEmpty() && (mode == EvolutionMode.ADD_NEW_COLUMNS || mode == EvolutionMode.FAIL_ON_NEW_COLUMNS)) {
      throw ReadFormat.newColumns(mode, schemaLocation, conf.value().value(), path,
          new StructType(added.toArray(new org.apache.spark.sql.types.StructField[0])));
    }
  }

  /** Whether rescue mode keeps the file's new columns in the rescued column. */
  boolean rescuesAdded(java.util.List<org.apache.spark.sql.types.StructField> added) {
    return mode == EvolutionMode.RESCUE && rescuedIndex >= 0 && !added.isEmpty();
  }
}
