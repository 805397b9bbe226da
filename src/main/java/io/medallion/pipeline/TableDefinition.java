package io.medallion.pipeline;

import io.medallion.table.TableSpec;
import io.medallion.quality.QualityRules;
import java.util.Set;

/** One table of a pipeline and the flow that fills it. */
public sealed interface TableDefinition permits BronzeTable, SilverTable, GoldTable {
  /** The table's layer and short name. */
  TableRef ref();

  /** Comment, partitioning and properties of the Delta table. */
  TableSpec spec();

  /** The table's expectations and dataset checks (none by default). */
  QualityRules quality();

  /** The tables of the same pipeline this table reads, which must be computed before it. */
  Set<TableRef> inputs();
}
