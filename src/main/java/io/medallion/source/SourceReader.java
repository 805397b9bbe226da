package io.medallion.source;

import io.medallion.pipeline.SourceDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.source.internal.Readers;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;

/**
 * Reads a bronze table's source: its records plus ingest metadata columns ({@code _source_file*},
 * {@code _kafka_*}, {@code _kinesis_*}, {@code _ingest_time}), as a streaming or a batch DataFrame.
 * The readers of files, Kafka and Kinesis sit behind this interface in {@code source.internal}.
 *
 * <p>A reader used for a run is {@link #prepare() prepared} first (a Kafka source checks that its
 * topics exist), {@link #watch watches} the query that reads it (a Kafka source commits the offsets
 * of finished micro-batches to a consumer group), and is {@link #close() closed} when the query
 * ends.
 */
public interface SourceReader extends AutoCloseable {
  /** The reader of a source definition. */
  static SourceReader of(SourceContext ctx, TableRef ref, SourceDefinition source) {
    return Readers.of(ctx, ref, source);
  }

  /**
   * The source's rows with ingest metadata.
   *
   * @param streaming a streaming DataFrame (incremental, with the table's checkpoint) or a batch one
   *     (everything there is now)
   * @throws io.medallion.MedallionException naming the table and the config path when the source
   *     cannot be opened
   */
  Dataset<Row> read(boolean streaming);

  /** Checks, before data moves, what only a run needs (Kafka: the topics exist). */
  default void prepare() {}

  /**
   * Starts watching the streaming query of the given name; returns what to do once it ended (however
   * it ended). The returned action also closes this reader.
   */
  default Consumer<StreamingQuery> watch(String queryName) {
    return q -> close();
  }

  /** Releases clients the reader holds; idempotent. */
  @Override
  default void close() {}
}
