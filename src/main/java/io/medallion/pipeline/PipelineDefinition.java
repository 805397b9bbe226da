package io.medallion.pipeline;

import io.medallion.config.ConfigurationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated pipeline: its name, the schema its tables live in, and its tables. Construction
 * checks that table references resolve and that there is no cycle, so a definition that exists can
 * run.
 *
 * @param name the pipeline name (checkpoints live under {@code <checkpoint-root>/<name>})
 * @param schema the schema of every table, in each layer's catalog
 * @param tables the tables, in definition order
 * @param origin where the definition came from (a file path, or "code"), used in error messages
 */
public record PipelineDefinition(String name, String schema, List<TableDefinition> tables, String origin) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,254}");

  public PipelineDefinition {
    tables = List.copyOf(tables);
    check(origin, "pipeline.name", name, "the pipeline name");
    check(origin, "pipeline.schema", schema, "the schema");
    Map<TableRef, TableDefinition> byRef = new LinkedHashMap<>();
    for (TableDefinition t : tables) {
      if (byRef.put(t.ref(), t) != null) {
        throw new ConfigurationException(
            origin, "pipeline." + t.ref(), "table " + t.ref() + " is defined twice; rename one");
      }
    }
    for (TableDefinition t : tables) {
      for (TableRef input : t.inputs()) {
        if (!byRef.containsKey(input)) {
          throw new ConfigurationException(
              origin,
              "pipeline." + t.ref(),
              t.ref() + " reads " + input + ", which is not a table of pipeline '" + name
                  + "'. Known tables: " + byRef.keySet()
                  + ". Fix the reference, or name a table outside the pipeline by its full"
                  + " catalog.schema.table name.");
        }
      }
    }
    topologicalOrder(byRef, origin);
  }

  private static void check(String origin, String path, String value, String what) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new ConfigurationException(
          origin, path, what + " '" + value + "' may only contain lower-case letters, digits,"
              + " '_' and '-'");
    }
  }

  /** Builds and validates a pipeline in code. */
  public static PipelineDefinition of(String name, String schema, List<TableDefinition> tables) {
    return new PipelineDefinition(name, schema, tables, "pipeline '" + name + "' built in code");
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
      throw new ConfigurationException(
          origin,
          "pipeline." + ref,
          "tables read each other in a cycle: " + join(cycle)
              + ". A table cannot depend on itself; remove one of these references.");
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
