package io.medallion.pipeline;

/** How a message's value (a Kafka record's value, a Kinesis record's data) becomes bronze columns. */
public enum ValueFormat {
  /** JSON parsed with the source's value schema; values that do not parse go to {@code _rescued_data}. */
  JSON,
  /** The value as a UTF-8 string in column {@code value}. */
  STRING,
  /** The value's bytes as they are in column {@code value}. */
  BINARY
}
