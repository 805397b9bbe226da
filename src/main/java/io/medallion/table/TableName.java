package io.medallion.table;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An immutable three-level table name, {@code catalog.schema.table}, as in Unity Catalog.
 *
 * <p>Each part is 1 to 255 characters of letters, digits, underscores or hyphens. Parts are
 * normalized to lower case (Unity Catalog and Spark's catalogs are case-insensitive), so
 * {@code Dev.Sales.Orders} and {@code dev.sales.orders} are equal. Dots, backticks, spaces and
 * other characters are rejected by {@link #parse} and {@link #of}; {@link #quoted()} still escapes
 * backticks so that a name can never inject SQL.
 */
public final class TableName {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  /** A name medallion gives itself (pipelines, tables of a pipeline): lower case, not starting with '-'. */
  private static final Pattern LOWER_PART = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,254}");

  private final String catalog;
  private final String schema;
  private final String table;

  private TableName(String catalog, String schema, String table) {
    this.catalog = catalog;
    this.schema = schema;
    this.table = table;
  }


  /** True if {@code part} may be a catalog, schema or table name: letters, digits, '_' and '-', 1 to 255. */
  public static boolean isValidPart(String part) {
    return part != null && PART.matcher(part).matches();
  }

  /**
   * True if {@code name} is valid as the name of a pipeline or of a table of a pipeline: a valid
   * {@linkplain #isValidPart part} in lower case that does not start with '-'.
   */
  public static boolean isValidLowerCasePart(String name) {
    return name != null && LOWER_PART.matcher(name).matches();
  }
  /** Builds a name from its three parts, validating each one. */
  public static TableName of(String catalog, String schema, String table) {
    String full = catalog + "." + schema + "." + table;
    return new TableName(
        checkPart(catalog, "catalog", full),
        checkPart(schema, "schema", full),
        checkPart(table, "table", full));
  }

  /**
   * Parses {@code catalog.schema.table}. Backtick-quoted parts ({@code `dev`.`sales`.`orders`}) are
   * accepted; the quoted content must still be a valid part.
   *
   * @throws IllegalArgumentException naming the input, what is wrong and the expected form
   */
  public static TableName parse(String name) {
    if (name == null || name.isBlank()) {
      throw TableErrors.emptyName();
    }
    String[] parts = splitParts(name.trim());
    if (parts.length != 3) {
      throw TableErrors.wrongPartCount(name, parts.length);
    }
    return new TableName(
        checkPart(parts[0], "catalog", name),
        checkPart(parts[1], "schema", name),
        checkPart(parts[2], "table", name));
  }

  private static String[] splitParts(String name) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inQuotes = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '`') {
        if (inQuotes && i + 1 < name.length() && name.charAt(i + 1) == '`') {
          current.append('`');
          i++;
        } else {
          inQuotes = !inQuotes;
        }
      } else if (c == '.' && !inQuotes) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (inQuotes) {
      throw TableErrors.unclosedBacktick(name);
    }
    parts.add(current.toString());
    return parts.toArray(new String[0]);
  }

  private static String checkPart(String part, String what, String full) {
    if (part == null || part.isEmpty()) {
      throw TableErrors.emptyPart(full, what);
    }
    if (!isValidPart(part)) {
      throw TableErrors.badPart(full, what, part);
    }
    return part.toLowerCase(Locale.ROOT);
  }

  public String catalog() {
    return catalog;
  }

  public String schema() {
    return schema;
  }

  public String table() {
    return table;
  }

  /** The name quoted for SQL: {@code `catalog`.`schema`.`table`} (backticks inside are doubled). */
  public String quoted() {
    return quote(catalog) + "." + quote(schema) + "." + quote(table);
  }

  /** Quotes one identifier part for Spark SQL. */
  public static String quote(String part) {
    return "`" + part.replace("`", "``") + "`";
  }

  /** {@code catalog.schema.table}, unquoted. */
  @Override
  public String toString() {
    return catalog + "." + schema + "." + table;
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof TableName)) {
      return false;
    }
    TableName that = (TableName) other;
    return catalog.equals(that.catalog) && schema.equals(that.schema) && table.equals(that.table);
  }

  @Override
  public int hashCode() {
    return Objects.hash(catalog, schema, table);
  }
}
