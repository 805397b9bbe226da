package io.medallion.pipeline;

import io.medallion.table.TableSpec;
import io.medallion.quality.QualityRules;
import java.util.Set;

/**
 * A bronze table: raw data from a source, with ingest metadata columns ({@code _ingest_time},
 * {@code _source_file}, ...), appended to Delta. Streaming (the default) ingests each file once;
 * batch re-reads the whole source and replaces the table.
 */
public record BronzeTable(
    TableRef ref, SourceDefinition source, Execution execution, Trigger trigger, TableSpec spec,
    QualityRules quality)
    implements TableDefinition {
  public BronzeTable {
    quality = quality == null ? QualityRules.none() : quality;
    if (ref.layer() != Layer.BRONZE) {
      throw PipelineErrors.wrongLayer(ref, Layer.BRONZE);
    }
    if (source == null) {
      throw PipelineErrors.missing(ref, "a source", "source { format = json, path = \"s3a://bucket/landing/orders/\" }");
    }
    if (source.streamOnly() && execution == Execution.BATCH) {
      throw PipelineErrors.kinesisInBatch();
    }
  }

  @Override
  public Set<TableRef> inputs() {
    return Set.of();
  }
}
