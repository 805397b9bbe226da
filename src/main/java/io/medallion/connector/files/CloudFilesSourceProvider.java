package io.medallion.connector.files;

import io.medallion.connector.files.internal.CloudFilesOptions;
import io.medallion.connector.files.internal.SourceSetup;
import io.medallion.platform.Platform;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.json.JsonFileFormat;
import org.apache.spark.sql.execution.streaming.Source;
import org.apache.spark.sql.sources.StreamSourceProvider;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * Auto Loader for open-source Spark: the {@code cloudFiles} streaming source, with Auto Loader's
 * option names, defaults, {@code _rescued_data} behaviour and hidden {@code _metadata} column, so
 * ingestion code written for Databricks runs unchanged (and can be unit-tested locally):
 *
 * <pre>
 * spark.readStream().format("cloudFiles")
 *     .option("cloudFiles.format", "json")
 *     .option("cloudFiles.schemaLocation", checkpoint)
 *     .load("s3a://bucket/landing/orders/")
 *     .select(col("*"), col("_metadata.file_path"));
 * </pre>
 *
 * <p>Options, defaults, discovery modes (full listing, incremental listing, S3 event notifications
 * through SQS), the file index in the checkpoint, schema inference and evolution, bad input and
 * what differs from Databricks are described in {@code docs/cloudfiles.md}.
 *
 * <p><b>Short name.</b> The Databricks Runtime registers its own Auto Loader as {@code cloudFiles},
 * and Spark refuses a format name that two sources register. So this source's short name is
 * {@code cloudFiles} on open-source Spark and {@code medallion-cloudFiles} when the process runs on
 * the Databricks Runtime (environment variable {@code DATABRICKS_RUNTIME_VERSION} set), where
 * {@code format("cloudFiles")} keeps meaning the runtime's Auto Loader. The full class name
 * {@code io.medallion.connector.files.CloudFilesSourceProvider} is accepted as format everywhere.
 *
 * <p><b>Why a file format.</b> The class extends Spark's JSON file format only so that Spark's
 * streaming planner offers the hidden {@code _metadata} column for it (Spark 3.5 offers
 * {@code _metadata} on streams whose provider is a file format; a DataSource V2 stream cannot have
 * it). It cannot be used to write, nor for batch reads.
 */
public final class CloudFilesSourceProvider extends JsonFileFormat implements StreamSourceProvider {
  private static final long serialVersionUID = 1L;
  /** The short name on open-source Spark. */
  public static final String SHORT_NAME = "cloudFiles";
  /** The short name on the Databricks Runtime, which owns {@code cloudFiles}. */
  public static final String DATABRICKS_SHORT_NAME = "medallion-cloudFiles";

  private static final Logger LOG = LoggerFactory.getLogger(CloudFilesSourceProvider.class);

  @Override
  public String shortName() {
    return shortName(System.getenv());
  }

  /** The short name for a process environment (see the class comment). */
  static String shortName(Map<String, String> processEnv) {
    return Platform.runsOnDatabricks(processEnv) ? DATABRICKS_SHORT_NAME : SHORT_NAME;
  }

  @Override
  public Tuple2<String, StructType> sourceSchema(SQLContext sqlContext, Option<StructType> schema,
      String providerName, scala.collection.immutable.Map<String, String> parameters) {
    Map<String, String> options = JavaConverters.mapAsJavaMap(parameters);
    String path = path(options);
    CloudFilesOptions parsed = CloudFilesOptions.parse(options, schema.isDefined());
    for (String ignored : parsed.ignoredOptions()) {
      LOG.warn("cloudFiles: option {} (Databricks) has no effect here; see docs/cloudfiles.md", ignored);
    }
    StructType resolved = SourceSetup.schema(sqlContext.sparkSession(), path, parsed,
        Optional.ofNullable(schema.isDefined() ? schema.get() : null));
    return new Tuple2<>("cloudFiles " + path, resolved);
  }

  @Override
  public Source createSource(SQLContext sqlContext, String metadataPath, Option<StructType> schema,
      String providerName, scala.collection.immutable.Map<String, String> parameters) {
    Map<String, String> options = JavaConverters.mapAsJavaMap(parameters);
    String path = path(options);
    CloudFilesOptions parsed = CloudFilesOptions.parse(options, schema.isDefined());
    SparkSession spark = sqlContext.sparkSession();
    StructType resolved = SourceSetup.schema(spark, path, parsed,
        Optional.ofNullable(schema.isDefined() ? schema.get() : null));
    return SourceSetup.source(spark, metadataPath, path, parsed, resolved);
  }

  /** Batch reads are refused: {@code cloudFiles} is a stream. */
  @Override
  public Option<StructType> inferSchema(org.apache.spark.sql.SparkSession spark,
      scala.collection.immutable.Map<String, String> options,
      scala.collection.Seq<org.apache.hadoop.fs.FileStatus> files) {
    throw new UnsupportedOperationException("cloudFiles is a streaming source: use"
        + " spark.readStream().format(\"cloudFiles\"), or spark.read().format(<the format>) for a batch read");
  }

  /** Writes are refused: {@code cloudFiles} is a source. */
  @Override
  public org.apache.spark.sql.execution.datasources.OutputWriterFactory prepareWrite(
      org.apache.spark.sql.SparkSession spark, org.apache.hadoop.mapreduce.Job job,
      scala.collection.immutable.Map<String, String> options, StructType dataSchema) {
    throw new UnsupportedOperationException("cloudFiles is a source: it cannot write");
  }

  private static String path(Map<String, String> options) {
    String path = options.get("path");
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("cloudFiles needs the directory to read: .load(\"s3a://bucket/landing/\")");
    }
    return path;
  }

  @Override
  public String toString() {
    return "cloudFiles";
  }
}
