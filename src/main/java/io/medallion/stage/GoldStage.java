package io.medallion.stage;

import io.medallion.eventlog.FlowProgress;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.quality.Action;
import io.medallion.quality.QualityMetrics;
import io.medallion.stage.internal.GoldRefresh;
import io.medallion.table.RefreshState;
import io.medallion.table.TableFeatures;
import io.medallion.table.TableName;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gold: a SQL query over other tables, refreshed in batch: skipped when its inputs did not change,
 * refreshed incrementally where the query allows, else recomputed and replaced atomically (see
 * {@link GoldRefresh}). Rows read are the rows of its input tables for a full recompute (counted
 * from the Delta log, so the query's own plan stays untouched) and the changed rows for an
 * incremental one.
 */
final class GoldStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(GoldStage.class);

  private final GoldTable table;

  GoldStage(GoldTable table) {
    this.table = table;
  }

  @Override
  public TableDefinition definition() {
    return table;
  }

  @Override
  public Dataset<Row> plan(StageContext ctx, Function<TableRef, Dataset<Row>> inputs) {
    return SqlStages.query(ctx, table, table.sql(), inputs);
  }

  @Override
  public StageRun run(StageContext ctx) {
    Instant start = Instant.now();
    TableName name = ctx.nameOf(table.ref());
    try {
      Map<TableRef, TableName> inputs = new LinkedHashMap<>();
      for (TableRef input : table.inputs()) {
        inputs.put(input, ctx.nameOf(input));
      }
      GoldRefresh refresh = GoldRefresh.plan(ctx.spark(), name, inputs, bind -> plan(ctx, bind), fingerprint(),
          fullBecause());
      // A full recompute replaces the table with the spec's layout; otherwise the additive changes
      // of the spec are applied in place first.
      java.util.List<String> applied = refresh.mode() != GoldRefresh.Mode.FULL
          ? TableFeatures.apply(ctx.spark(), name, table.spec(), Optional.empty()) : java.util.List.of();
      String note = refresh.describe()
          + (applied.isEmpty() ? "" : "; applied in place: " + String.join(", ", applied));
      LOG.info("{}: {}", table.ref(), note);
      ctx.events().tableEvent(ctx.runId(), "gold_refresh", "INFO", table.ref().toString(), name,
          "Gold table " + table.ref() + " " + note);
      if (refresh.mode() == GoldRefresh.Mode.SKIP) {
        ctx.events().flowProgress(ctx.runId(), new FlowProgress(table.ref(), name, OptionalLong.empty(), start,
            Instant.now(), "UNCHANGED", 0, 0, QualityMetrics.none(), Optional.empty()));
        return Runs.done(new StageResult(table.ref(), name, 0, 0, Runs.since(start), QualityMetrics.none(), note));
      }
      Dataset<Row> rows = refresh.rows();
      return Runs.batch(table, rows, new TableWriter(ctx, table, rows, refresh.write()), start, refresh.rowsRead(),
          note);
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    }
  }

  @Override
  public boolean replacesAllRows(StageContext ctx) {
    if (fullBecause().isPresent()) {
      return true;
    }
    return RefreshState.lastRecorded(ctx.spark(), ctx.nameOf(table.ref()))
        .map(last -> !last.fingerprint().equals(fingerprint())).orElse(true);
  }

  /** What the table's rows depend on besides its inputs: the query text and the rules. */
  private String fingerprint() {
    return RefreshState.fingerprint(table.sql(), table.quality().toString());
  }

  /** Why this table is recomputed in full whatever its query, if it is. */
  private Optional<String> fullBecause() {
    if (table.refresh() == GoldTable.Refresh.FULL) {
      return Optional.of("refresh = full");
    }
    if (table.quality().has(Action.QUARANTINE)) {
      return Optional.of("its quarantine expectations replace the quarantine table with every rejected row");
    }
    return Optional.empty();
  }
}
