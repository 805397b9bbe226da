package io.medallion.connector.kinesis;

import static io.medallion.connector.kinesis.KinesisStreams.spark;

import io.medallion.testkit.KinesisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * Not part of the default build (no *Test suffix): an AvailableNow read of 50,000 100-byte
 * records from a 4-shard kinesalite stream into Delta, with the default rate limits and relaxed
 * ones. Run: mvn -B test -Dtest=KinesisThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 */
class KinesisThroughputBenchmark {
  private static final int RECORDS = 50_000;

  @Test
  void measure() throws Exception {
    try (KinesisServer kinesis = KinesisServer.start()) {
      kinesis.createStream("bench", 4);
      List<String> keys = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        keys.add("key-" + i);
        byte[] payload = new byte[100];
        Arrays.fill(payload, (byte) ('a' + i % 26));
        data.add(payload);
      }
      long t0 = System.nanoTime();
      kinesis.putAll("bench", keys, data);
      System.out.printf("put %,d records: %d ms%n", RECORDS, (System.nanoTime() - t0) / 1_000_000);
      // Warm up Spark and Delta on a tiny run first.
      run(kinesis, Map.of("maxRecordsPerTrigger", "10"), "warmup", true);
      run(kinesis, Map.of(), "defaults (maxFetchRate=1.0, minFetchPeriod=400ms)", false);
      run(kinesis, Map.of("maxFetchRate", "100", "minFetchPeriod", "5ms"),
          "relaxed (maxFetchRate=100, minFetchPeriod=5ms)", false);
      run(kinesis, Map.of("maxFetchRate", "100", "minFetchPeriod", "5ms"),
          "relaxed, noop sink (no Delta write)", false, "noop");
      rawReads(kinesis);
    }
  }

  /** GetRecords of every shard from one client, sequentially: what kinesalite serves. */
  private static void rawReads(KinesisServer kinesis) {
    long t0 = System.nanoTime();
    long n = 0;
    for (var shard : kinesis.shards("bench")) {
      String it = kinesis.client().getShardIterator(b -> b.streamName("bench")
          .shardId(shard.shardId()).shardIteratorType("TRIM_HORIZON")).shardIterator();
      while (it != null) {
        String current = it;
        var r = kinesis.client().getRecords(b -> b.shardIterator(current).limit(10_000));
        n += r.records().size();
        it = r.records().isEmpty() ? null : r.nextShardIterator();
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("raw GetRecords, one client, shards in sequence: %,d records in %d ms ="
        + " %,.0f records/s%n", n, ms, n * 1000.0 / ms);
  }

  private static void run(KinesisServer kinesis, Map<String, String> extra, String label,
      boolean once) throws Exception {
    run(kinesis, extra, label, once, "delta");
  }

  private static void run(KinesisServer kinesis, Map<String, String> extra, String label,
      boolean once, String sink) throws Exception {
    Path dir = Files.createTempDirectory("kinesis-bench-");
    long t0 = System.nanoTime();
    StreamingQuery query = spark().readStream().format("kinesis")
        .options(kinesis.sourceOptions("bench")).option("initialPosition", "trim_horizon")
        .options(extra).load()
        .writeStream().format(sink)
        .option("checkpointLocation", dir.resolve("ckpt").toString())
        .trigger(once ? Trigger.Once() : Trigger.AvailableNow())
        .start(dir.resolve("table").toString());
    query.awaitTermination();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long rows = sink.equals("delta")
        ? spark().read().format("delta").load(dir.resolve("table").toString()).count()
        : query.recentProgress()[0].numInputRows();
    Map<String, Long> durations = new TreeMap<>();
    for (StreamingQueryProgress p : query.recentProgress()) {
      p.durationMs().forEach((k, v) -> durations.merge(k, v, Long::sum));
    }
    System.out.printf("%s: %,d rows in %d ms = %,.0f rows/s; batches %d; durations %s%n", label,
        rows, ms, rows * 1000.0 / ms, query.recentProgress().length, durations);
  }
}
