package io.medallion.table.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;

/**
 * The closed range {@code [lower, upper]} of one top-level column's values, in numeric order:
 * integral and decimal numbers, and dates as days since the epoch. A batch's key range: the
 * condition of a MERGE ({@link #sql}), and the filter of a read that skips the files whose Delta
 * statistics lie outside it ({@link LatestVersion#read(java.util.List)}).
 */
public record ColumnRange(String column, DataType type, BigDecimal lower, BigDecimal upper) {

  /**
   * Whether {@code type}'s values can be ranged: the integral types, decimals and dates, whose
   * minimum and maximum Delta records per file and orders as Spark does (no NaN, no nesting).
   */
  public static boolean supports(DataType type) {
    return type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType
        || type instanceof LongType || type instanceof DecimalType || type instanceof DateType;
  }

  /**
   * {@code alias.column >= lower AND alias.column <= upper} (no alias when empty), the bounds as SQL
   * literals of the column's type.
   */
  public String sql(String alias) {
    String name = (alias.isEmpty() ? "" : alias + ".") + "`" + column.replace("`", "``") + "`";
    return name + " >= " + literal(lower) + " AND " + name + " <= " + literal(upper);
  }

  private String literal(BigDecimal value) {
    Object internal = type instanceof ByteType ? (Object) value.byteValueExact()
        : type instanceof ShortType ? (Object) value.shortValueExact()
        : type instanceof LongType ? (Object) value.longValueExact()
        : type instanceof DecimalType ? org.apache.spark.sql.types.Decimal.apply(value)
        : (Object) value.intValueExact(); // an integer, or a date's days
    return Literal.create(internal, type).sql();
  }

  /**
   * False only when a file's Delta statistics ({@code AddFile.stats}, parsed with decimals kept
   * exact) show that none of its values of the column is in this range: its minimum above {@code
   * upper} or its maximum below {@code lower} (NULLs are in no range). True when the statistics do
   * not say: no statistics, the column not among those Delta collects them for, no non-NULL value,
   * a value that does not parse.
   */
  boolean mayHold(JsonNode stats) {
    BigDecimal[] values = minMax(stats, column, type);
    return values == null || (values[0].compareTo(upper) <= 0 && values[1].compareTo(lower) >= 0);
  }

  /**
   * A file's minimum and maximum of {@code column} from its parsed Delta statistics, in the order
   * of a range of {@code type}; null when the statistics do not say.
   */
  static BigDecimal[] minMax(JsonNode stats, String column, DataType type) {
    if (stats == null) {
      return null;
    }
    BigDecimal min = value(stats.path("minValues").path(column), type);
    BigDecimal max = value(stats.path("maxValues").path(column), type);
    return min == null || max == null ? null : new BigDecimal[] {min, max};
  }

  /** A statistic in this range's order: a number, or a date ({@code yyyy-MM-dd}) as its days. */
  private static BigDecimal value(JsonNode v, DataType type) {
    try {
      if (type instanceof DateType) {
        return v.isTextual() ? BigDecimal.valueOf(LocalDate.parse(v.asText()).toEpochDay()) : null;
      }
      return v.isNumber() ? new BigDecimal(v.asText()) : null;
    } catch (RuntimeException e) {
      return null; // not a statistic this range can compare: keep the file
    }
  }
}
