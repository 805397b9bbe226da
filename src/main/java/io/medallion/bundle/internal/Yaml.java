package io.medallion.bundle.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes maps, lists and scalars as block YAML, deterministically (insertion order), quoting every
 * string that is not plainly safe. Lists of scalars are written in flow style ({@code [a, "b"]}).
 */
final class Yaml {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./-]*");
  private static final Set<String> RESERVED = Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n");

  private Yaml() {}

  static String write(Map<String, ?> document) {
    StringBuilder sb = new StringBuilder();
    map(sb, document, 0);
    return sb.toString();
  }

  private static void map(StringBuilder sb, Map<String, ?> m, int indent) {
    for (Map.Entry<String, ?> e : m.entrySet()) {
      sb.append(" ".repeat(indent)).append(scalar(e.getKey())).append(':');
      value(sb, e.getValue(), indent);
    }
  }

  @SuppressWarnings("unchecked")
  private static void value(StringBuilder sb, Object v, int indent) {
    if (v instanceof Map<?, ?> m) {
      sb.append('\n');
      map(sb, (Map<String, ?>) m, indent + 2);
    } else if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
      sb.append('\n');
      for (Object item : l) {
        StringBuilder nested = new StringBuilder();
        map(nested, (Map<String, ?>) item, indent + 4);
        sb.append(" ".repeat(indent + 2)).append("- ").append(nested.substring(indent + 4));
      }
    } else if (v instanceof List<?> l) {
      sb.append(" [");
      for (int i = 0; i < l.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(scalar(l.get(i)));
      }
      sb.append("]\n");
    } else {
      sb.append(' ').append(scalar(v)).append('\n');
    }
  }

  static String scalar(Object v) {
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    String s = String.valueOf(v);
    if (PLAIN.matcher(s).matches() && !RESERVED.contains(s.toLowerCase(Locale.ROOT))) {
      return s;
    }
    StringBuilder q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        default -> q.append(c);
      }
    }
    return q.append('"').toString();
  }
}
