package io.medallion.source.internal;

import io.medallion.internal.Causes;
import io.medallion.source.SourceContext;
import io.medallion.MedallionException;
import io.medallion.source.FileSource;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.Platform;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link FileSource} into bronze rows.
 *
 * <p><b>Streaming</b> goes through Auto Loader: the runtime's {@code cloudFiles} on Databricks,
 * medallion's own {@code cloudFiles} source on open-source Spark, with the same options (see
 * {@link #streamOptions}): files are discovered incrementally, each is read once, the schema is
 * inferred and kept (with its history) in the table's checkpoint, and values that do not fit land
 * in {@code _rescued_data}.
 *
 * <p><b>Batch</b> ({@code execution = batch}) reads every file with Spark's reader; lines that do
 * not parse are kept in {@code _rescued_data} as {@code {"_corrupt_record": ..., "_file_path": ...}}.
 *
 * <p>Both add {@code _source_file}, {@code _source_file_size}, {@code _source_file_modification_time}
 * (from {@code _metadata}) and {@code _ingest_time}.
 */
final class FileInput {
  private static final Logger LOG = LoggerFactory.getLogger(FileInput.class);
  static final String RESCUED = "_rescued_data";
  private static final Set<String> TEXT_FORMATS = Set.of("json", "csv");

  /** medallion's own option for a folder that may not exist yet (checked by run.SourcePaths). */
  private static final String ALLOW_MISSING = "allowMissingPath";

  private FileInput() {}

  static Dataset<Row> read(SourceContext ctx, TableRef ref, FileSource source, boolean streaming) {
    Optional<StructType> declared = declaredSchema(ref, source);
    Dataset<Row> raw;
    try {
      raw = streaming ? stream(ctx, ref, source, declared) : batch(ctx, ref, source, declared);
    } catch (MedallionException e) {
      throw e;
    } catch (Exception e) {
      throw SourceReadErrors.cannotReadFiles(ref, source.format(), source.path(), e);
    }
    return raw.select(
        functions.col("*"),
        functions.col("_metadata.file_path").as("_source_file"),
        functions.col("_metadata.file_size").as("_source_file_size"),
        functions.col("_metadata.file_modification_time").as("_source_file_modification_time"),
        functions.current_timestamp().as("_ingest_time"));
  }

  private static Dataset<Row> stream(SourceContext ctx, TableRef ref, FileSource source, Optional<StructType> declared) {
    Map<String, String> options = streamOptions(source, ctx.checkpoint(), declared.isPresent(), ctx.platform());
    DataStreamReader reader = ctx.spark().readStream().format(ctx.platform().cloudFilesFormat()).options(options);
    if (declared.isPresent()) {
      reader = reader.schema(declared.get());
    }
    return reader.load(source.path());
  }

  /**
   * The Auto Loader options for a file source: the user's options as they are ({@code cloudFiles.*}
   * and the format's reader options), plus {@code cloudFiles.format}, a schema location in the
   * table's checkpoint unless one is given, and {@code rescuedDataColumn = _rescued_data} when the
   * schema is declared (an inferred schema gets it anyway). Options only medallion's source knows
   * are dropped, with a warning, on platforms whose Auto Loader is the runtime's.
   */
  static Map<String, String> streamOptions(FileSource source, String checkpoint, boolean declaredSchema,
      Platform platform) {
    Map<String, String> options = new LinkedHashMap<>();
    Map<String, String> given = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    given.putAll(source.options());
    options.put("cloudFiles.format", source.format().toLowerCase(Locale.ROOT));
    if (!given.containsKey("cloudFiles.schemaLocation")) {
      options.put("cloudFiles.schemaLocation", checkpoint);
    }
    if (declaredSchema && !given.containsKey("rescuedDataColumn")) {
      options.put("rescuedDataColumn", RESCUED);
    }
    Set<String> unsupported = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    unsupported.addAll(platform.cloudFilesUnsupportedOptions());
    for (Map.Entry<String, String> e : source.options().entrySet()) {
      if (e.getKey().equalsIgnoreCase("recursiveFileLookup") || e.getKey().equalsIgnoreCase(ALLOW_MISSING)) {
        continue; // Auto Loader always reads nested folders; allowMissingPath is medallion's
      }
      if (unsupported.contains(e.getKey())) {
        LOG.warn("File source {}: option {} is medallion's own and is not passed to this platform's"
            + " Auto Loader", source.path(), e.getKey());
        continue;
      }
      options.put(e.getKey(), e.getValue());
    }
    return options;
  }

  private static Dataset<Row> batch(SourceContext ctx, TableRef ref, FileSource source, Optional<StructType> declared) {
    String format = source.format().toLowerCase(Locale.ROOT);
    Map<String, String> options = new LinkedHashMap<>();
    source.options().forEach((k, v) -> {
      if (!k.toLowerCase(Locale.ROOT).startsWith("cloudfiles.") && !k.equalsIgnoreCase(ALLOW_MISSING)) {
        options.put(k, v);
      }
    });
    options.putIfAbsent("recursiveFileLookup", "true");
    StructType schema = declared.orElseGet(() -> infer(ctx, ref, source, options));
    boolean permissive = options.getOrDefault("mode", "PERMISSIVE").equalsIgnoreCase("PERMISSIVE");
    boolean rescue = TEXT_FORMATS.contains(format) && permissive
        && !Arrays.asList(schema.fieldNames()).contains(RESCUED);
    String corrupt = "_corrupt_record_" + Integer.toHexString(ref.hashCode() & 0xffff);
    if (rescue) {
      options.put("columnNameOfCorruptRecord", corrupt);
      schema = schema.add(corrupt, DataTypes.StringType);
    }
    Dataset<Row> raw = ctx.spark().read().format(format).schema(schema).options(options).load(source.path());
    if (!rescue) {
      return raw;
    }
    Column c = functions.col(corrupt);
    Column wrapped = functions.when(c.isNotNull(), functions.to_json(functions.struct(
        c.as("_corrupt_record"), functions.col("_metadata.file_path").as("_file_path"))));
    // Spark needs the corrupt column materialised before it is used alone in a projection.
    return raw.withColumn(RESCUED, wrapped).drop(corrupt);
  }

  private static Optional<StructType> declaredSchema(TableRef ref, FileSource source) {
    if (source.schema().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(StructType.fromDDL(source.schema().get()));
    } catch (Exception e) {
      throw SourceReadErrors.badColumnList(ref, "schema", e);
    }
  }

  private static StructType infer(SourceContext ctx, TableRef ref, FileSource source, Map<String, String> options) {
    try {
      StructType inferred =
          ctx.spark().read().format(source.format()).options(options).load(source.path()).schema();
      if (inferred.isEmpty()) {
        throw SourceReadErrors.noColumnsFound();
      }
      return new StructType(Arrays.stream(inferred.fields())
          .filter(f -> !f.name().equals("_corrupt_record")).toArray(org.apache.spark.sql.types.StructField[]::new));
    } catch (Exception e) {
      throw SourceReadErrors.cannotInferSchema(ref, source.format(), source.path(), e);
    }
  }
}
