package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.medallion.internal.Suggestions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One object of a resolved configuration, read strictly: every getter checks the value's type
 * itself (no silent coercion of a string into a list, say) and every error is a
 * {@link ConfigurationException} naming the file, the line, the full config path and what is
 * expected. Keys are plain object keys, never path expressions.
 *
 * <p>{@code own} holds what the user wrote; {@code merged} is {@code own} with the defaults of
 * {@code reference.conf} as fallback. Required keys are looked up in {@code own}, values in
 * {@code merged}.
 */
final class Section {
  private static final ConfigObject EMPTY = ConfigFactory.empty().root();

  private final String file;
  private final String path;
  private final ConfigObject own;
  private final ConfigObject merged;

  private Section(String file, String path, ConfigObject own, ConfigObject merged) {
    this.file = file;
    this.path = path;
    this.own = own;
    this.merged = merged;
  }

  /** The root object of a file's configuration. */
  static Section root(String file, ConfigObject root) {
    return new Section(file, "", root, root);
  }

  /** A section holding only defaults (nothing set by a user), e.g. {@code medallion.defaults.silver}. */
  static Section defaults(String file, String path, ConfigObject defaults) {
    return new Section(file, path, EMPTY, defaults);
  }

  String file() {
    return file;
  }

  String path() {
    return path;
  }

  /** The full config path of a key of this section, quoted where HOCON needs it. */
  String pathOf(String key) {
    String k = ConfigUtil.joinPath(key);
    return path.isEmpty() ? k : path + "." + k;
  }

  // ---- errors ----

  ConfigurationException error(String key, String problem) {
    ConfigValue v = merged.get(key);
    int line = v != null ? lineIn(v.origin()) : -1;
    return ConfigErrors.at(file, line > 0 ? line : line(), pathOf(key), problem);
  }

  /** An error about the section as a whole. */
  ConfigurationException error(String problem) {
    return ConfigErrors.at(file, line(), path, problem);
  }

  private int line() {
    int line = lineIn(own.origin());
    return line > 0 ? line : lineIn(merged.origin());
  }

  private int lineIn(ConfigOrigin origin) {
    return origin != null && file.equals(origin.filename()) ? origin.lineNumber() : -1;
  }

  /** The line a key is written on, for ordering; keys from defaults sort last. */
  private int lineOf(String key) {
    ConfigValue v = own.get(key);
    int line = v == null ? -1 : lineIn(v.origin());
    return line > 0 ? line : Integer.MAX_VALUE;
  }

  // ---- keys ----

  /** The keys the user wrote, in the order they appear in the file. */
  List<String> keys() {
    List<String> keys = new ArrayList<>(own.keySet());
    keys.sort(Comparator.comparingInt(this::lineOf).thenComparing(Comparator.naturalOrder()));
    return keys;
  }

  /**
   * Fails on the first key the user wrote that is not allowed: with the hint for that key when
   * there is one (a key that exists elsewhere, e.g. {@code execution} in a gold table), else
   * "unknown key", a "did you mean" and the allowed keys.
   *
   * @param what the section for humans, e.g. "a silver table"
   */
  void allowOnly(Collection<String> allowed, String what, Map<String, String> hints) {
    for (String key : keys()) {
      if (allowed.contains(key)) {
        continue;
      }
      if (hints.containsKey(key)) {
        throw error(key, hints.get(key));
      }
      throw error(
          key,
          "unknown key '" + key + "' in " + what + "." + Suggestions.didYouMean(key, allowed)
              + " Allowed keys: " + String.join(", ", new TreeSet<>(allowed)) + ".");
    }
  }

  /** True when the key has a non-null value, set by the user or by the defaults. */
  boolean has(String key) {
    ConfigValue v = merged.get(key);
    return v != null && v.valueType() != ConfigValueType.NULL;
  }

  /** True when the user wrote the key (with a non-null value). */
  boolean userSet(String key) {
    ConfigValue v = own.get(key);
    return v != null && v.valueType() != ConfigValueType.NULL;
  }

  private ConfigurationException missing(String key, String expect) {
    return error(key, "missing required key '" + key + "': expected " + expect + ".");
  }

  private ConfigurationException wrongType(String key, ConfigValue v, String expect) {
    return error(key, "expected " + expect + ", but found " + describe(v) + ".");
  }

  private static String describe(ConfigValue v) {
    switch (v.valueType()) {
      case OBJECT:
        return "an object { ... }";
      case LIST:
        return "a list [ ... ]";
      case NUMBER:
        return "the number " + v.render(ConfigRenderOptions.concise());
      case BOOLEAN:
        return "the boolean " + v.render(ConfigRenderOptions.concise());
      case STRING:
        return "the string '" + v.unwrapped() + "'";
      default:
        return "null";
    }
  }

  // ---- values ----

  /** A required string (numbers and booleans are accepted as their text). */
  String string(String key, String expect) {
    if (!has(key)) {
      throw missing(key, expect);
    }
    return text(key, merged.get(key), expect);
  }

  /** A required string that is not blank. */
  String nonBlank(String key, String expect) {
    String s = string(key, expect);
    if (s.isBlank()) {
      throw error(key, "'" + key + "' is empty: expected " + expect + ".");
    }
    return s;
  }

  /** An optional string; when present it must not be blank. */
  Optional<String> optionalString(String key, String expect) {
    if (!has(key)) {
      return Optional.empty();
    }
    return Optional.of(nonBlank(key, expect));
  }

  private String text(String key, ConfigValue v, String expect) {
    switch (v.valueType()) {
      case STRING:
        return (String) v.unwrapped();
      case NUMBER:
      case BOOLEAN:
        return v.render(ConfigRenderOptions.concise());
      default:
        throw wrongType(key, v, expect);
    }
  }

  /** A required string, or a non-empty list of strings ({@code from = bronze.a} or {@code from = [bronze.a, bronze.b]}). */
  List<String> stringOrList(String key, String expect) {
    if (has(key) && merged.get(key).valueType() == ConfigValueType.LIST) {
      List<String> list = stringList(key, expect);
      if (list.isEmpty()) {
        throw error(key, "'" + key + "' is an empty list: expected " + expect + ".");
      }
      return list;
    }
    return List.of(nonBlank(key, expect));
  }

  /** A list of strings; an absent key is the empty list. */
  List<String> stringList(String key, String expect) {
    if (!has(key)) {
      return List.of();
    }
    ConfigValue v = merged.get(key);
    if (v.valueType() != ConfigValueType.LIST) {
      String hint =
          v.valueType() == ConfigValueType.STRING
              ? " Write a list: " + key + " = [" + v.unwrapped() + "]"
              : "";
      throw error(key, "expected " + expect + ", but found " + describe(v) + "." + hint);
    }
    List<String> out = new ArrayList<>();
    for (ConfigValue item : (ConfigList) v) {
      if (item.valueType() != ConfigValueType.STRING && item.valueType() != ConfigValueType.NUMBER) {
        throw error(key, "expected " + expect + ", but the list holds " + describe(item) + ".");
      }
      String s = text(key, item, expect);
      if (s.isBlank()) {
        throw error(key, "the list holds an empty name: expected " + expect + ".");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /**
   * A flat map of strings; an absent key is the empty map. Nested keys are joined with dots, so
   * {@code "spark.sql.x" = 1} and {@code spark.sql.x = 1} mean the same; values may be strings,
   * numbers or booleans.
   */
  Map<String, String> stringMap(String key, String expect) {
    if (!has(key)) {
      return Map.of();
    }
    ConfigValue v = merged.get(key);
    if (v.valueType() != ConfigValueType.OBJECT) {
      throw wrongType(key, v, expect);
    }
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : ((ConfigObject) v).toConfig().entrySet()) {
      String name = String.join(".", ConfigUtil.splitPath(e.getKey()));
      ConfigValue value = e.getValue();
      if (value.valueType() != ConfigValueType.STRING
          && value.valueType() != ConfigValueType.NUMBER
          && value.valueType() != ConfigValueType.BOOLEAN) {
        throw ConfigErrors.at(
            file,
            lineIn(value.origin()),
            pathOf(key) + "." + ConfigUtil.joinPath(name),
            "expected a string, number or boolean value, but found " + describe(value) + " ("
                + key + " is " + expect + ").");
      }
      out.put(name, text(key, value, expect));
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(out));
  }

  /** True when the value of the key (set by the user or the defaults) is an object { ... }. */
  boolean isList(String key) {
    ConfigValue v = merged.get(key);
    return v != null && v.valueType() == ConfigValueType.LIST;
  }

  boolean isObject(String key) {
    ConfigValue v = merged.get(key);
    return v != null && v.valueType() == ConfigValueType.OBJECT;
  }

  /** An optional whole number. */
  java.util.OptionalLong optionalLong(String key, String expect) {
    if (!has(key)) {
      return java.util.OptionalLong.empty();
    }
    ConfigValue v = merged.get(key);
    if (v.valueType() != ConfigValueType.NUMBER || !(v.unwrapped() instanceof Integer || v.unwrapped() instanceof Long)) {
      throw wrongType(key, v, expect);
    }
    return java.util.OptionalLong.of(((Number) v.unwrapped()).longValue());
  }

  /** A required number (whole or decimal). */
  double number(String key, String expect) {
    if (!has(key)) {
      throw missing(key, expect);
    }
    ConfigValue v = merged.get(key);
    if (v.valueType() != ConfigValueType.NUMBER) {
      throw wrongType(key, v, expect);
    }
    return ((Number) v.unwrapped()).doubleValue();
  }

  /** A required duration ("1 minute", "30 seconds", "500 ms"; a bare number is milliseconds). */
  Duration duration(String key) {
    String expect = "a duration such as \"30 seconds\", \"1 minute\" or \"500 ms\"";
    if (!has(key)) {
      throw missing(key, expect);
    }
    ConfigValue v = merged.get(key);
    if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
      throw wrongType(key, v, expect);
    }
    try {
      return merged.toConfig().getDuration(ConfigUtil.joinPath(key));
    } catch (ConfigException e) {
      throw error(key, "'" + v.unwrapped() + "' is not a duration: expected " + expect + ".");
    }
  }

  /**
   * A required value of a fixed set, written in lower case: {@code values} maps each allowed
   * spelling to its value, in the order to list them.
   */
  <E> E choice(String key, Map<String, E> values) {
    String allowed = String.join(" | ", values.keySet());
    String s = string(key, "one of " + allowed);
    E e = values.get(s);
    if (e == null) {
      throw error(
          key,
          "'" + s + "' is not a valid " + key + ": expected one of " + allowed + "."
              + Suggestions.didYouMean(s, values.keySet()));
    }
    return e;
  }

  /** A required object the user wrote, with the defaults' object of the same key as fallback. */
  Section section(String key, String expect) {
    if (!userSet(key)) {
      throw missing(key, expect);
    }
    return optionalSection(key, expect).orElseThrow();
  }

  /** An object, when the user or the defaults set one. */
  Optional<Section> optionalSection(String key, String expect) {
    if (!has(key)) {
      return Optional.empty();
    }
    ConfigValue v = merged.get(key);
    if (v.valueType() != ConfigValueType.OBJECT) {
      throw wrongType(key, v, expect);
    }
    ConfigValue mine = own.get(key);
    ConfigObject ownChild =
        mine != null && mine.valueType() == ConfigValueType.OBJECT ? (ConfigObject) mine : EMPTY;
    return Optional.of(new Section(file, pathOf(key), ownChild, (ConfigObject) v));
  }

  /**
   * The object the user wrote under {@code key}, with {@code defaults} as its fallback (a table
   * with its layer's defaults).
   */
  Section child(String key, ConfigObject defaults, String expect) {
    ConfigValue v = own.get(key);
    if (v == null || v.valueType() != ConfigValueType.OBJECT) {
      throw v == null ? missing(key, expect) : wrongType(key, v, expect);
    }
    ConfigObject mine = (ConfigObject) v;
    return new Section(file, pathOf(key), mine, defaults == null ? mine : mine.withFallback(defaults));
  }
}
