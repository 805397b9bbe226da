package io.medallion.source;

/** How a message's value (a Kafka record's value, a Kinesis record's data) becomes bronze columns. */
public enum ValueFormat {
  /** JSON parsed with the source's value schema; values that do not parse go to {@code _rescued_data}. */
  JSON,
  /** The value as a UTF-8 string in column {@code value}. */
  STRING,
  /** The value's bytes as they are in column {@code value}. */
  BINARY;

  /**
   * {@code format} (JSON when null), checked against the value schema: JSON needs one, the raw
   * formats take none.
   *
   * @throws IllegalArgumentException saying which key to add or remove
   */
  static ValueFormat checked(ValueFormat format, java.util.Optional<String> valueSchema) {
    ValueFormat f = format == null ? JSON : format;
    if (f == JSON && valueSchema.isEmpty()) {
      throw SourceErrors.jsonWithoutSchema();
    }
    if (f != JSON && valueSchema.isPresent()) {
      throw SourceErrors.schemaWithoutJson();
    }
    return f;
  }
}
