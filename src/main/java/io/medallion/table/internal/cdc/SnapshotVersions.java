package io.medallion.table.internal.cdc;

import io.medallion.table.CdcSpec;
import io.medallion.table.Snapshots;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshot versions as text. A version is a {@code long}: a version number, or, for snapshots
 * versioned by time, microseconds since 1970-01-01T00:00:00Z (the precision of Spark's
 * {@code TIMESTAMP}, so the version orders as its time and converts to it exactly). Here: folder
 * names to versions, versions to the text messages show, and sets of versions as compact ranges,
 * e.g. {@code "1-3,5,8-9"} (the target property that lists the applied ones).
 */
final class SnapshotVersions {
  private static final Pattern NUMBER = Pattern.compile("(?:v=)?(\\d{1,18})");
  /** A date, or a date-time with an optional offset; optionally after {@code <name>=}. */
  private static final Pattern TIME = Pattern.compile("(?:[A-Za-z_][A-Za-z0-9_]*=)?(\\d{4}-\\d{2}-\\d{2})"
      + "(?:[T ](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,6})?)?)(Z|[+-]\\d{2}:\\d{2})?)?");

  private SnapshotVersions() {}

  /**
   * The version a snapshot folder's name gives, or empty when it is not one. Numbers: {@code v=<n>}
   * or {@code <n>}. Times: {@code 2026-12-01}, {@code 2026-12-01T06:30}, {@code
   * 2026-12-01T06:30:00.5Z}, {@code 2026-12-01 06:30:00+01:00}, each optionally after {@code
   * <name>=} ({@code snapshot_date=2026-12-01}); {@code %3A} stands for {@code :}, as Hive-style
   * partition folders write it; without an offset the time is UTC; at most microseconds.
   */
  static OptionalLong parseFolderName(String name, CdcSpec.FromSnapshot.VersionType type) {
    if (type == CdcSpec.FromSnapshot.VersionType.NUMBER) {
      Matcher m = NUMBER.matcher(name);
      return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
    Matcher m = TIME.matcher(name.replace("%3A", ":").replace("%3a", ":"));
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      LocalDate date = LocalDate.parse(m.group(1));
      LocalTime time = m.group(2) == null ? LocalTime.MIDNIGHT : LocalTime.parse(m.group(2));
      ZoneOffset offset = m.group(3) == null ? ZoneOffset.UTC : ZoneOffset.of(m.group(3));
      return OptionalLong.of(Snapshots.version(date.atTime(time).toInstant(offset)));
    } catch (DateTimeException e) { // 2026-02-30, 25:00
      return OptionalLong.empty();
    }
  }

  /** A version as messages show it: the number, or the time in ISO-8601 (UTC). */
  static String label(long version, boolean time) {
    return time ? Instant.EPOCH.plus(version, ChronoUnit.MICROS).toString() : String.valueOf(version);
  }

  static TreeSet<Long> parse(String text) {
    TreeSet<Long> out = new TreeSet<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-', 1);
      long from = Long.parseLong(dash < 0 ? p : p.substring(0, dash));
      long to = dash < 0 ? from : Long.parseLong(p.substring(dash + 1));
      for (long v = from; v <= to; v++) {
        out.add(v);
      }
    }
    return out;
  }

  static String format(java.util.Set<Long> versions) {
    List<String> parts = new ArrayList<>();
    Long start = null;
    Long prev = null;
    for (long v : new TreeSet<>(versions)) {
      if (prev != null && v == prev + 1) {
        prev = v;
        continue;
      }
      if (start != null) {
        parts.add(start.equals(prev) ? String.valueOf(start) : start + "-" + prev);
      }
      start = v;
      prev = v;
    }
    if (start != null) {
      parts.add(start.equals(prev) ? String.valueOf(start) : start + "-" + prev);
    }
    return String.join(",", parts);
  }
}
