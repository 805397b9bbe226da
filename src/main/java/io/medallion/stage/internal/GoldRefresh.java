package io.medallion.stage.internal;

import io.medallion.internal.ScalaSeqs;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;
import io.medallion.table.DeltaSink;
import io.medallion.table.Write;
import io.medallion.table.RefreshState;
import io.medallion.table.RefreshState.InputVersion;
import io.medallion.table.TableChanges;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Decides how a gold table is refreshed in a run, and writes it that way:
 * <ul>
 *   <li><b>skip</b>: its inputs are at the versions recorded by the last refresh, with the same
 *       query and rules, and the query is deterministic: nothing is read or written;</li>
 *   <li><b>incremental</b>: the query is an {@link AggregateShape aggregate over one input} and the
 *       input only appended or changed rows ({@link TableChanges}): the groups those rows fall into
 *       are recomputed from the full input (filtered by their keys, so Delta skips files whose
 *       statistics rule them out) and replace those groups' rows in the table in one commit
 *       (Delta's {@code replaceWhere} on the group keys), so groups that became empty are gone;</li>
 *   <li><b>full</b>: everything else, with the reason.</li>
 * </ul>
 * Inputs are read at pinned versions, and those versions are recorded ({@link RefreshState}) in
 * the same Delta commit that writes the table, so a crash at any point leaves a record that
 * describes the table exactly, and the next run starts from it. Recomputing a group from all of its
 * rows is idempotent, so doing a refresh again is always safe.
 */
public final class GoldRefresh {
  /** How a refresh goes. */
  public enum Mode { SKIP, INCREMENTAL, FULL }

  /** More changed groups than this and a full recompute is cheaper than a key filter. */
  static final int MAX_GROUPS = 20_000;

  private final SparkSession spark;
  private final TableName target;
  private final Mode mode;
  private final String reason;
  private final Dataset<Row> rows;
  private final RefreshState next;
  private final long rowsRead;
  private final List<String> keyColumns;
  private final String deleteCondition;
  private final int groups;

  private GoldRefresh(SparkSession spark, TableName target, Mode mode, String reason, Dataset<Row> rows,
      RefreshState next, long rowsRead, List<String> keyColumns, String deleteCondition, int groups) {
    this.spark = spark;
    this.target = target;
    this.mode = mode;
    this.reason = reason;
    this.rows = rows;
    this.next = next;
    this.rowsRead = rowsRead;
    this.keyColumns = keyColumns;
    this.deleteCondition = deleteCondition;
    this.groups = groups;
  }

  /**
   * Plans the refresh of {@code target}.
   *
   * @param inputs the table's inputs and their names
   * @param query the table's query with each input bound to the given DataFrame
   * @param fingerprint what the result depends on besides the inputs (query text, rules)
   * @param fullBecause a reason to recompute in full whatever the query (e.g. {@code refresh = full})
   */
  public static GoldRefresh plan(SparkSession spark, TableName target, Map<TableRef, TableName> inputs,
      Function<Function<TableRef, Dataset<Row>>, Dataset<Row>> query, String fingerprint,
      Optional<String> fullBecause) {
    Map<TableRef, InputVersion> now = new LinkedHashMap<>();
    Map<String, InputVersion> byName = new LinkedHashMap<>();
    for (Map.Entry<TableRef, TableName> in : inputs.entrySet()) {
      RefreshState.current(spark, in.getValue()).ifPresent(v -> {
        now.put(in.getKey(), v);
        byName.put(in.getValue().toString(), v);
      });
    }
    boolean versioned = now.size() == inputs.size();
    Dataset<Row> full = query.apply(ref -> versioned
        ? pinned(spark, inputs.get(ref), now.get(ref).version())
        : spark.read().table(inputs.get(ref).quoted()));
    if (!versioned) {
      return full(spark, target, full, null, inputs, "the Delta log of an input cannot be read on this catalog");
    }
    RefreshState next = new RefreshState(target.toString(), fingerprint, byName);
    if (fullBecause.isPresent()) {
      return full(spark, target, full, next, inputs, fullBecause.get());
    }
    boolean exists = DeltaSink.exists(spark, target);
    Optional<RefreshState> last = exists ? RefreshState.lastRecorded(spark, target) : Optional.empty();
    if (last.isEmpty()) {
      return full(spark, target, full, next, inputs, exists
          ? "no earlier refresh is recorded in its Delta log" : "the table does not exist yet");
    }
    if (!last.get().fingerprint().equals(fingerprint)) {
      return full(spark, target, full, next, inputs, "its query or rules changed since the last refresh");
    }
    if (!last.get().inputs().keySet().equals(byName.keySet())) {
      return full(spark, target, full, next, inputs, "its inputs changed since the last refresh");
    }
    LogicalPlan analyzed = full.queryExecution().analyzed();
    Optional<String> volatility = AggregateShape.volatility(analyzed);
    if (last.get().inputs().equals(byName)) {
      if (volatility.isPresent()) {
        return full(spark, target, full, next, inputs, volatility.get() + ", so unchanged inputs do not mean an unchanged result");
      }
      return new GoldRefresh(spark, target, Mode.SKIP, "its inputs did not change since the last refresh ("
          + versions(inputs, now) + ")", null, next, 0, List.of(), "", 0);
    }
    AggregateShape shape;
    try {
      shape = AggregateShape.of(analyzed);
    } catch (AggregateShape.Unsupported e) {
      return full(spark, target, full, next, inputs, e.getMessage());
    }
    if (inputs.size() != 1) {
      return full(spark, target, full, next, inputs, "it reads " + inputs.size() + " tables");
    }
    TableRef ref = inputs.keySet().iterator().next();
    TableName input = inputs.get(ref);
    InputVersion from = last.get().inputs().get(input.toString());
    TableChanges.Result changes = TableChanges.between(spark, input, from, now.get(ref));
    if (changes instanceof TableChanges.Rewritten r) {
      return full(spark, target, full, next, inputs, r.reason());
    }
    TableChanges.Rows changed = (TableChanges.Rows) changes;
    List<Row> keys;
    try {
      AggregateShape over = AggregateShape.of(query.apply(r -> changed.rows()).queryExecution().analyzed());
      keys = Dataset.ofRows(spark, over.aggregate.child())
          .select(over.keys.stream().map(Column::new).toArray(Column[]::new))
          .distinct().limit(MAX_GROUPS + 1).collectAsList();
    } catch (RuntimeException | AggregateShape.Unsupported e) {
      return full(spark, target, full, next, inputs, "the changed rows of " + input + " could not be read ("
          + firstLine(e.getMessage()) + ")");
    }
    if (keys.size() > MAX_GROUPS) {
      return full(spark, target, full, next, inputs, "more than " + MAX_GROUPS + " groups changed");
    }
    String how = "versions " + (from.version() + 1) + ".." + now.get(ref).version() + " of " + input
        + (changed.changeFeed() ? ", from its change data feed" : ", appended rows");
    if (keys.isEmpty()) {
      return new GoldRefresh(spark, target, Mode.INCREMENTAL, "no group touched by " + how,
          spark.createDataFrame(List.of(), full.schema()), next, changed.knownCount(), shape.keyColumns, "", 0);
    }
    List<Column> filters = new ArrayList<>();
    List<String> deletes = new ArrayList<>();
    for (int i = 0; i < shape.keys.size(); i++) {
      Expression key = shape.keys.get(i);
      Set<Object> values = new LinkedHashSet<>();
      for (Row k : keys) {
        values.add(k.get(i));
      }
      boolean nulls = values.remove(null);
      Column c = new Column(key);
      Column f = values.isEmpty() ? org.apache.spark.sql.functions.lit(false) : c.isin(values.toArray());
      filters.add(nulls ? f.or(c.isNull()) : f);
      String col = TableName.quote(shape.keyColumns.get(i));
      String in = values.isEmpty() ? "false" : col + " IN (" + values.stream()
          .map(v -> Literal.create(v, key.dataType()).sql()).collect(Collectors.joining(", ")) + ")";
      deletes.add("(" + in + (nulls ? " OR " + col + " IS NULL" : "") + ")");
    }
    Column filter = filters.stream().reduce(Column::and).orElseThrow();
    LogicalPlan node = Dataset.ofRows(spark, shape.aggregate.child()).where(filter).logicalPlan();
    node = (LogicalPlan) shape.aggregate.withNewChildren(ScalaSeqs.of(List.of(node)));
    for (int i = shape.above.size() - 1; i >= 0; i--) {
      node = (LogicalPlan) shape.above.get(i).withNewChildren(ScalaSeqs.of(List.of(node)));
    }
    return new GoldRefresh(spark, target, Mode.INCREMENTAL, keys.size() + " group(s) touched by " + how,
        Dataset.ofRows(spark, node), next, changed.knownCount(), shape.keyColumns,
        String.join(" AND ", deletes), keys.size());
  }

  private static GoldRefresh full(SparkSession spark, TableName target, Dataset<Row> rows, RefreshState next,
      Map<TableRef, TableName> inputs, String reason) {
    long read = 0;
    for (TableName in : inputs.values()) {
      read += DeltaSink.rowCount(spark, in);
    }
    return new GoldRefresh(spark, target, Mode.FULL, reason, rows, next, read, List.of(), "", 0);
  }

  private static Dataset<Row> pinned(SparkSession spark, TableName name, long version) {
    return DeltaSink.readVersion(spark, name, version);
  }

  private static String versions(Map<TableRef, TableName> inputs, Map<TableRef, InputVersion> now) {
    return inputs.keySet().stream().map(r -> r + " at version " + now.get(r).version())
        .collect(Collectors.joining(", "));
  }

  /** How this refresh goes. */
  public Mode mode() {
    return mode;
  }

  /** Why it goes this way, or what it covers (a sentence fragment). */
  public String reason() {
    return reason;
  }

  /** One phrase for the run line and the event log, e.g. {@code incremental: 3 group(s) touched by ...}. */
  public String describe() {
    return switch (mode) {
      case SKIP -> "skipped: " + reason;
      case INCREMENTAL -> "incremental: " + reason;
      case FULL -> "full recompute: " + reason;
    };
  }

  /** The rows to write (the whole result, or the recomputed groups); null when skipped. */
  public Dataset<Row> rows() {
    return rows;
  }

  /** Input rows this refresh reads: every input row in full, the changed rows (-1 if unknown) incrementally. */
  public long rowsRead() {
    return rowsRead;
  }

  /** Groups recomputed by an incremental refresh. */
  public int groups() {
    return groups;
  }

  /**
   * How the {@link DeltaSink} writes the rows of {@link #rows()} (after the table's rules), recording
   * the input versions in the same commit: a full refresh replaces the table, an incremental one
   * replaces the rows of the recomputed groups (those that are gone are deleted).
   */
  public Write write() {
    if (mode == Mode.SKIP) {
      throw new IllegalStateException("a skipped refresh writes nothing");
    }
    if (next == null) {
      return Write.replace();
    }
    if (mode == Mode.FULL) {
      return Write.recording(Write.replace(), next.encode());
    }
    if (groups == 0) { // nothing to write, but the inputs' new versions are worth recording
      return Write.recording(Write.commitOnly(), next.encode());
    }
    return Write.recording(Write.replaceWhere(deleteCondition), next.encode());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int cut = s.indexOf('\n');
    return cut > 0 ? s.substring(0, cut) : s;
  }
}
