package io.medallion.pipeline;

import io.medallion.table.TableSpec;
import io.medallion.quality.QualityRules;
import io.medallion.pipeline.SqlTemplate;
import java.util.Set;

/**
 * A gold table: a SQL query over other tables (named as {@code {layer.table}} placeholders or by
 * full three-level names), refreshed in batch on every run.
 *
 * @param refresh {@link Refresh#AUTO}: skipped when its inputs did not change, refreshed
 *     incrementally (only the groups the changed input rows touch) when the query allows it,
 *     recomputed in full otherwise; {@link Refresh#FULL}: always recomputed in full and replaced
 */
public record GoldTable(TableRef ref, String sql, TableSpec spec, QualityRules quality, Refresh refresh)
    implements TableDefinition {
  /** How a gold table is refreshed ({@code refresh = auto | full}). */
  public enum Refresh {
    AUTO,
    FULL
  }

  /** A gold table with {@code refresh = auto}. */
  public GoldTable(TableRef ref, String sql, TableSpec spec, QualityRules quality) {
    this(ref, sql, spec, quality, Refresh.AUTO);
  }

  public GoldTable {
    quality = quality == null ? QualityRules.none() : quality;
    refresh = refresh == null ? Refresh.AUTO : refresh;
    if (ref.layer() != Layer.GOLD) {
      throw PipelineErrors.wrongLayer(ref, Layer.GOLD);
    }
    if (sql == null || sql.isBlank()) {
      throw PipelineErrors.missing(ref, "sql", "sql = \"SELECT ... FROM {silver.orders} GROUP BY ...\"");
    }
  }

  @Override
  public Set<TableRef> inputs() {
    return SqlTemplate.references(sql);
  }
}
