package io.medallion.pipeline;

import io.medallion.internal.Suggestions;
import java.util.List;

/**
 * Every error the pipeline definitions raise, made in one place: each says what is wrong and how
 * to fix it. The record constructors throw {@link IllegalArgumentException}, which the config
 * reader wraps with the file, line and config path; whole-pipeline checks throw a
 * {@link ConfigurationException} that carries the path itself.
 */
final class PipelineErrors {
  private static final String NAME_RULE =
      "may only contain lower-case letters, digits, '_' and '-' (1 to 255 characters, not starting with '-')";
  private static final String PLACEHOLDER_FIX =
      "Write tables of the pipeline as {layer.table}, e.g. {silver.orders}.";

  private PipelineErrors() {}

  // --- table records

  static IllegalArgumentException wrongLayer(TableRef ref, Layer expected) {
    return new IllegalArgumentException(ref + " is not a " + expected.key() + " table; define it"
        + " under " + expected.key() + " { ... }");
  }

  static IllegalArgumentException missing(TableRef ref, String what, String example) {
    return new IllegalArgumentException(ref + " needs " + what + ", e.g. " + example);
  }

  static IllegalArgumentException kinesisInBatch() {
    return new IllegalArgumentException("a Kinesis stream is read as a stream only: use execution ="
        + " streaming (trigger = available-now reads what the stream holds and stops)");
  }

  static IllegalArgumentException processingTimeWithoutInterval() {
    return new IllegalArgumentException("a processing-time trigger needs a positive interval, e.g."
        + " trigger = \"processing-time 5 minutes\"");
  }

  // --- names

  static IllegalArgumentException refWithoutLayer() {
    return new IllegalArgumentException("table reference without a layer: write <layer>.<table>,"
        + " e.g. bronze.orders");
  }

  static IllegalArgumentException badTableName(String name, Layer layer) {
    return new IllegalArgumentException(
        "table name '" + name + "' in layer " + layer.key() + " " + NAME_RULE);
  }

  static IllegalArgumentException notATableRef(String text) {
    return new IllegalArgumentException("'" + text + "' is not a table of the pipeline: expected"
        + " <layer>.<table> with layer bronze, silver or gold, e.g. bronze.orders");
  }

  static IllegalArgumentException unknownLayer(String text, String layer, String suggestion) {
    return new IllegalArgumentException("'" + text + "': unknown layer '" + layer
        + "', expected bronze, silver or gold." + suggestion);
  }

  static IllegalArgumentException notAPlaceholder(String text) {
    return new IllegalArgumentException("'" + text + "' is not a table placeholder: write tables"
        + " of the pipeline as {layer.table}, e.g. {silver.orders}");
  }

  static IllegalArgumentException badPlaceholder(String text, IllegalArgumentException e) {
    return new IllegalArgumentException("placeholder " + text + ": " + e.getMessage() + " " + PLACEHOLDER_FIX);
  }

  // --- environments

  static IllegalArgumentException environmentWithoutName() {
    return new IllegalArgumentException("an environment needs a name, e.g. conf/env/dev.conf");
  }

  static IllegalArgumentException environmentWithoutPlatform(String env) {
    return new IllegalArgumentException("environment '" + env + "' needs a platform (auto, oss or databricks)");
  }

  static IllegalArgumentException environmentWithoutCatalog(String env, Layer layer) {
    return new IllegalArgumentException("environment '" + env + "' has no catalog for "
        + layer.key() + "; add catalogs." + layer.key() + " = <name>");
  }

  static IllegalArgumentException badCatalogName(String env, Layer layer, String catalog) {
    return new IllegalArgumentException("environment '" + env + "': the " + layer.key()
        + " catalog '" + catalog + "' may only contain letters, digits, '_' and '-'");
  }

  static IllegalArgumentException badEventLog(String env, String eventLog, IllegalArgumentException e) {
    return new IllegalArgumentException("environment '" + env + "': event-log '" + eventLog
        + "' is not auto, off or a catalog.schema.table name: " + e.getMessage());
  }

  static IllegalArgumentException environmentWithout(String env, String key) {
    return new IllegalArgumentException("environment '" + env + "' needs " + key);
  }

  // --- the whole pipeline

  static ConfigurationException definedTwice(String origin, TableRef ref) {
    return new ConfigurationException(
        origin, "pipeline." + ref, "table " + ref + " is defined twice; rename one");
  }

  static ConfigurationException unknownInput(String origin, String path, TableRef reader,
      TableRef input, String pipeline, List<String> known) {
    return new ConfigurationException(origin, path, reader + " reads " + input
        + ", which is not a table of pipeline '" + pipeline + "'."
        + Suggestions.didYouMean(input.toString(), known) + " Known tables: " + known
        + ". Fix the reference, or name a table outside the pipeline by its full"
        + " catalog.schema.table name in the SQL.");
  }

  static ConfigurationException streamOfRewrittenTable(String origin, TableRef reader, TableRef from, boolean cdc) {
    return new ConfigurationException(origin, "pipeline." + reader + ".from", reader + " reads "
        + from + " incrementally (execution = streaming), but " + from + " rewrites its rows"
        + (cdc ? " (a CDC target: its changes are applied by MERGE)" : " (upsert, batch or gold)")
        + ", which a Delta stream cannot follow. Set execution = batch on " + reader
        + (cdc ? "." : ", or make " + from + " append-only (streaming with mode = append)."));
  }

  static ConfigurationException missingName(String origin, String path, String what) {
    return new ConfigurationException(origin, path, what + " is missing");
  }

  static ConfigurationException badName(String origin, String path, String what, String value) {
    return new ConfigurationException(origin, path, what + " '" + value + "' " + NAME_RULE);
  }

  static ConfigurationException expressionDoesNotParse(String origin, String path, String expression,
      String problem) {
    return new ConfigurationException(origin, path, "the expression \"" + expression
        + "\" does not parse: " + problem + " Write a SQL boolean expression, e.g. \"amount > 0\".");
  }

  static ConfigurationException badSql(String origin, String path, String problem) {
    return new ConfigurationException(origin, path, problem);
  }

  static ConfigurationException notAQuery(String origin, String path, TableRef ref, String problem) {
    return new ConfigurationException(origin, path, "table " + ref + ": the SQL must be a single"
        + " query (SELECT or WITH ... SELECT), but " + problem + ". medallion creates, replaces and"
        + " merges the table itself: write only the query of its rows, and run DDL or DML outside"
        + " the pipeline.");
  }

  static ConfigurationException reservedProperty(String origin, String path, String key) {
    String why = switch (key.toLowerCase(java.util.Locale.ROOT)) {
      case "comment" -> "set the table's comment with comment = \"...\" instead";
      case "location" -> "a table's location is under the environment's warehouse-root";
      case "provider" -> "medallion's tables are Delta tables";
      case "owner" -> "Spark sets it to the user who creates the table";
      default -> "Spark sets it itself";
    };
    return new ConfigurationException(origin, path, "'" + key + "' is a table property that Spark reserves and"
        + " refuses to set (" + why + "): remove it from properties");
  }

  static ConfigurationException upsertWithoutKeys(String origin, String path) {
    return new ConfigurationException(origin, path, "mode = upsert needs the columns that identify"
        + " a row: add keys = [<column>, ...] (e.g. keys = [order_id]), or use mode = append to"
        + " insert every row");
  }

  static ConfigurationException sqlWithoutFrom(String origin, String path, TableRef from) {
    return new ConfigurationException(origin, path, "the SQL must read the new rows of its 'from'"
        + " table through the placeholder {" + from + "}; add it (e.g. SELECT ... FROM {" + from
        + "}) or change 'from'");
  }

  static ConfigurationException fromTwice(String origin, String path, TableRef from) {
    return new ConfigurationException(origin, path, from + " is listed twice; list each table once");
  }

  static ConfigurationException snapshotsFromSeveral(String origin, String path, List<TableRef> from) {
    return new ConfigurationException(origin, path, "a from-snapshot table re-reads one table whole as each"
        + " snapshot, but from lists " + from + "; name one table (its sql may join the others)");
  }

  static ConfigurationException severalFromWithoutSql(String origin, String path, List<TableRef> from) {
    return new ConfigurationException(origin, path, "from lists " + from.size() + " tables " + from
        + ", whose new rows the table's SQL combines; add sql, e.g. sql = \"SELECT ... FROM {" + from.get(0)
        + "} UNION ALL SELECT ... FROM {" + from.get(1) + "}\"");
  }

  static ConfigurationException cycle(String origin, TableRef ref, String cycle) {
    return new ConfigurationException(origin, "pipeline." + ref, "tables read each other in a"
        + " cycle: " + cycle + ". A table cannot depend on itself; remove one of these references.");
  }
}
