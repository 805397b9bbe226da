package io.medallion.pipeline;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableSpec;
import io.medallion.quality.QualityRules;
import io.medallion.pipeline.SqlTemplate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A silver table: rows of another table of the pipeline ({@code from}, read incrementally when
 * streaming; or several, {@code alsoFrom}), transformed by SQL, deduplicated by {@code keys} and
 * upserted into Delta.
 *
 * @param from the table read incrementally; null only for a snapshot CDC table whose snapshots come
 *     from a folder ({@code cdc.fromSnapshot().path()}), which reads no table of the pipeline
 * @param sql a SELECT that names tables as {@code {layer.table}} placeholders; {@code {from}}'s
 *     placeholder stands for the new rows of the current batch. Empty means {@code SELECT * FROM
 *     {from}}.
 * @param keys the columns identifying a row; required for {@link WriteMode#UPSERT}
 * @param quality expectations and dataset checks of the rows the SQL produces (before dedupe)
 * @param sequenceBy the column ordering versions of a row (latest wins); when empty the last row
 *     seen in a batch wins and a later batch always overwrites an earlier one. For a CDC table the
 *     first of {@link CdcSpec#sequenceBy()}.
 * @param cdc when present the table is a CDC target (AUTO CDC, SCD type 1 or 2): its rows are
 *     change events applied by {@link CdcSpec}'s rules instead of upserted; {@code keys} and
 *     {@code sequenceBy} then repeat the spec's; with {@link CdcSpec#fromSnapshot()} the rows are
 *     full snapshots and the table runs in batch
 * @param alsoFrom more tables read like {@code from} ({@code from = [a, b, ...]} in config): a
 *     streaming table reads the new rows of each, and its SQL (then required) unions them, e.g. a
 *     DMS full load and its change files; usually empty
 */
public record SilverTable(
    TableRef ref,
    TableRef from,
    Optional<String> sql,
    List<String> keys,
    Optional<String> sequenceBy,
    WriteMode mode,
    Execution execution,
    Trigger trigger,
    TableSpec spec,
    QualityRules quality,
    Optional<CdcSpec> cdc,
    List<TableRef> alsoFrom)
    implements TableDefinition {
  /** A table that is not a CDC target. */
  public SilverTable(TableRef ref, TableRef from, Optional<String> sql, List<String> keys, Optional<String> sequenceBy,
      WriteMode mode, Execution execution, Trigger trigger, TableSpec spec, QualityRules quality) {
    this(ref, from, sql, keys, sequenceBy, mode, execution, trigger, spec, quality, Optional.empty());
  }

  /** A table that reads one table ({@code from}). */
  public SilverTable(TableRef ref, TableRef from, Optional<String> sql, List<String> keys, Optional<String> sequenceBy,
      WriteMode mode, Execution execution, Trigger trigger, TableSpec spec, QualityRules quality,
      Optional<CdcSpec> cdc) {
    this(ref, from, sql, keys, sequenceBy, mode, execution, trigger, spec, quality, cdc, List.of());
  }

  public SilverTable {
    cdc = cdc == null ? Optional.empty() : cdc;
    alsoFrom = alsoFrom == null ? List.of() : List.copyOf(alsoFrom);
    quality = quality == null ? QualityRules.none() : quality;
    if (ref.layer() != Layer.SILVER) {
      throw PipelineErrors.wrongLayer(ref, Layer.SILVER);
    }
    keys = List.copyOf(keys);
    if (from == null && !cdc.flatMap(CdcSpec::fromSnapshot).map(CdcSpec.FromSnapshot::isFolder).orElse(false)) {
      throw new IllegalArgumentException("a silver table needs from (only a snapshot folder CDC table reads no table)");
    }
  }

  /**
   * The tables a streaming run reads incrementally: {@code from}, then {@link #alsoFrom()}; empty
   * for a snapshot folder table.
   */
  public List<TableRef> fromTables() {
    List<TableRef> all = new java.util.ArrayList<>();
    if (from != null) {
      all.add(from);
    }
    all.addAll(alsoFrom);
    return List.copyOf(all);
  }

  /** True when the table's snapshots come from a folder (it then has no {@code from} and no SQL). */
  public boolean readsSnapshotFolder() {
    return from == null;
  }

  /** The SQL that computes the table's rows, with the default filled in. */
  public String effectiveSql() {
    return from == null ? "" : sql.orElse("SELECT * FROM {" + from + "}");
  }

  @Override
  public Set<TableRef> inputs() {
    Set<TableRef> inputs = new LinkedHashSet<>();
    if (from == null) {
      return inputs;
    }
    inputs.addAll(fromTables());
    inputs.addAll(SqlTemplate.references(effectiveSql()));
    return inputs;
  }
}
