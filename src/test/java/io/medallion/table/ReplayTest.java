package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.source.FileSource;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every sink write is idempotent per (table, batch), and the row a MERGE keeps per key is
 * deterministic (issue 15, item 6).
 */
@ExtendWith(MedallionExtension.class)
class ReplayTest {
  private static final TableSpec SPEC = new TableSpec(Optional.empty(), List.of(), java.util.Map.of());

  private static final java.util.concurrent.atomic.AtomicInteger CATALOGS = new java.util.concurrent.atomic.AtomicInteger();

  /** A table in a catalog of its own (Spark keeps a registered catalog for the session's life). */
  private static TableName table(Lakehouse lake, String name) {
    String catalog = "replay" + CATALOGS.incrementAndGet();
    WarehouseCatalog.register(lake.spark(), catalog, lake.root().resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", name);
  }

  private static Dataset<Row> rows(SparkSession spark, String values) {
    return spark.sql("SELECT * FROM VALUES " + values + " AS r(k, seq, v)");
  }

  private static List<String> contents(Lakehouse lake, TableName name) {
    return lake.table(name).orderBy("k").collectAsList().stream().map(Row::toString).toList();
  }

  @Test
  void aReplayedMergeBatchIsANoOp(Lakehouse lake) {
    TableName t = table(lake, "merged");
    Write merge = Write.merge(List.of("k"), Optional.of("seq"));
    Commit first = DeltaSink.write(rows(lake.spark(), "(1, 1, 'a')"), t, SPEC, merge, new Txn("app", 0));
    assertThat(first.committed()).isTrue();
    assertThat(first.rowsWritten()).isEqualTo(1);

    Commit replay = DeltaSink.write(rows(lake.spark(), "(1, 2, 'b'), (2, 1, 'c')"), t, SPEC, merge, new Txn("app", 0));
    assertThat(replay.committed()).isFalse();
    assertThat(replay.rowsWritten()).isZero();
    assertThat(contents(lake, t)).containsExactly("[1,1,a]");

    Commit next = DeltaSink.write(rows(lake.spark(), "(1, 2, 'b'), (2, 1, 'c')"), t, SPEC, merge, new Txn("app", 1));
    assertThat(next.committed()).isTrue();
    assertThat(next.rowsWritten()).isEqualTo(2);
    assertThat(contents(lake, t)).containsExactly("[1,2,b]", "[2,1,c]");
    // The identifier is not left in the session: a later MERGE without one is not skipped.
    DeltaSink.write(rows(lake.spark(), "(3, 1, 'd')"), t, SPEC, merge, Txn.NONE);
    assertThat(contents(lake, t)).hasSize(3);
  }

  @Test
  void aReplayedAppendIsANoOpAnsweredFromTheChecksumOrWithoutIt(Lakehouse lake) throws IOException {
    SparkSession spark = lake.spark();
    TableName t = table(lake, "appended");
    Write append = Write.append();
    Commit first = DeltaSink.write(rows(spark, "(1, 1, 'a')"), t, SPEC, append, new Txn("app", 0));
    assertThat(first.committed()).isTrue();
    assertThat(first.rowsWritten()).isEqualTo(1);

    // The replay check reads the transaction ids from the version's checksum file: no Spark job
    // (Delta's write option rebuilds the table's state for it, a job per new version).
    Commit[] replay = new Commit[1];
    int jobs = AppendRowsTest.jobs(spark,
        () -> replay[0] = DeltaSink.write(rows(spark, "(9, 9, 'z')"), t, SPEC, append, new Txn("app", 0)));
    assertThat(replay[0].committed()).isFalse();
    assertThat(replay[0].rowsWritten()).isZero();
    assertThat(jobs).as("Spark jobs of a replayed append").isZero();
    assertThat(contents(lake, t)).containsExactly("[1,1,a]");

    // Another writer's identifiers are its own; the next batch of ours is written once, with its count.
    assertThat(DeltaSink.write(rows(spark, "(2, 1, 'b')"), t, SPEC, append, new Txn("other", 0)).committed()).isTrue();
    Commit next = DeltaSink.write(rows(spark, "(3, 1, 'c'), (4, 1, 'd')"), t, SPEC, append, new Txn("app", 1));
    assertThat(next.committed()).isTrue();
    assertThat(next.rowsWritten()).isEqualTo(2);
    assertThat(DeltaSink.write(rows(spark, "(9, 9, 'z')"), t, SPEC, append, new Txn("app", 1)).committed()).isFalse();
    assertThat(DeltaSink.write(rows(spark, "(9, 9, 'z')"), t, SPEC, append, new Txn("other", 0)).committed()).isFalse();
    assertThat(contents(lake, t)).containsExactly("[1,1,a]", "[2,1,b]", "[3,1,c]", "[4,1,d]");
    assertThat(spark.sql("DESCRIBE HISTORY " + t.quoted()).where("operation = 'WRITE'").count()).isEqualTo(3);

    // Without the checksum (a writer that died before writing it), Delta's own check answers.
    Path log = Path.of(DeltaSink.deltaLog(spark, t).logPath().toUri());
    try (var files = Files.list(log)) {
      for (Path crc : files.filter(f -> f.getFileName().toString().endsWith(".crc")).toList()) {
        Files.delete(crc);
      }
    }
    org.apache.spark.sql.delta.DeltaLog.clearCache(); // the snapshot in memory holds the checksum it read
    assertThat(DeltaSink.write(rows(spark, "(9, 9, 'z')"), t, SPEC, append, new Txn("app", 1)).committed()).isFalse();
    Commit after = DeltaSink.write(rows(spark, "(5, 1, 'e')"), t, SPEC, append, new Txn("app", 2));
    assertThat(after.committed()).isTrue();
    assertThat(after.rowsWritten()).isEqualTo(1);
    assertThat(contents(lake, t)).containsExactly("[1,1,a]", "[2,1,b]", "[3,1,c]", "[4,1,d]", "[5,1,e]");
  }

  @Test
  void theRowKeptPerKeyIsTheSameWhateverTheInputOrder(Lakehouse lake) {
    // Ties on sequence-by (and no sequence-by at all): the row whose JSON text sorts last wins.
    String[] orders = {"(1, 5, 'x'), (1, 5, 'y'), (1, 4, 'z')", "(1, 4, 'z'), (1, 5, 'y'), (1, 5, 'x')"};
    for (int i = 0; i < orders.length; i++) {
      TableName bySeq = table(lake, "tie_" + i);
      Dataset<Row> input = rows(lake.spark(), orders[i]).repartition(3);
      DeltaSink.write(input, bySeq, SPEC, Write.merge(List.of("k"), Optional.of("seq")), new Txn("t", 0));
      assertThat(contents(lake, bySeq)).containsExactly("[1,5,y]");

      TableName noSeq = table(lake, "noseq_" + i);
      DeltaSink.write(input, noSeq, SPEC, Write.merge(List.of("k"), Optional.empty()), new Txn("t", 0));
      assertThat(contents(lake, noSeq)).containsExactly("[1,5,y]");
    }
  }

  @Test
  void aReplayedSilverBatchIsNotWrittenOrCountedTwice(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("orders");
    Files.createDirectories(landing);
    Files.writeString(landing.resolve("a.json"),
        "{\"id\": \"1\", \"n\": 1}\n{\"id\": \"2\", \"n\": 1}\n{\"id\": \"1\", \"n\": 2}\n");
    PipelineDefinition p = PipelineBuilder.pipeline("replay").schema("s")
        .bronze("orders", FileSource.of(landing.toString(), "json"), b -> b.trigger(Trigger.availableNow()))
        .silver("orders", s -> s.from("bronze.orders").keys("id").sequenceBy("n")
            .sql("SELECT id, n FROM {bronze.orders}"))
        .build();
    Environment env = lake.environment(landing.toString());
    lake.run(p, env);
    TableRef silver = TableRef.parse("silver.orders");
    TableName name = env.tableName(p, silver);
    long version = lake.spark().sql("DESCRIBE HISTORY " + name.quoted()).count();

    // A crash after the MERGE committed and before the checkpoint recorded it: Spark runs the batch again.
    // The run had not finished either, so it had not recorded the table's inputs (which would skip it).
    Files.delete(Path.of(env.checkpointOf(p, silver), "_medallion_inputs"));
    Path commits = Path.of(env.checkpointOf(p, silver), "commits");
    Files.delete(commits.resolve("0"));
    Files.deleteIfExists(commits.resolve(".0.crc"));
    assertThat(lake.run(p, env).table(silver).orElseThrow().rowsWritten()).isZero();

    assertThat(lake.spark().sql("DESCRIBE HISTORY " + name.quoted()).count()).isEqualTo(version);
    assertThat(lake.table(name).orderBy("id").collectAsList()).extracting(Row::toString)
        .containsExactly("[1,2]", "[2,1]");
    List<Row> progress = lake.spark().sql(
        "SELECT details.flow_progress.status, details.flow_progress.metrics.num_output_rows FROM "
            + env.eventLogTable(p).orElseThrow().quoted()
            + " WHERE event_type = 'flow_progress' AND origin.dataset_name = 'silver.orders'"
            + " AND origin.batch_id = 0 ORDER BY timestamp").collectAsList();
    assertThat(progress).extracting(Row::toString).containsExactly("[COMPLETED,2]", "[SKIPPED,0]");
  }
}
