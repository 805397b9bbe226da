package io.medallion.pipeline;

/** Where a bronze table's data comes from. */
public sealed interface SourceDefinition permits FileSource, KafkaSource, KinesisSource {}
