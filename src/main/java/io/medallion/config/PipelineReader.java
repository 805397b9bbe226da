package io.medallion.config;

import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.table.CdcSpec;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.SourceDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableSpec;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.WriteMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code pipeline { ... }} of a resolved pipeline file into a {@link PipelineDefinition}. */
final class PipelineReader {
  static final Map<String, Execution> EXECUTIONS = choices("streaming", Execution.STREAMING, "batch", Execution.BATCH);
  static final Map<String, Trigger.Kind> TRIGGERS =
      choices(
          "available-now", Trigger.Kind.AVAILABLE_NOW,
          "once", Trigger.Kind.ONCE,
          "processing-time", Trigger.Kind.PROCESSING_TIME);
  static final Map<String, Boolean> BOOLEANS = choices("true", Boolean.TRUE, "false", Boolean.FALSE);
  static final Map<String, GoldTable.Refresh> REFRESHES =
      choices("auto", GoldTable.Refresh.AUTO, "full", GoldTable.Refresh.FULL);
  static final Map<String, WriteMode> MODES = choices("upsert", WriteMode.UPSERT, "append", WriteMode.APPEND);

  private static final Set<String> PIPELINE_KEYS = Set.of("name", "schema", "bronze", "silver", "gold");
  private static final Set<String> SPEC_KEYS = Set.of("comment", "partition-by", "properties", "cluster-by",
      "constraints", "change-data-feed", "column-comments", "z-order-by");
  private static final Set<String> STREAMING_KEYS = Set.of("execution", "trigger", "trigger-interval");
  private static final Set<String> BRONZE_KEYS = union(SPEC_KEYS, STREAMING_KEYS, QualityReader.TABLE_KEYS, Set.of("source"));
  private static final Set<String> SILVER_KEYS =
      union(SPEC_KEYS, STREAMING_KEYS, QualityReader.TABLE_KEYS, Set.of("from", "sql", "keys", "sequence-by", "mode", "cdc"));
  private static final Set<String> GOLD_KEYS = union(SPEC_KEYS, QualityReader.TABLE_KEYS, Set.of("sql", "refresh"));

  private static final String SOURCE_ONLY_BRONZE =
      "only bronze tables have a source; a silver table reads another table of the pipeline:"
          + " remove 'source' and write from = bronze.<table>";
  private static final Map<String, String> BRONZE_HINTS =
      Map.of(
          "from", "a bronze table reads its source, not another table: remove 'from' (use a silver table to read a table)",
          "sql", "a bronze table stores its source's rows as they are: remove 'sql' and transform in a silver table",
          "keys", "bronze tables are append-only and take no keys: remove 'keys' (deduplicate in a silver table)",
          "mode", "bronze tables are always appended: remove 'mode' (use a silver table to upsert)");
  private static final Map<String, String> SILVER_HINTS = Map.of("source", SOURCE_ONLY_BRONZE);

  private final String file;
  private final Path baseDir;
  private final Defaults defaults;
  private final QualityReader quality;
  private final SourceReader sources;
  private final TableAssembler tables;

  PipelineReader(String file, Path baseDir, Defaults defaults) {
    this.file = file;
    this.baseDir = baseDir;
    this.defaults = defaults;
    this.quality = new QualityReader(defaults);
    this.tables = new TableAssembler(defaults);
    this.sources = new SourceReader(baseDir, tables);
  }

  PipelineDefinition read(Section root) {
    Section p = root.section("pipeline", "the pipeline: pipeline { name = ..., schema = ..., bronze { ... } }");
    p.allowOnly(PIPELINE_KEYS, "the pipeline", Map.of());
    String name = p.string("name", "the pipeline name, e.g. name = retail");
    String schema = p.string("schema", "the schema of the pipeline's tables, e.g. schema = sales");
    List<TableDefinition> tables = new ArrayList<>();
    for (Layer layer : Layer.values()) {
      Optional<Section> tablesOfLayer =
          p.optionalSection(layer.key(), "the " + layer.key() + " tables: " + layer.key() + " { <table> { ... } }");
      if (tablesOfLayer.isEmpty()) {
        continue;
      }
      Section layerSection = tablesOfLayer.get();
      for (String tableName : layerSection.keys()) {
        Section t =
            layerSection.child(tableName, defaults.layer(layer), "a table definition: " + tableName + " { ... }");
        TableRef ref;
        try {
          ref = new TableRef(layer, tableName);
        } catch (IllegalArgumentException e) {
          throw t.error(e.getMessage() + ". Rename the table, e.g. " + layer.key() + " { orders { ... } }.");
        }
        tables.add(table(ref, t));
      }
    }
    if (tables.isEmpty()) {
      throw p.error(
          "the pipeline has no tables: define at least one under pipeline.bronze, pipeline.silver"
              + " or pipeline.gold, e.g. bronze { orders { source { ... } } }");
    }
    return new PipelineDefinition(name, schema, tables, file);
  }

  private TableDefinition table(TableRef ref, Section t) {
    try {
      switch (ref.layer()) {
        case BRONZE:
          return bronze(ref, t);
        case SILVER:
          return silver(ref, t);
        default:
          return gold(ref, t);
      }
    } catch (IllegalArgumentException e) {
      // A record's own check that the reader did not anticipate: still name file and table.
      throw t.error(e.getMessage());
    }
  }

  private BronzeTable bronze(TableRef ref, Section t) {
    t.allowOnly(BRONZE_KEYS, "a bronze table", BRONZE_HINTS);
    SourceDefinition source =
        sources.read(t.section("source", "the table's source, e.g. source { type = files, path = ..., format = json }"));
    Execution execution = execution(t);
    return tables.bronze(ref, source, userSet(t, execution, "execution"), userTrigger(t, execution), spec(t),
        quality.read(t));
  }

  private SilverTable silver(TableRef ref, Section t) {
    t.allowOnly(SILVER_KEYS, "a silver table", SILVER_HINTS);
    List<String> keys = t.stringList("keys", "a list of the columns identifying a row, e.g. keys = [order_id]");
    Optional<CdcSpec> cdc =
        t.userSet("cdc") ? Optional.of(CdcReader.read(t, keys, defaults.cdcDefaults(), baseDir)) : Optional.empty();
    boolean folder = cdc.flatMap(CdcSpec::fromSnapshot).map(CdcSpec.FromSnapshot::isFolder).orElse(false);
    List<TableRef> froms = folder ? java.util.Collections.singletonList(snapshotFolderInput(t)) : from(t);
    TableRef from = froms.get(0);
    Optional<String> sql = folder ? Optional.empty()
        : t.optionalString("sql", "a SELECT naming tables as {layer.table}, e.g. sql = \"SELECT * FROM {" + from + "}\"");
    Optional<String> sequenceBy = cdc.isPresent()
        ? cdc.get().sequenceBy().stream().findFirst()
        : t.optionalString("sequence-by", "the column ordering versions of a row, e.g. sequence-by = updated_at");
    if (cdc.isPresent() && t.userSet("mode")) {
      throw t.error("mode", ConfigErrors.CDC_MODE + ": remove mode (a streaming table that reads this one must be"
          + " execution = batch)");
    }
    WriteMode mode = mode(t);
    boolean snapshots = cdc.isPresent() && cdc.get().snapshots();
    Execution execution = snapshots ? snapshotExecution(t) : execution(t);
    return tables.silver(ref, from, sql, keys, sequenceBy, userSet(t, mode, "mode"),
        snapshots ? Optional.of(execution) : userSet(t, execution, "execution"),
        userTrigger(t, execution), spec(t), quality.read(t), cdc, froms.subList(1, froms.size()));
  }

  /** {@code from = bronze.orders}, or several tables read alike: {@code from = [bronze.a, bronze.b]}. */
  private static List<TableRef> from(Section t) {
    List<TableRef> from = new java.util.ArrayList<>();
    for (String text : t.stringOrList("from", "the table this one reads, e.g. from = bronze.orders (or a list of"
        + " tables whose new rows its sql unions, e.g. from = [bronze.orders, bronze.orders_backfill])")) {
      try {
        from.add(TableRef.parse(text));
      } catch (IllegalArgumentException e) {
        throw t.error("from", e.getMessage());
      }
    }
    return from;
  }

  /** A table whose snapshots come from a folder reads no table of the pipeline: no from, no sql. */
  private static TableRef snapshotFolderInput(Section t) {
    for (String key : List.of("from", "sql")) {
      if (t.userSet(key)) {
        throw t.error(key, "this table's snapshots come from the folder in cdc.from-snapshot.path, so it reads no"
            + " table: remove " + key + " (or remove the path to read the snapshots from the table's from)");
      }
    }
    return null;
  }

  /** Snapshot CDC reads each snapshot whole, in batch: execution = streaming is refused. */
  private static Execution snapshotExecution(Section t) {
    if (t.userSet("execution") && execution(t) == Execution.STREAMING) {
      throw t.error("execution", "a from-snapshot table reads whole snapshots in batch on each run:"
          + " remove execution (or set execution = batch)");
    }
    return Execution.BATCH;
  }

  private GoldTable gold(TableRef ref, Section t) {
    String batch = "gold tables are recomputed in batch on every run and replaced atomically, so they take no '";
    Map<String, String> hints = new LinkedHashMap<>();
    for (String key : List.of("execution", "trigger", "trigger-interval", "mode")) {
      hints.put(key, batch + key + "'; remove it (use a silver table for incremental processing)");
    }
    for (String key : List.of("keys", "sequence-by")) {
      hints.put(key, batch + key + "'; remove it");
    }
    hints.put(
        "from",
        "a gold table reads the tables its SQL names: remove 'from' and write them in sql as"
            + " {layer.table}, e.g. FROM {silver.orders}");
    hints.put(
        "source",
        "only bronze tables have a source; a gold table reads the tables its SQL names: remove"
            + " 'source' and write them in sql as {layer.table}");
    t.allowOnly(GOLD_KEYS, "a gold table", hints);
    String sql = t.nonBlank("sql", "a SELECT naming tables as {layer.table}, e.g. sql = \"SELECT ... FROM {silver.orders}\"");
    GoldTable.Refresh refresh = t.choice("refresh", REFRESHES);
    return tables.gold(ref, sql, spec(t), quality.read(t), userSet(t, refresh, "refresh"));
  }

  /**
   * {@code value} (read and checked with the layer's defaults as fallback) if the file sets
   * {@code key}; empty if it leaves the key to the defaults, which {@link TableAssembler} fills in.
   */
  private static <E> Optional<E> userSet(Section t, E value, String key) {
    return t.userSet(key) ? Optional.of(value) : Optional.empty();
  }

  /** The table's trigger if the file sets {@code trigger} or {@code trigger-interval}, else empty. */
  private static Optional<Trigger> userTrigger(Section t, Execution execution) {
    Trigger trigger = trigger(t, execution);
    return t.userSet("trigger") || t.userSet("trigger-interval") ? Optional.of(trigger) : Optional.empty();
  }

  // ---- shared with Defaults: the same rules for files and for reference.conf ----

  static Execution execution(Section t) {
    return t.choice("execution", EXECUTIONS);
  }

  /**
   * The trigger of a bronze or silver table. {@code trigger-interval} is read only for
   * {@code processing-time}; setting it (or {@code trigger} on a batch table) where it has no
   * effect is a mistake.
   */
  static Trigger trigger(Section t, Execution execution) {
    Trigger.Kind kind = t.choice("trigger", TRIGGERS);
    if (execution == Execution.BATCH) {
      for (String key : List.of("trigger", "trigger-interval")) {
        if (t.userSet(key)) {
          throw t.error(
              key,
              "'" + key + "' applies only to streaming tables, and this table has execution = batch:"
                  + " remove '" + key + "' or set execution = streaming");
        }
      }
    }
    if (kind != Trigger.Kind.PROCESSING_TIME) {
      if (t.userSet("trigger-interval")) {
        throw t.error(
            "trigger-interval",
            "trigger-interval is used only with trigger = processing-time (this table's trigger is "
                + key(TRIGGERS, kind) + "): remove it or set trigger = processing-time");
      }
      return kind == Trigger.Kind.ONCE ? Trigger.once() : Trigger.availableNow();
    }
    Duration interval = t.duration("trigger-interval");
    if (interval.isNegative() || interval.isZero()) {
      throw t.error("trigger-interval", "the interval must be positive, e.g. trigger-interval = 1 minute");
    }
    return Trigger.processingTime(interval);
  }

  static WriteMode mode(Section t) {
    return t.choice("mode", MODES);
  }

  static TableSpec spec(Section t) {
    Optional<String> comment = t.optionalString("comment", "the table comment, e.g. comment = \"Raw orders\"");
    List<String> partitionBy =
        t.stringList("partition-by", "a list of partition columns, e.g. partition-by = [order_date]");
    Map<String, String> properties =
        t.stringMap("properties", "a map of table properties, e.g. properties { \"delta.appendOnly\" = \"true\" }");
    List<String> clusterBy =
        t.stringList("cluster-by", "a list of liquid clustering columns, e.g. cluster-by = [customer_id]");
    if (!clusterBy.isEmpty() && !partitionBy.isEmpty()) {
      throw t.error("cluster-by", "a table is either partitioned or clustered, not both: remove partition-by or"
          + " cluster-by");
    }
    Map<String, String> constraints = t.stringMap("constraints",
        "a map of CHECK constraints by name, e.g. constraints { positive_amount = \"amount > 0\" }");
    boolean changeDataFeed = t.<Boolean>choice("change-data-feed", BOOLEANS);
    Map<String, String> columnComments = t.stringMap("column-comments",
        "a map of column comments, e.g. column-comments { amount = \"Order total in EUR\" }");
    List<String> zOrderBy =
        t.stringList("z-order-by", "a list of columns to Z-order by in maintenance, e.g. z-order-by = [order_date]");
    return new TableSpec(comment, partitionBy, properties, clusterBy, constraints, changeDataFeed, columnComments,
        zOrderBy);
  }

  private static <E> String key(Map<String, E> values, E value) {
    return values.entrySet().stream().filter(e -> e.getValue() == value).findFirst().orElseThrow().getKey();
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    java.util.Set<String> all = new java.util.HashSet<>();
    for (Set<String> s : sets) {
      all.addAll(s);
    }
    return Set.copyOf(all);
  }

  @SuppressWarnings("unchecked")
  static <E> Map<String, E> choices(Object... pairs) {
    Map<String, E> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (E) pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }
}
