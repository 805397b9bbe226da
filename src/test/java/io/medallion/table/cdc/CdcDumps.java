package io.medallion.table.cdc;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Tables as sorted "a|b|c" lines, for the CDC tests. */
public final class CdcDumps {
  private CdcDumps() {}

  public static List<String> dump(Dataset<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows.collectAsList()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        sb.append(i == 0 ? "" : "|").append(r.get(i));
      }
      out.add(sb.toString());
    }
    out.sort(null);
    return out;
  }
}
