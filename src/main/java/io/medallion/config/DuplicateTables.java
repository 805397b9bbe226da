package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds a table defined twice in one pipeline file. HOCON merges duplicate keys silently (a stray
 * second {@code silver { orders { keys = [x] } }} would change the first definition), so the file's
 * text is scanned before it is merged: every statement that introduces
 * {@code pipeline.<layer>.<table>} (as {@code orders { ... }} inside {@code silver { ... }}, as
 * {@code silver.orders { ... }}, or as {@code silver.orders.mode = append}) is a definition, and a
 * second one is refused naming both lines.
 *
 * <p>A scanner of HOCON's structure, not a parser: it knows comments, quoted and triple-quoted
 * strings, keys (dotted or quoted), objects, arrays and values. The file has already parsed.
 */
final class DuplicateTables {
  private static final Set<String> LAYERS = Set.of("bronze", "silver", "gold");

  private final String text;
  private int pos;
  private int line = 1;

  private DuplicateTables(String text) {
    this.text = text;
  }

  /**
   * @throws ConfigurationException naming the table and both lines when a table is defined twice
   */
  static void check(String file, String text) {
    new DuplicateTables(text).scan(file);
  }

  private void scan(String file) {
    Map<String, Integer> defined = new LinkedHashMap<>();
    Deque<List<String>> stack = new ArrayDeque<>(); // the key path of each open object
    List<String> current = List.of();
    while (true) {
      skipBlank();
      if (pos >= text.length()) {
        return;
      }
      char c = text.charAt(pos);
      if (c == '}') {
        pos++;
        current = stack.isEmpty() ? List.of() : stack.pop();
        continue;
      }
      if (c == ',' || c == '{' && current.isEmpty() && stack.isEmpty()) {
        pos++; // a root object in braces, or a separator
        continue;
      }
      int keyLine = line;
      List<String> key = key();
      if (key.isEmpty()) {
        pos++; // something the scanner does not know (include, ...): step over it
        continue;
      }
      List<String> path = new ArrayList<>(current);
      path.addAll(key);
      if (current.size() <= 2 && path.size() >= 3 && path.get(0).equals("pipeline") && LAYERS.contains(path.get(1))) {
        String table = path.get(1) + "." + path.get(2);
        Integer first = defined.putIfAbsent(table, keyLine);
        if (first != null) {
          throw ConfigErrors.definedTwiceInFile(file, keyLine, table, first);
        }
      }
      skipInline();
      if (pos < text.length() && (text.charAt(pos) == '=' || text.charAt(pos) == ':')) {
        pos++;
        skipBlank();
      } else if (text.startsWith("+=", pos)) {
        pos += 2;
        skipBlank();
      }
      if (pos < text.length() && text.charAt(pos) == '{') {
        pos++;
        stack.push(current);
        current = path;
      } else {
        value();
      }
    }
  }

  /** A key: segments separated by dots, each quoted or unquoted. Empty when there is none here. */
  private List<String> key() {
    List<String> parts = new ArrayList<>();
    StringBuilder seg = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"') {
        seg.append(quoted());
      } else if (c == '.') {
        parts.add(seg.toString().strip());
        seg.setLength(0);
        pos++;
      } else if (c == '=' || c == ':' || c == '{' || c == '}' || c == '\n' || c == ',' || c == '#'
          || c == '[' || c == '$' || text.startsWith("//", pos) || text.startsWith("+=", pos)) {
        break;
      } else {
        seg.append(c);
        pos++;
      }
    }
    if (!seg.toString().isBlank()) {
      parts.add(seg.toString().strip());
    }
    return parts;
  }

  /** Steps over a value: an array (with what it holds), a string, or text to the end of the line. */
  private void value() {
    int depth = 0;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"') {
        quoted();
        continue;
      }
      if (c == '#' || text.startsWith("//", pos)) {
        skipComment();
        continue;
      }
      if (c == '[' || c == '{' && depth > 0) {
        depth++;
      } else if (c == ']' || c == '}' && depth > 0) {
        depth--;
      } else if (depth == 0 && (c == '\n' || c == ',' || c == '}')) {
        return;
      } else if (c == '$' && text.startsWith("${", pos)) {
        int end = text.indexOf('}', pos);
        pos = end < 0 ? text.length() : end + 1;
        continue;
      }
      if (c == '\n') {
        line++;
      }
      pos++;
    }
  }

  private String quoted() {
    if (text.startsWith("\"\"\"", pos)) {
      int end = text.indexOf("\"\"\"", pos + 3);
      end = end < 0 ? text.length() : end + 3;
      String s = text.substring(pos + 3, Math.max(pos + 3, end - 3));
      countLines(pos, end);
      pos = end;
      return s;
    }
    StringBuilder s = new StringBuilder();
    pos++;
    while (pos < text.length() && text.charAt(pos) != '"' && text.charAt(pos) != '\n') {
      if (text.charAt(pos) == '\\' && pos + 1 < text.length()) {
        pos++;
      }
      s.append(text.charAt(pos++));
    }
    pos = Math.min(text.length(), pos + 1);
    return s.toString();
  }

  private void skipBlank() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '#' || text.startsWith("//", pos)) {
        skipComment();
      } else if (Character.isWhitespace(c)) {
        if (c == '\n') {
          line++;
        }
        pos++;
      } else {
        return;
      }
    }
  }

  private void skipInline() {
    while (pos < text.length() && text.charAt(pos) != '\n' && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private void skipComment() {
    while (pos < text.length() && text.charAt(pos) != '\n') {
      pos++;
    }
  }

  private void countLines(int from, int to) {
    for (int i = from; i < to && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
  }
}
