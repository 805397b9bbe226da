package io.medallion.stage;

import io.medallion.MedallionException;
import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.FileSource;
import io.medallion.pipeline.KafkaSource;
import io.medallion.pipeline.KinesisSource;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.TableResult;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Bronze: a source's records as they arrived plus ingest metadata, appended to Delta. Kafka and
 * Kinesis sources are read by {@link KafkaInput} and {@link KinesisInput} (value decoding,
 * {@code _kafka_*} / {@code _kinesis_*} columns); files as below.
 *
 * <p>Columns added to every row: {@code _source_file}, {@code _source_file_size},
 * {@code _source_file_modification_time} (from Spark's {@code _metadata}) and {@code _ingest_time}.
 * For JSON and CSV in the default PERMISSIVE mode a {@code _corrupt_record} column keeps lines that
 * do not parse, so no input is silently lost.
 */
final class BronzeStage implements Stage {
  static final String CORRUPT_RECORD = "_corrupt_record";
  private static final Set<String> TEXT_FORMATS = Set.of("json", "csv");

  private final BronzeTable table;

  BronzeStage(BronzeTable table) {
    this.table = table;
  }

  @Override
  public TableDefinition definition() {
    return table;
  }

  @Override
  public Dataset<Row> plan(StageContext ctx, Function<TableRef, Dataset<Row>> inputs) {
    return read(ctx, table.execution() == Execution.STREAMING);
  }

  @Override
  public StageRun run(StageContext ctx) {
    Instant start = Instant.now();
    SparkSession spark = ctx.spark();
    TableName name = ctx.nameOf(table.ref());
    KafkaAdmin kafka = null;
    try {
      boolean streaming = table.execution() == Execution.STREAMING;
      if (table.source() instanceof KafkaSource k) {
        kafka = KafkaAdmin.open(table.ref(), k, ctx.platform(), System.getenv());
        kafka.preflight();
      }
      Dataset<Row> rows = read(ctx, streaming);
      QualityGate gate = new QualityGate(ctx, table, rows, false);
      if (streaming) {
        DeltaTables.ensureTable(spark, name, rows.schema(), table.spec());
        String queryName = "medallion " + ctx.pipeline().name() + " " + table.ref();
        Consumer<StreamingQuery> onTermination = offsetCommits(spark, kafka, queryName);
        StreamingQuery query =
            rows.writeStream()
                .queryName(queryName)
                .option("checkpointLocation", ctx.checkpointOf(table.ref()))
                .trigger(Runs.sparkTrigger(table.trigger()))
                .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) ->
                    gate.write(batch, id, out -> out.write().format("delta").mode("append")
                        .option("mergeSchema", "true")
                        .option("txnAppId", gate.appId())
                        .option("txnVersion", id)
                        .saveAsTable(name.quoted())))
                .start();
        kafka = null; // closed by onTermination
        return Runs.streaming(ctx, table.ref(), name, query, start, !table.trigger().terminates(), gate, onTermination);
      }
      gate.write(rows, -1, out -> DeltaTables.replace(out, name, table.spec()));
      return Runs.done(new TableResult(
          table.ref(), name, gate.lastRowsIn(), gate.rowsWritten(), Runs.since(start), gate.total()));
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  /**
   * For a Kafka source with {@code commit-offsets-to-group}: a listener committing each finished
   * micro-batch's offsets, and what to do when the query ends (commit its last progress, remove the
   * listener, close the admin client).
   */
  private Consumer<StreamingQuery> offsetCommits(SparkSession spark, KafkaAdmin kafka, String queryName) {
    if (kafka == null) {
      return q -> {};
    }
    Optional<String> group = ((KafkaSource) table.source()).commitOffsetsToGroup();
    if (group.isEmpty()) {
      return q -> kafka.close();
    }
    StreamingQueryListener listener = kafka.committer(queryName, group.get());
    spark.streams().addListener(listener);
    return q -> {
      try {
        if (q.exception().isEmpty()) {
          kafka.commitProgress(group.get(), q.lastProgress());
        }
      } finally {
        spark.streams().removeListener(listener);
        kafka.close();
      }
    };
  }

  /** The source rows with metadata columns, streaming or batch. */
  Dataset<Row> read(StageContext ctx, boolean streaming) {
    if (table.source() instanceof KafkaSource k) {
      return KafkaInput.read(ctx, table.ref(), k, streaming);
    }
    if (table.source() instanceof KinesisSource k) {
      return KinesisInput.read(ctx, table.ref(), k);
    }
    return files(ctx, streaming);
  }

  private Dataset<Row> files(StageContext ctx, boolean streaming) {
    FileSource source = (FileSource) table.source();
    String format = source.format().toLowerCase(Locale.ROOT);
    Map<String, String> options = new LinkedHashMap<>(source.options());
    StructType schema = schema(ctx, source, options);
    if (TEXT_FORMATS.contains(format) && permissive(options)) {
      String column = options.computeIfAbsent("columnNameOfCorruptRecord", k -> CORRUPT_RECORD);
      if (!Arrays.asList(schema.fieldNames()).contains(column)) {
        schema = schema.add(column, DataTypes.StringType);
      }
    }
    Dataset<Row> raw;
    try {
      raw = streaming
          ? ctx.spark().readStream().format(format).schema(schema).options(options).load(source.path())
          : ctx.spark().read().format(format).schema(schema).options(options).load(source.path());
    } catch (Exception e) {
      throw new MedallionException(
          "Table " + table.ref() + ": cannot read " + format + " files at " + source.path() + ": "
              + Runs.rootMessage(e) + ". Check pipeline." + table.ref() + ".source (path, format, options).",
          e);
    }
    return raw.select(
        functions.col("*"),
        functions.col("_metadata.file_path").as("_source_file"),
        functions.col("_metadata.file_size").as("_source_file_size"),
        functions.col("_metadata.file_modification_time").as("_source_file_modification_time"),
        functions.current_timestamp().as("_ingest_time"));
  }

  private static boolean permissive(Map<String, String> options) {
    return options.getOrDefault("mode", "PERMISSIVE").equalsIgnoreCase("PERMISSIVE");
  }

  private StructType schema(StageContext ctx, FileSource source, Map<String, String> options) {
    if (source.schema().isPresent()) {
      try {
        return StructType.fromDDL(source.schema().get());
      } catch (Exception e) {
        throw new MedallionException(
            "Table " + table.ref() + ": pipeline." + table.ref() + ".source.schema is not a valid"
                + " column list: " + Runs.rootMessage(e)
                + ". Expected DDL such as \"order_id STRING, amount DECIMAL(12,2)\".",
            e);
      }
    }
    try {
      StructType inferred =
          ctx.spark().read().format(source.format()).options(options).load(source.path()).schema();
      if (inferred.isEmpty()) {
        throw new IllegalStateException("no columns found");
      }
      return inferred;
    } catch (Exception e) {
      throw new MedallionException(
          "Table " + table.ref() + ": cannot infer the schema of the " + source.format()
              + " files at " + source.path() + " (" + Runs.rootMessage(e) + "). Declare it in"
              + " pipeline." + table.ref() + ".source.schema, e.g. schema = \"id STRING, amount"
              + " DOUBLE\", or land at least one file before the first run.",
          e);
    }
  }
}
