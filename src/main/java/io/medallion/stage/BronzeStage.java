package io.medallion.stage;

import io.medallion.MedallionException;
import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.source.FileSource;
import io.medallion.source.SourceContext;
import io.medallion.source.SourceReader;
import io.medallion.table.Write;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Bronze: a source's records as they arrived plus ingest metadata, appended to Delta. Sources are
 * read by their {@link SourceReader} (Kafka and Kinesis: value decoding, {@code _kafka_*} /
 * {@code _kinesis_*} columns); files as below.
 *
 * <p>Files are read with Auto Loader when streaming, which adds {@code
 * _source_file}, {@code _source_file_size}, {@code _source_file_modification_time} and {@code
 * _ingest_time}; records that do not fit are kept in {@code _rescued_data}, so no input is silently
 * lost. When Auto Loader stops a stream because files brought new columns ({@code addNewColumns}),
 * the stage starts the stream again, which then reads with the evolved schema: the user does not
 * restart anything (at most {@value #SCHEMA_RESTARTS} times per run).
 */
final class BronzeStage implements Stage {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BronzeStage.class);
  static final int SCHEMA_RESTARTS = 20;
  private static final String POOL = "spark.scheduler.pool";

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
    if (table.execution() == Execution.STREAMING && table.source() instanceof FileSource) {
      return restartingOnNewColumns(ctx);
    }
    return start(ctx);
  }

  /** Runs the file stream, starting it again each time Auto Loader stopped it for new columns. */
  private StageRun restartingOnNewColumns(StageContext ctx) {
    StageRun first = start(ctx);
    // A stream's thread takes the scheduler pool of the thread that starts it; a restart happens on
    // whichever thread awaits the run (a continuous run's waiter), so it starts in the table's pool.
    SparkContext sc = ctx.spark().sparkContext();
    String pool = sc.getLocalProperty(POOL);
    return new StageRun() {
      private volatile StageRun current = first;
      private volatile boolean stopped;

      @Override
      public StageResult await() {
        Instant began = Instant.now();
        for (int restarts = 0; ; restarts++) {
          try {
            StageResult r = current.await();
            // Rows counted are the last start's (batches committed before a stop are in the event log).
            return new StageResult(r.ref(), r.name(), r.rowsRead(), r.rowsWritten(),
                Duration.between(began, Instant.now()), r.quality());
          } catch (MedallionException e) {
            if (!newColumns(e) || restarts >= SCHEMA_RESTARTS || stopped) {
              throw e;
            }
            LOG.warn("Table {}: the files brought new columns; the stream starts again with the"
                + " evolved schema ({})", table.ref(), Runs.rootMessage(e));
            String callers = sc.getLocalProperty(POOL);
            sc.setLocalProperty(POOL, pool);
            try {
              current = start(ctx);
            } finally {
              sc.setLocalProperty(POOL, callers);
            }
          }
        }
      }

      @Override
      public boolean continuous() {
        return first.continuous();
      }

      @Override
      public void stop() {
        stopped = true;
        current.stop();
      }
    };
  }

  /** True when a failure is Auto Loader's stop for new columns (ours or the Databricks Runtime's). */
  static boolean newColumns(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String msg = String.valueOf(t.getMessage());
      if (msg.contains("[CLOUD_FILES_NEW_COLUMNS]") && msg.contains("addNewColumns the stream stops")
          || msg.contains("UNKNOWN_FIELD_EXCEPTION") || t.getClass().getSimpleName().equals("UnknownFieldException")) {
        return true;
      }
    }
    return false;
  }

  private StageRun start(StageContext ctx) {
    Instant start = Instant.now();
    boolean streaming = table.execution() == Execution.STREAMING;
    SourceReader source = reader(ctx);
    try {
      source.prepare();
      Dataset<Row> rows = source.read(streaming);
      TableWriter writer = new TableWriter(ctx, table, rows, streaming ? Write.appendEvolvingSchema() : Write.replace());
      if (!streaming) {
        return Runs.batch(table, rows, writer, start, -1);
      }
      StageRun run = Runs.stream(ctx, table, table.trigger(), rows, writer, start,
          source.watch(Runs.queryName(ctx, table.ref())));
      source = null; // closed when the query ends
      return run;
    } catch (Exception e) {
      throw Runs.failure(ctx, table.ref(), e);
    } finally {
      if (source != null) {
        source.close();
      }
    }
  }

  private SourceReader reader(StageContext ctx) {
    return SourceReader.of(
        new SourceContext(ctx.spark(), ctx.platform(), ctx.checkpointOf(table.ref())), table.ref(), table.source());
  }

  /** The source rows with metadata columns, streaming or batch. */
  Dataset<Row> read(StageContext ctx, boolean streaming) {
    return reader(ctx).read(streaming);
  }
}
