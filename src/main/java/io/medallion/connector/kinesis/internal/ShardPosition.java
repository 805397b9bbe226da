package io.medallion.connector.kinesis.internal;

import java.io.Serializable;
import java.math.BigInteger;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a shard stands in an offset: not read yet ({@link Kind#TRIM_HORIZON}, {@link
 * Kind#AT_TIMESTAMP}), read up to and including a sequence number ({@link Kind#AFTER}), or read to
 * its end ({@link Kind#CLOSED}: the shard was closed by a reshard and every record of it was
 * consumed). Serialized as {@code trim_horizon}, {@code at_timestamp:<epoch millis>}, {@code
 * after:<sequence number>} or {@code closed}.
 */
public record ShardPosition(Kind kind, String value) implements Serializable {
  /** The kinds of position. */
  public enum Kind { TRIM_HORIZON, AT_TIMESTAMP, AFTER, CLOSED }

  private static final Pattern TEXT =
      Pattern.compile("(trim_horizon|closed)|at_timestamp:(\\d{1,19})|after:(\\d{1,128})");

  public static final ShardPosition TRIM = new ShardPosition(Kind.TRIM_HORIZON, null);
  public static final ShardPosition END = new ShardPosition(Kind.CLOSED, null);

  public static ShardPosition after(String sequenceNumber) {
    return new ShardPosition(Kind.AFTER, sequenceNumber);
  }

  public static ShardPosition atTimestamp(Instant instant) {
    return new ShardPosition(Kind.AT_TIMESTAMP, Long.toString(instant.toEpochMilli()));
  }

  /** The position's text, or null if it is not one. */
  static ShardPosition parse(String text) {
    Matcher m = TEXT.matcher(text);
    if (!m.matches()) {
      return null;
    }
    if (m.group(1) != null) {
      return m.group(1).equals("closed") ? END : TRIM;
    }
    return m.group(2) != null ? new ShardPosition(Kind.AT_TIMESTAMP, m.group(2))
        : after(m.group(3));
  }

  Instant timestamp() {
    return Instant.ofEpochMilli(Long.parseLong(value));
  }

  /** True if a record with {@code sequenceNumber} comes after this AFTER position. */
  static int compareSequence(String a, String b) {
    return new BigInteger(a).compareTo(new BigInteger(b));
  }

  @Override
  public String toString() {
    switch (kind) {
      case TRIM_HORIZON:
        return "trim_horizon";
      case CLOSED:
        return "closed";
      case AT_TIMESTAMP:
        return "at_timestamp:" + value;
      default:
        return "after:" + value;
    }
  }
}
