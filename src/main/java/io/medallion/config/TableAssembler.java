package io.medallion.config;

import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.SourceDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.WriteMode;
import io.medallion.quality.QualityRules;
import io.medallion.source.FileSource;
import io.medallion.source.KafkaSource;
import io.medallion.source.KinesisSource;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place a table definition is assembled with its defaults: a pipeline file
 * ({@link PipelineReader}) and the Java builder ({@link PipelineBuilder}) both say what the user set
 * (an empty {@link Optional} for what they left out) and get the record with the defaults of
 * {@code reference.conf} filled in, so the two cannot drift apart.
 */
final class TableAssembler {
  private final Defaults defaults;

  TableAssembler(Defaults defaults) {
    this.defaults = defaults;
  }

  /** The defaults a table of the layer starts with (its layout). */
  TableSpec spec(Layer layer) {
    return defaults.spec(layer);
  }

  /** A bronze table; the source's options already include {@link #sourceOptions}. */
  BronzeTable bronze(TableRef ref, SourceDefinition source, Optional<Execution> execution, Optional<Trigger> trigger,
      TableSpec spec, QualityRules quality) {
    Execution e = execution(ref, execution);
    return new BronzeTable(ref, source, e, trigger(ref, e, trigger), spec, quality);
  }

  /** A silver table; an unset write mode is the default ({@code upsert}). */
  SilverTable silver(TableRef ref, TableRef from, Optional<String> sql, List<String> keys, Optional<String> sequenceBy,
      Optional<WriteMode> mode, Optional<Execution> execution, Optional<Trigger> trigger, TableSpec spec,
      QualityRules quality, Optional<CdcSpec> cdc, List<TableRef> alsoFrom) {
    Execution e = execution(ref, execution);
    return new SilverTable(ref, from, sql, keys, sequenceBy, mode.orElse(defaults.mode()), e, trigger(ref, e, trigger),
        spec, quality, cdc, alsoFrom);
  }

  /** A gold table; an unset refresh is the default ({@code auto}). */
  GoldTable gold(TableRef ref, String sql, TableSpec spec, QualityRules quality, Optional<GoldTable.Refresh> refresh) {
    return new GoldTable(ref, sql, spec, quality, refresh.orElse(defaults.goldRefresh()));
  }

  /**
   * A source's reader options: the defaults of its type ({@code medallion.sources.<type>.options})
   * under its own.
   */
  Map<String, String> sourceOptions(String type, Map<String, String> own) {
    Map<String, String> options = new LinkedHashMap<>(defaults.sourceOptions(type));
    options.putAll(own);
    return options;
  }

  /** {@code source} with {@link #sourceOptions} (a source made in code carries only its own options). */
  SourceDefinition withDefaultOptions(SourceDefinition source) {
    if (source instanceof FileSource f) {
      return new FileSource(f.path(), f.format(), f.schema(), sourceOptions("files", f.options()));
    }
    if (source instanceof KafkaSource k) {
      return new KafkaSource(k.bootstrapServers(), k.subscription(), k.value(), k.valueSchema(), k.security(),
          k.commitOffsetsToGroup(), sourceOptions("kafka", k.options()));
    }
    if (source instanceof KinesisSource k) {
      return new KinesisSource(k.streamName(), k.region(), k.value(), k.valueSchema(), k.accessKey(), k.secretKey(),
          sourceOptions("kinesis", k.options()));
    }
    return source;
  }

  /** The default action of an expectation that names none ({@code warn}). */
  io.medallion.quality.Action expectationAction() {
    return defaults.expectationAction();
  }

  private Execution execution(TableRef ref, Optional<Execution> execution) {
    return execution.orElse(defaults.execution(ref.layer()));
  }

  private Trigger trigger(TableRef ref, Execution execution, Optional<Trigger> trigger) {
    if (execution == Execution.BATCH && trigger.isPresent()) {
      throw ConfigErrors.triggerOnBatch(ref);
    }
    return trigger.orElseGet(() -> defaults.trigger(ref.layer()));
  }
}
