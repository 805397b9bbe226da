package io.medallion.catalog;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Test helper: rows as comparable strings. */
final class Rows {
  private Rows() {}

  /** Rows as comma-joined strings ({@code null} for nulls), in order. */
  static List<String> strings(Dataset<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row row : rows.collectAsList()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        values.add(row.isNullAt(i) ? "null" : row.get(i).toString());
      }
      out.add(String.join(",", values));
    }
    return out;
  }
}
