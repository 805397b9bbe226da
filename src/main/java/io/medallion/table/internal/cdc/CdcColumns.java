package io.medallion.table.internal.cdc;

import io.medallion.table.CdcSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.RowOrdering;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What a {@link CdcSpec} means for one input schema: the target's columns, the columns stored with
 * each applied change, the tracked and the null-ignoring columns, and the sequence's type. Every
 * rule that needs the input's columns is checked here, before anything is written.
 */
final class CdcColumns {
  final List<String> keys;
  final List<String> sequence;
  /** The target's data columns, in input order (SCD2 adds __START_AT and __END_AT). */
  final List<String> target;
  /** The columns stored with each change: keys, sequence and target columns, in input order. */
  final List<String> stored;
  final List<String> tracked;
  final List<String> ignoreNull;
  final DataType sequenceType;
  final StructType input;
  /**
   * The keys whose values order as Delta's file statistics do and print as exact SQL literals
   * (integers, decimals, dates; {@link io.medallion.table.internal.ColumnRange#supports}): a batch's
   * range of them lets a MERGE skip the target's files outside it, and the read of the stored
   * changes skip the companion's. Timestamps are left out (a local time in a daylight-saving overlap names two
   * instants), and so are strings: their values are often personal data (names, e-mail addresses),
   * and the MERGE's condition is recorded in the table's history and in Spark's plans and event log
   * (as the read's filter is in Spark's plans and event log).
   */
  final List<String> rangeKeys;

  private CdcColumns(CdcSpec spec, StructType input, String where) {
    this.input = input;
    List<String> all = Arrays.asList(input.fieldNames());
    keys = existing(where, "keys", spec.keys(), all);
    sequence = existing(where, "sequence-by", spec.sequenceBy(), all);
    List<String> columns = existing(where, "column-list", spec.columnList(), all);
    List<String> except = existing(where, "except-column-list", spec.exceptColumnList(), all);
    Predicate<String> kept = columns.isEmpty() ? name -> !except.contains(name) : name -> columns.contains(name);
    target = all.stream().filter(kept).collect(Collectors.toList()); // keys included: CdcSpec checks it
    for (String reserved : List.of(CdcEngine.START, CdcEngine.END, CdcEngine.OP, CdcEngine.APPLIED, CdcEngine.BATCH)) {
      if (all.stream().anyMatch(reserved::equalsIgnoreCase)) {
        throw CdcErrors.reservedColumn(where, reserved);
      }
    }
    List<String> data = target.stream().filter(c -> !keys.contains(c)).collect(Collectors.toList());
    List<String> track = existing(where, "track-history-column-list", spec.trackHistoryColumnList(), target);
    List<String> trackExcept =
        existing(where, "track-history-except-column-list", spec.trackHistoryExceptColumnList(), target);
    tracked = !track.isEmpty() ? track : minus(data, trackExcept);
    List<String> nullList = existing(where, "ignore-null-updates-column-list", spec.ignoreNullUpdatesColumnList(), target);
    List<String> nullExcept =
        existing(where, "ignore-null-updates-except-column-list", spec.ignoreNullUpdatesExceptColumnList(), target);
    ignoreNull = spec.ignoreNullUpdates() ? data
        : !nullList.isEmpty() ? minus(nullList, keys)
        : !spec.ignoreNullUpdatesExceptColumnList().isEmpty() ? minus(data, nullExcept)
        : List.of();
    Set<String> keep = new LinkedHashSet<>(keys);
    keep.addAll(sequence);
    keep.addAll(target);
    stored = all.stream().filter(keep::contains).collect(Collectors.toList());
    for (String s : sequence) {
      DataType type = input.apply(s).dataType();
      if (!RowOrdering.isOrderable(type)) {
        throw CdcErrors.unorderable(where, s, type.simpleString());
      }
    }
    rangeKeys = keys.stream().filter(k -> io.medallion.table.internal.ColumnRange.supports(input.apply(k).dataType())).collect(Collectors.toList());
    sequenceType = sequence.size() == 1
        ? input.apply(sequence.get(0)).dataType()
        : DataTypes.createStructType(sequence.stream().map(input::apply).toArray(StructField[]::new));
  }

  static CdcColumns resolve(CdcSpec spec, StructType input, String where) {
    return new CdcColumns(spec, input, where);
  }

  /** The sequence as one orderable value: the column, or a struct of the columns. */
  Column sequenceColumn() {
    return sequence.size() == 1 ? functions.col(quote(sequence.get(0))) : functions.struct(cols(sequence));
  }

  static Column[] cols(List<String> names) {
    return names.stream().map(n -> functions.col(quote(n))).toArray(Column[]::new);
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** {@code names}, checked to exist in {@code available} and spelled as there (case-insensitive match). */
  private static List<String> existing(String where, String option, List<String> names, List<String> available) {
    List<String> out = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String n : names) {
      available.stream().filter(a -> a.equalsIgnoreCase(n)).findFirst()
          .ifPresentOrElse(out::add, () -> unknown.add(n));
    }
    if (!unknown.isEmpty()) {
      throw CdcErrors.unknownColumns(where, option, unknown, available);
    }
    return out;
  }

  private static List<String> minus(List<String> a, List<String> b) {
    return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toList());
  }
}
