package io.medallion.connector.files.internal;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/** STUB: replaced by the real parser (branch files-json). */
public final class JsonRecordParser implements Serializable {
  public JsonRecordParser(StructType dataSchema, StructType requiredSchema, Optional<String> rescuedColumn,
      Map<String, String> options, String sessionTimeZone, boolean inferColumnTypes) {}

  public InternalRow parse(byte[] bytes, int offset, int length, String filePath, Observations out) {
    throw new UnsupportedOperationException("stub");
  }

  public static final class Observations {
    public Map<String, DataType> newFields() {
      return new LinkedHashMap<>();
    }

    public long rescuedRecords() {
      return 0;
    }

    public long corruptRecords() {
      return 0;
    }
  }
}
