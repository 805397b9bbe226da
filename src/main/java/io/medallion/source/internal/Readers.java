package io.medallion.source.internal;

import io.medallion.pipeline.SourceDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.source.FileSource;
import io.medallion.source.KafkaSource;
import io.medallion.source.KinesisSource;
import io.medallion.source.SourceContext;
import io.medallion.source.SourceReader;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/** The {@link SourceReader} of each kind of source. */
public final class Readers {
  private Readers() {}

  /** The reader of a source definition. */
  public static SourceReader of(SourceContext ctx, TableRef ref, SourceDefinition source) {
    if (source instanceof KafkaSource k) {
      return new Kafka(ctx, ref, k);
    }
    if (source instanceof KinesisSource k) {
      return streaming -> KinesisInput.read(ctx, ref, k);
    }
    if (source instanceof FileSource f) {
      return streaming -> FileInput.read(ctx, ref, f, streaming);
    }
    throw SourceReadErrors.noReader(ref, source);
  }

  /** Kafka: checks topics before a run and, with commit-offsets-to-group, commits finished batches. */
  private static final class Kafka implements SourceReader {
    private final SourceContext ctx;
    private final TableRef ref;
    private final KafkaSource source;
    private KafkaAdmin admin;

    Kafka(SourceContext ctx, TableRef ref, KafkaSource source) {
      this.ctx = ctx;
      this.ref = ref;
      this.source = source;
    }

    @Override
    public Dataset<Row> read(boolean streaming) {
      return KafkaInput.read(ctx, ref, source, streaming);
    }

    @Override
    public void prepare() {
      admin = KafkaAdmin.open(ref, source, ctx.platform(), System.getenv());
      admin.preflight();
    }

    @Override
    public Consumer<StreamingQuery> watch(String queryName) {
      Optional<String> group = source.commitOffsetsToGroup();
      if (admin == null || group.isEmpty()) {
        return q -> close();
      }
      KafkaAdmin kafka = admin;
      StreamingQueryListener listener = kafka.committer(queryName, group.get());
      ctx.spark().streams().addListener(listener);
      return q -> {
        try {
          if (q.exception().isEmpty()) {
            kafka.commitProgress(group.get(), q.lastProgress());
          }
        } finally {
          ctx.spark().streams().removeListener(listener);
          close();
        }
      };
    }

    @Override
    public synchronized void close() {
      if (admin != null) {
        admin.close();
        admin = null;
      }
    }
  }
}
