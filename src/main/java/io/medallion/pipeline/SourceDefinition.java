package io.medallion.pipeline;

/**
 * Where a bronze table's data comes from. The implementations are the option records of {@code
 * io.medallion.source} ({@code FileSource}, {@code KafkaSource}, {@code KinesisSource}); definitions
 * only hold them, the readers behind {@code io.medallion.source.SourceReader} read them.
 */
public interface SourceDefinition {
  /** True for sources that can only be read as a stream (Kinesis): such tables cannot be {@code execution = batch}. */
  default boolean streamOnly() {
    return false;
  }
}
