package io.medallion.pipeline;

import io.medallion.table.TableSpec;
import io.medallion.quality.QualityRules;
import io.medallion.pipeline.SqlTemplate;
import java.util.Set;

/**
 * A gold table: a SQL query over other tables (named as {@code {layer.table}} placeholders or by
 * full three-level names), recomputed in batch on every run and replaced atomically.
 */
public record GoldTable(TableRef ref, String sql, TableSpec spec, QualityRules quality) implements TableDefinition {
  public GoldTable {
    quality = quality == null ? QualityRules.none() : quality;
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
