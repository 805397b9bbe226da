package io.medallion.source;

import io.medallion.pipeline.SourceDefinition;
import java.util.Map;
import java.util.Optional;

/**
 * Files under a directory (local path or {@code s3a://} URI), read incrementally by Auto Loader
 * ({@code cloudFiles}) when streaming: each file is ingested once.
 *
 * @param path the directory files land in; nested (e.g. dated) folders are read recursively
 * @param format {@code json}, {@code csv}, {@code parquet}, {@code text}, {@code orc}, {@code binaryFile}
 * @param schema the columns as a DDL string ({@code "order_id STRING, amount DOUBLE"}); when empty
 *     the schema is inferred from the files present at the first start, kept with its history in
 *     the table's checkpoint, and evolves when files bring new columns
 * @param options Auto Loader options ({@code cloudFiles.maxFilesPerTrigger}, ...) and the format's
 *     reader options (e.g. {@code header}, {@code multiLine}), passed as they are; see
 *     {@code docs/cloudfiles.md}
 */
public record FileSource(String path, String format, Optional<String> schema, Map<String, String> options)
    implements SourceDefinition {
  public FileSource {
    if (path == null || path.isBlank()) {
      throw SourceErrors.fileSourceWithout("path", "path = \"s3a://bucket/landing/orders/\"");
    }
    if (format == null || format.isBlank()) {
      throw SourceErrors.fileSourceWithout("format", "format = json");
    }
    options = Map.copyOf(options);
  }

  /** A file source of the given format with an inferred schema and no options. */
  public static FileSource of(String path, String format) {
    return new FileSource(path, format, Optional.empty(), Map.of());
  }

  /** A copy with a declared schema (DDL). */
  public FileSource withSchema(String ddl) {
    return new FileSource(path, format, Optional.of(ddl), options);
  }

  /** A copy with one more reader option. */
  public FileSource withOption(String key, String value) {
    java.util.Map<String, String> copy = new java.util.LinkedHashMap<>(options);
    copy.put(key, value);
    return new FileSource(path, format, schema, copy);
  }
}
