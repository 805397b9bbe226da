package io.medallion.connector.files.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds a {@code cloudFiles} stream from options: its schema (inferred, stored, evolved) and source. */
public final class SourceSetup {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSetup.class);

  private SourceSetup() {}

  /**
   * The stream's schema: the user's, or the newest at the schema location (after folding in new
   * columns readers reported), or inferred from sample files and stored as version 0; hints
   * applied; the rescued-data column last.
   */
  public static StructType schema(SparkSession spark, String path, CloudFilesOptions o,
      Optional<StructType> userSchema) {
    if (o.format().equals("avro")) {
      ReadFormat.avro(); // fails now, with the --packages line, when Spark's avro module is missing
    }
    StructType data;
    List<String> partitionNames = o.partitionColumns().orElse(List.of());
    if (userSchema.isPresent()) {
      data = ReadFormat.without(userSchema.get(), o.rescuedDataColumn());
    } else if (o.format().equals("text")) {
      data = new StructType().add("value", DataTypes.StringType);
    } else if (o.format().equals("binaryfile")) {
      data = new StructType().add("path", DataTypes.StringType).add("modificationTime", DataTypes.TimestampType)
          .add("length", DataTypes.LongType).add("content", DataTypes.BinaryType);
    } else {
      Configuration conf = spark.sessionState().newHadoopConf();
      SchemaStore store = SchemaStore.at(o.schemaLocation().orElseThrow(), conf);
      Optional<SchemaStore.Versioned> latest = store.latest(o.evolutionMode());
      if (latest.isPresent()) {
        data = latest.get().schema();
        partitionNames = o.partitionColumns().orElse(store.partitionColumns());
        LOG.info("cloudFiles {}: schema version {} from {}", path, latest.get().version(), o.schemaLocation().get());
      } else {
        List<String> sample = sample(path, o, conf);
        if (sample.isEmpty()) {
          throw new IllegalArgumentException("cloudFiles: cannot infer the schema of the " + o.format()
              + " files under " + path + ": there are none yet (or none pass pathGlobFilter /"
              + " modifiedAfter / modifiedBefore). Land at least one file before the first start, or"
              + " give the schema with .schema(...)" + " or the columns with cloudFiles.schemaHints.");
        }
        StructType inferred;
        try {
          inferred = SchemaStore.infer(spark, o, sample);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("cloudFiles: cannot infer the schema of the " + o.format()
              + " files under " + path + " from " + sample.size() + " file(s) (first: " + sample.get(0)
              + "): " + e.getMessage() + ". Give the schema with .schema(...) or cloudFiles.schemaHints.", e);
        }
        StructType parts = Partitions.infer(path, sample, o.partitionColumns().orElse(null),
            o.inferColumnTypes());
        inferred = Partitions.concat(Partitions.without(inferred, parts), parts);
        partitionNames = Arrays.asList(parts.fieldNames());
        if (o.schemaHints().isPresent()) {
          inferred = SchemaStore.applyHints(inferred, o.schemaHints().get());
        }
        data = store.initial(inferred, sample, o.schemaHints(), partitionNames).schema();
        LOG.info("cloudFiles {}: inferred schema from {} file(s), stored as version 0 in {}: {}",
            path, sample.size(), o.schemaLocation().get(), data.simpleString());
      }
      if (o.schemaHints().isPresent()) {
        data = SchemaStore.applyHints(data, o.schemaHints().get());
      }
    }
    if (userSchema.isEmpty()) {
      // Every column of an inferred schema may be NULL (as in Auto Loader): a Parquet file written
      // from literals says REQUIRED, yet the next file may lack the column or have it rescued.
      data = data.asNullable();
    }
    // the data columns, the rescued column, then the partition columns (Spark's scan order)
    StructType parts = new StructType();
    for (String name : partitionNames) {
      StructField f = Arrays.stream(data.fields()).filter(x -> x.name().equalsIgnoreCase(name)).findFirst()
          .orElse(new StructField(name, DataTypes.StringType, true, Metadata.empty()));
      parts = parts.add(f);
    }
    data = Partitions.without(data, parts);
    if (o.rescuedDataColumn().isPresent()
        && !Arrays.asList(data.fieldNames()).contains(o.rescuedDataColumn().get())) {
      data = data.add(o.rescuedDataColumn().get(), DataTypes.StringType, true);
    }
    return Partitions.concat(data, parts);
  }

  /**
   * The stream's partition columns (the last columns of its schema): named by
   * {@code cloudFiles.partitionColumns}, else those recorded with the inferred schema.
   */
  static StructType partitions(SparkSession spark, CloudFilesOptions o, StructType schema) {
    List<String> names = o.partitionColumns().orElseGet(() -> o.schemaLocation()
        .map(l -> SchemaStore.at(l, spark.sessionState().newHadoopConf()).partitionColumns()).orElse(List.of()));
    StructType out = new StructType();
    for (StructField f : schema.fields()) {
      if (names.stream().anyMatch(n -> n.equalsIgnoreCase(f.name()))) {
        out = out.add(f);
      }
    }
    return out;
  }

  private static List<String> sample(String path, CloudFilesOptions o, Configuration conf) {
    List<String> files = new ArrayList<>();
    Optional<GlobPattern> glob = o.pathGlobFilter().map(GlobPattern::new);
    long[] bytes = {0};
    try (FileLister lister = FileListers.forRoot(path, conf)) {
      lister.list(Optional.empty(), e -> {
        String name = e.path().substring(e.path().lastIndexOf('/') + 1);
        if (files.size() >= o.sampleFiles() || bytes[0] >= o.sampleBytes() || e.size() == 0
            || (glob.isPresent() && !glob.get().matches(name))
            || (o.modifiedAfter().isPresent() && e.modificationTime() <= o.modifiedAfter().get())
            || (o.modifiedBefore().isPresent() && e.modificationTime() >= o.modifiedBefore().get())) {
          return;
        }
        files.add(e.path());
        bytes[0] += e.size();
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cloudFiles: cannot list " + path + ": " + e.getMessage(), e);
    }
    return files;
  }

  /** The source for a query. */
  public static CloudFilesSource source(SparkSession spark, String metadataPath, String path,
      CloudFilesOptions o, StructType schema) {
    Optional<FileNotifications> notifications = Optional.empty();
    if (o.discovery() == CloudFilesOptions.Discovery.NOTIFICATIONS) {
      notifications = Optional.of(Notifications.sqs(o, path, spark.sessionState().newHadoopConf()));
    }
    return new CloudFilesSource(spark, metadataPath, path, o, schema, partitions(spark, o, schema),
        notifications);
  }
}
