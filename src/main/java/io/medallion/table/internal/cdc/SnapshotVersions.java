package io.medallion.table.internal.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** A set of snapshot versions as compact text: ascending ranges, e.g. {@code "1-3,5,8-9"}. */
final class SnapshotVersions {
  private SnapshotVersions() {}

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
