package io.medallion.pipeline;

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

  // Anything in braces that starts like an identifier (not Spark's ${var} substitution): a
  // placeholder, well-formed or not.
  private static final Pattern BRACED = Pattern.compile("(?<!\\$)\\{\\s*[A-Za-z_][^{}'\"\\n]*\\}");

  private SqlTemplate() {}

  /**
   * Checks that every placeholder-like {@code {...}} in the SQL is a table placeholder
   * {@code {layer.table}} with layer bronze, silver or gold and a valid table name.
   *
   * @throws IllegalArgumentException naming the first bad placeholder and the expected form
   */
  public static void validate(String sql) {
    Matcher m = BRACED.matcher(sql);
    while (m.find()) {
      String text = m.group();
      Matcher p = PLACEHOLDER.matcher(text);
      if (!p.matches()) {
        throw PipelineErrors.notAPlaceholder(text);
      }
      try {
        TableRef.parse(p.group(1) + "." + p.group(2));
      } catch (IllegalArgumentException e) {
        throw PipelineErrors.badPlaceholder(text, e);
      }
    }
  }

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
