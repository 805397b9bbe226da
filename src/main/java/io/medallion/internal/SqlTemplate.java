package io.medallion.internal;

import io.medallion.pipeline.TableRef;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL text that names pipeline tables as {@code {layer.table}} placeholders, e.g.
 * {@code SELECT * FROM {silver.orders}}. The runner replaces each placeholder with what the table
 * stands for in the current run (its quoted three-level name, or a temporary view).
 */
public final class SqlTemplate {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\\s*([A-Za-z_]+)\\.([A-Za-z0-9_-]+)\\s*\\}");

  private SqlTemplate() {}

  /**
   * The pipeline tables the SQL names, in order of first appearance.
   *
   * @throws IllegalArgumentException for a placeholder whose layer is not bronze, silver or gold
   */
  public static Set<TableRef> references(String sql) {
    Set<TableRef> refs = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(sql);
    while (m.find()) {
      refs.add(TableRef.parse(m.group(1) + "." + m.group(2)));
    }
    return refs;
  }

  /** Replaces every placeholder with {@code replacement.apply(ref)}. */
  public static String render(String sql, Function<TableRef, String> replacement) {
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      TableRef ref = TableRef.parse(m.group(1) + "." + m.group(2));
      m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(ref)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
