package io.medallion.table;

/**
 * Every error the table values raise, made in one place: each says what is wrong and what a valid
 * value looks like. The config reader adds the file, line and config path.
 */
final class TableErrors {
  private static final String EXAMPLE = "dev_bronze.sales.orders";

  private TableErrors() {}

  static IllegalArgumentException emptyName() {
    return new IllegalArgumentException(
        "Table name is empty: expected catalog.schema.table, e.g. " + EXAMPLE);
  }

  static IllegalArgumentException wrongPartCount(String name, int parts) {
    return new IllegalArgumentException("Table name '" + name + "' has " + parts + " part"
        + (parts == 1 ? "" : "s") + ": expected three, catalog.schema.table (e.g. " + EXAMPLE + ")");
  }

  static IllegalArgumentException unclosedBacktick(String name) {
    return new IllegalArgumentException("Table name '" + name + "' has an unclosed backtick:"
        + " expected catalog.schema.table");
  }

  static IllegalArgumentException emptyPart(String name, String what) {
    return new IllegalArgumentException("Table name '" + name + "' has an empty " + what
        + " part: expected catalog.schema.table with three non-empty parts");
  }

  static IllegalArgumentException badPart(String name, String what, String part) {
    return new IllegalArgumentException("Table name '" + name + "': " + what + " '" + part
        + "' may only contain letters, digits, '_' and '-' (1 to 255 characters)");
  }

  static IllegalArgumentException mergeWithoutKeys() {
    return new IllegalArgumentException("a MERGE needs at least one key column, e.g. keys = [order_id]");
  }

  static io.medallion.MedallionException breakingChange(String ref, TableName name, java.util.List<String> problems) {
    return new io.medallion.MedallionException("Table " + ref + " (" + name + ") cannot change in place: "
        + String.join("; ", problems) + ". Nothing was written. Recompute it with --full-refresh " + ref
        + " (drops and rebuilds the table), or undo the change in its config.");
  }

  static io.medallion.MedallionException notMaintainable(String label, TableName name) {
    return new io.medallion.MedallionException("Cannot maintain " + label + " (" + name + "): it is not a Delta"
        + " table of a Delta catalog of this session. Run the pipeline first, or check --env.");
  }
}
