package io.medallion.internal;

import java.time.ZoneOffset;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.catalyst.util.TimestampFormatter;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;

/**
 * A shortcut for the most common time stamp text in JSON, the ISO 8601 UTC form {@code
 * yyyy-MM-dd(T| )HH:mm:ss[.f...]Z}. Spark's default parser looks the zone {@code Z} up anew for
 * every value (two regular expressions and {@code ZoneId.of}: 8-11% of a JSON bronze task's CPU);
 * the same text without the {@code Z}, read in UTC, is the same instant. Used by both JSON readers
 * (files and message values) only where Spark's default parser is the one in use; any other text
 * goes to Spark's parser.
 */
public final class UtcTimestamps {
  private UtcTimestamps() {}

  /** Whether {@code formatter} is Spark's default parser (no {@code timestampFormat} option). */
  public static boolean isSparkDefault(TimestampFormatter formatter) {
    return formatter.getClass().getName().equals("org.apache.spark.sql.catalyst.util.DefaultTimestampFormatter");
  }

  /**
   * An ISO 8601 time stamp in UTC with seconds: {@code yyyy-MM-dd(T| )HH:mm:ss[.f...]Z}, one to
   * nine fraction digits. Only this shape takes the shortcut (Spark reads some shorter ones
   * differently with and without the {@code Z}: {@code 2024-01-15T10:20Z} does not parse).
   */
  public static boolean zulu(String text) {
    int n = text.length();
    if (n < 20 || n > 30 || text.charAt(n - 1) != 'Z' || (n > 20 && (text.charAt(19) != '.' || n == 21))) {
      return false;
    }
    for (int i = 0; i < n - 1; i++) {
      char c = text.charAt(i);
      boolean ok = switch (i) {
        case 4, 7 -> c == '-';
        case 10 -> c == 'T' || c == ' ';
        case 13, 16 -> c == ':';
        case 19 -> c == '.';
        default -> c >= '0' && c <= '9';
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Microseconds since the epoch of a {@link #zulu} text, as Spark's default parser reads it, or
   * null when the text is not a valid date and time (an invalid day, hour...): the caller then asks
   * Spark's parser, which decides (and fails) as it always does.
   */
  public static Long parseZulu(String text) {
    Option<Object> utc = DateTimeUtils.stringToTimestamp(
        UTF8String.fromString(text.substring(0, text.length() - 1)), ZoneOffset.UTC);
    return utc.isDefined() ? (Long) utc.get() : null;
  }
}
