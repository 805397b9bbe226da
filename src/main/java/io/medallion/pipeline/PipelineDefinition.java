package io.medallion.pipeline;

import io.medallion.table.TableName;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.internal.SqlExpressions;
import io.medallion.pipeline.SqlTemplate;
import io.medallion.quality.Expectation;
import io.medallion.internal.Suggestions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A validated pipeline: its name, the schema its tables live in, and its tables. Construction
 * checks what a pipeline needs to run: names, SQL placeholders, upsert keys, that table references
 * resolve and that there is no cycle. A definition that exists can run; every mistake is a
 * {@link ConfigurationException} naming {@code origin} and the config path
 * ({@code pipeline.<layer>.<table>.<key>}).
 *
 * <p>Build one from a file with {@link io.medallion.config.ConfigLoader} or in code with
 * {@code io.medallion.config.PipelineBuilder.pipeline(String)}.
 *
 * @param name the pipeline name (checkpoints live under {@code <checkpoint-root>/<name>})
 * @param schema the schema of every table, in each layer's catalog
 * @param tables the tables, in definition order
 * @param origin where the definition came from (a file path, or a description for code), used in
 *     error messages
 */
public record PipelineDefinition(String name, String schema, List<TableDefinition> tables, String origin) {

  public PipelineDefinition {
    tables = List.copyOf(tables);
    check(origin, "pipeline.name", name, "the pipeline name");
    check(origin, "pipeline.schema", schema, "the schema");
    Map<TableRef, TableDefinition> byRef = new LinkedHashMap<>();
    for (TableDefinition t : tables) {
      if (byRef.put(t.ref(), t) != null) {
        throw PipelineErrors.definedTwice(origin, t.ref());
      }
    }
    for (TableDefinition t : tables) {
      checkTable(origin, t);
    }
    List<String> known = byRef.keySet().stream().map(TableRef::toString).collect(Collectors.toList());
    for (TableDefinition t : tables) {
      for (TableRef input : t.inputs()) {
        if (!byRef.containsKey(input)) {
          String key = t instanceof SilverTable s && s.fromTables().contains(input) ? ".from" : ".sql";
          throw PipelineErrors.unknownInput(origin, "pipeline." + t.ref() + key, t.ref(), input, name, known);
        }
      }
    }
    topologicalOrder(byRef, origin);
    for (TableDefinition t : tables) {
      if (t instanceof SilverTable s && s.execution() == Execution.STREAMING && !s.readsSnapshotFolder()) {
        for (TableRef from : s.fromTables()) {
          checkStreamable(origin, s, byRef.get(from));
        }
      }
    }
  }

  /**
   * A Delta stream can follow only a table that is appended to: an upserted silver table or a
   * recomputed gold table rewrites rows, and the stream would fail at run time.
   */
  private static void checkStreamable(String origin, SilverTable reader, TableDefinition from) {
    boolean cdc = from instanceof SilverTable c && c.cdc().isPresent(); // MERGEs whatever its mode says
    boolean rewritten = from instanceof GoldTable || cdc
        || (from instanceof SilverTable s && s.mode() == WriteMode.UPSERT)
        || (from instanceof SilverTable s2 && s2.execution() == Execution.BATCH)
        || (from instanceof BronzeTable b && b.execution() == Execution.BATCH);
    if (rewritten) {
      throw PipelineErrors.streamOfRewrittenTable(origin, reader.ref(), from.ref(), cdc);
    }
  }

  private static void check(String origin, String path, String value, String what) {
    if (value == null || value.isEmpty()) {
      throw PipelineErrors.missingName(origin, path, what);
    }
    if (!TableName.isValidLowerCasePart(value)) {
      throw PipelineErrors.badName(origin, path, what, value);
    }
  }

  /**
   * Table properties Spark sets itself and refuses in {@code ALTER TABLE ... SET TBLPROPERTIES}
   * (Spark 3.5's {@code CatalogV2Util.TABLE_RESERVED_PROPERTIES}): a spec's properties are applied
   * that way to an existing table.
   */
  static final java.util.Set<String> RESERVED_PROPERTIES =
      java.util.Set.of("comment", "location", "provider", "owner", "external", "is_managed_location");

  /** The rules of one table that need more than its record's constructor can see. */
  private static void checkTable(String origin, TableDefinition t) {
    String path = "pipeline." + t.ref();
    for (String key : t.spec().properties().keySet()) {
      if (RESERVED_PROPERTIES.contains(key.toLowerCase(java.util.Locale.ROOT))) {
        throw PipelineErrors.reservedProperty(origin, path + ".properties", key);
      }
    }
    for (Expectation e : t.quality().expectations()) {
      SqlExpressions.parseError(e.expression()).ifPresent(problem -> {
        throw PipelineErrors.expressionDoesNotParse(origin, path + "." + e.configKey(), e.expression(), problem);
      });
    }
    Optional<String> sql =
        t instanceof SilverTable s ? s.sql() : t instanceof GoldTable g ? Optional.of(g.sql()) : Optional.empty();
    if (sql.isPresent()) {
      try {
        SqlTemplate.validate(sql.get());
      } catch (IllegalArgumentException e) {
        throw PipelineErrors.badSql(origin, path + ".sql", e.getMessage());
      }
      SqlQueries.notAQuery(sql.get()).ifPresent(problem -> {
        throw PipelineErrors.notAQuery(origin, path + ".sql", t.ref(), problem);
      });
    }
    if (t instanceof SilverTable s) {
      if (s.mode() == WriteMode.UPSERT && s.keys().isEmpty()) {
        throw PipelineErrors.upsertWithoutKeys(origin, path + ".keys");
      }
      if (!s.alsoFrom().isEmpty()) {
        checkSeveralFrom(origin, path, s);
      }
      for (TableRef from : s.fromTables()) {
        if (s.sql().isPresent() && !SqlTemplate.references(s.sql().get()).contains(from)) {
          throw PipelineErrors.sqlWithoutFrom(origin, path + ".sql", from);
        }
      }
    }
  }

  /** A table reading several tables ({@code from = [a, b]}): each once, their union in its SQL, no snapshots. */
  private static void checkSeveralFrom(String origin, String path, SilverTable s) {
    List<TableRef> all = s.fromTables();
    for (TableRef from : all) {
      if (all.indexOf(from) != all.lastIndexOf(from)) {
        throw PipelineErrors.fromTwice(origin, path + ".from", from);
      }
    }
    if (s.cdc().map(io.medallion.table.CdcSpec::snapshots).orElse(false)) {
      throw PipelineErrors.snapshotsFromSeveral(origin, path + ".from", all);
    }
    if (s.sql().isEmpty()) {
      throw PipelineErrors.severalFromWithoutSql(origin, path + ".sql", all);
    }
  }

  /** Builds and validates a pipeline in code. */
  public static PipelineDefinition of(String name, String schema, List<TableDefinition> tables) {
    return new PipelineDefinition(name, schema, tables, codeOrigin(name));
  }

  /** The origin of a pipeline built in code, as error messages name it. */
  public static String codeOrigin(String name) {
    return "pipeline '" + name + "' built in code";
  }

  /** The table with this reference. */
  public Optional<TableDefinition> table(TableRef ref) {
    return tables.stream().filter(t -> t.ref().equals(ref)).findFirst();
  }

  /** Every table after the tables it reads (stable: definition order among independent tables). */
  public List<TableDefinition> topologicalOrder() {
    Map<TableRef, TableDefinition> byRef = new LinkedHashMap<>();
    tables.forEach(t -> byRef.put(t.ref(), t));
    return topologicalOrder(byRef, origin);
  }

  private static List<TableDefinition> topologicalOrder(Map<TableRef, TableDefinition> byRef, String origin) {
    List<TableDefinition> order = new ArrayList<>();
    Map<TableRef, Boolean> state = new LinkedHashMap<>(); // false = visiting, true = done
    for (TableRef ref : byRef.keySet()) {
      visit(ref, byRef, state, order, new ArrayList<>(), origin);
    }
    return List.copyOf(order);
  }

  private static void visit(
      TableRef ref,
      Map<TableRef, TableDefinition> byRef,
      Map<TableRef, Boolean> state,
      List<TableDefinition> order,
      List<TableRef> path,
      String origin) {
    Boolean s = state.get(ref);
    if (Boolean.TRUE.equals(s)) {
      return;
    }
    path.add(ref);
    if (Boolean.FALSE.equals(s)) {
      List<TableRef> cycle = path.subList(path.indexOf(ref), path.size());
      throw PipelineErrors.cycle(origin, ref, join(cycle));
    }
    state.put(ref, false);
    for (TableRef input : byRef.get(ref).inputs()) {
      visit(input, byRef, state, order, path, origin);
    }
    state.put(ref, true);
    path.remove(path.size() - 1);
    order.add(byRef.get(ref));
  }

  private static String join(Collection<TableRef> refs) {
    StringBuilder sb = new StringBuilder();
    for (TableRef r : refs) {
      sb.append(sb.length() == 0 ? "" : " -> ").append(r);
    }
    return sb.toString();
  }
}
