package io.medallion.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.Environment;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.run.TableResult;
import io.medallion.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * The Kafka bronze benchmark of issue 4: one JVM, one in-process KRaft broker, one topic, one
 * session, the variants side by side.
 *
 * <ul>
 *   <li>a: hand-written {@code readStream.format("kafka") ... from_json(value) ... select("v.*")
 *       ... writeStream.format("delta")} with {@code Trigger.AvailableNow}
 *   <li>a2: a, also keeping the record's key (as a string), topic, partition, offset and timestamp,
 *       as bronze does (a fairer baseline)
 *   <li>b: medallion's bronze stage ({@code KafkaSource.json}) run with {@code PipelineRunner}, default
 *       settings (available-now, event log on), a fresh environment (catalogs, checkpoints) per run
 *   <li>a3 (diagnostic): the columns b writes, by hand with Spark's Delta sink
 *   <li>bo (diagnostic): b with the event log off
 * </ul>
 *
 * <p>The topic is filled once ({@code --messages} JSON order events of ~200 bytes, deterministic,
 * keyed by order id) with a producer tuned for throughput. Each variant runs {@code --warmup}
 * rounds, then {@code --rounds} measured rounds, interleaved (a, a2, b, a, a2, b, ...). Every run
 * reads the whole topic from the earliest offsets into fresh tables and checkpoints and must write
 * exactly {@code --messages} rows, every one with a parsed order id and event time (the run fails
 * otherwise); the tables are deleted after they are counted (outside the timing).
 *
 * <p>Reported per variant: median wall time (from the first Spark call to the end of the query, or
 * of {@code PipelineRunner.run}), min-max, ratios to a and a2, records/s, CPU seconds, the share of
 * the cores other processes used, micro-batches and input rows from the queries' progress, the sum
 * of each {@code durationMs} phase, the time outside the triggers (set-up and tear-down), Spark
 * jobs and the written table's size.
 *
 * <p>Arguments ({@code --name value}): {@code rounds} 3, {@code warmup} 1, {@code variants a,a2,b},
 * {@code messages} 1000000, {@code partitions} 2, {@code compression} lz4 (the producer's:
 * {@code none}, {@code lz4}, {@code snappy}, ...), {@code work} target/bench/kafka/work,
 * {@code results} target/bench/kafka/results.md, {@code quiet-share} 0.15 and {@code quiet-wait}
 * 60 (before each run wait, at most that many seconds, until other processes use less than that
 * share of the cores), {@code job-log} false (print each measured run's Spark jobs).
 */
public final class KafkaBenchmark {
  static final String TOPIC = "orders";
  static final String DDL = "order_id STRING, customer_id BIGINT, event_time TIMESTAMP, status STRING, "
      + "amount DECIMAL(10,2), currency STRING, items INT, country STRING, channel STRING, express BOOLEAN";
  private static final String[] STATUS = {"CREATED", "PAID", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED"};
  private static final String[] CURRENCY = {"EUR", "USD", "GBP", "CHF", "SEK"};
  private static final String[] COUNTRY = {"DE", "FR", "NL", "US", "GB", "CH", "SE", "ES", "IT", "PL"};
  private static final String[] CHANNEL = {"web", "mobile", "store", "partner"};
  private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

  private final SparkSession spark;
  private final Args args;
  private final KafkaBroker kafka;
  private final JobCounter jobs = new JobCounter();
  private final ProgressLog progress = new ProgressLog();
  private final Map<String, List<Run>> runs = new LinkedHashMap<>();
  private String produced = "";

  private KafkaBenchmark(SparkSession spark, Args args, KafkaBroker kafka) {
    this.spark = spark;
    this.args = args;
    this.kafka = kafka;
    spark.sparkContext().addSparkListener(jobs);
    spark.streams().addListener(progress);
  }

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    long t0 = System.nanoTime();
    Bench.deleteTree(args.work);
    SparkSession spark = Bench.session("medallion-bench-kafka", 2);
    try (KafkaBroker kafka = KafkaBroker.start()) {
      new KafkaBenchmark(spark, args, kafka).run(t0);
    } finally {
      spark.stop();
    }
  }

  private void run(long t0) {
    System.out.printf(Locale.ROOT, "kafka benchmark: broker %s, topic %s (%d partitions), %,d messages, variants %s, %d warm-up + %d measured rounds%n",
        kafka.bootstrapServers(), TOPIC, args.partitions, args.messages, args.variants, args.warmup, args.rounds);
    kafka.createTopic(TOPIC, args.partitions);
    produced = produce();
    System.out.println(produced);
    for (int round = 1 - args.warmup; round <= args.rounds; round++) {
      for (String v : args.variants) {
        Run r = runVariant(v, round);
        System.out.printf(Locale.ROOT, "%s %-2s %6.2f s  %,7.0f rec/s  cpu %6.1f s  others %3.0f%%%s  batches %d  triggers %5.2f s  outside %5.2f s  %s  jobs %d  %.1f MB%n",
            round <= 0 ? "warm-up " : "round " + round + " ", v, r.seconds, args.messages / r.seconds, r.cpuSeconds,
            100 * r.foreignShare, r.waited < 0 ? " (never quiet)" : "", r.batches, r.triggerSeconds(),
            r.seconds - r.triggerSeconds(), durations(r.durations), r.jobs, r.bytes / 1e6);
        if (round > 0) {
          runs.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
        }
      }
    }
    Bench.writeReport(args.results, report(Duration.ofNanos(System.nanoTime() - t0)));
  }

  // ---------------------------------------------------------------------------------------------
  // The topic

  /**
   * Fills the topic: keys are order ids, values JSON order events, the same on every machine.
   * Producer: acks=1, linger 20 ms, 1 MB batches, the {@code --compression} codec (lz4 by default:
   * what a throughput-tuned producer uses; the consumer side pays its decompression in every variant).
   */
  private String produce() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L << 20));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, args.compression);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    long start = System.nanoTime();
    long valueBytes = 0;
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (long i = 0; i < args.messages; i++) {
        String key = orderId(i);
        byte[] value = message(i).getBytes(StandardCharsets.UTF_8);
        valueBytes += value.length;
        producer.send(new ProducerRecord<>(TOPIC, key.getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing the benchmark's messages failed", failure.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<Integer, Long> ends = kafka.endOffsets(TOPIC);
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    if (total != args.messages) {
      throw new IllegalStateException("the topic holds " + total + " records, expected " + args.messages + ": " + ends);
    }
    return String.format(Locale.ROOT,
        "produced %,d messages (values %.1f MB, %.0f bytes on average; keys 12 bytes) in %.1f s (%,.0f msg/s), %s compression; per partition %s",
        args.messages, valueBytes / 1e6, (double) valueBytes / args.messages, seconds, args.messages / seconds,
        args.compression, ends);
  }

  static String orderId(long i) {
    return String.format(Locale.ROOT, "o-%010d", i);
  }

  /** Message {@code i}: an order event, ~200 bytes of JSON, a function of {@code i} only. */
  static String message(long i) {
    SplittableRandom r = new SplittableRandom(0x5eed_0000L + i);
    Instant at = EPOCH.plusMillis(i * 50 + r.nextInt(50));
    long cents = 100 + r.nextLong(250_000);
    return "{\"order_id\":\"" + orderId(i) + "\""
        + ",\"customer_id\":" + (1_000_000 + r.nextInt(9_000_000))
        + ",\"event_time\":\"" + DateTimeFormatter.ISO_INSTANT.format(at) + "\""
        + ",\"status\":\"" + STATUS[r.nextInt(STATUS.length)] + "\""
        + ",\"amount\":" + cents / 100 + "." + String.format(Locale.ROOT, "%02d", cents % 100)
        + ",\"currency\":\"" + CURRENCY[r.nextInt(CURRENCY.length)] + "\""
        + ",\"items\":" + (1 + r.nextInt(12))
        + ",\"country\":\"" + COUNTRY[r.nextInt(COUNTRY.length)] + "\""
        + ",\"channel\":\"" + CHANNEL[r.nextInt(CHANNEL.length)] + "\""
        + ",\"express\":" + r.nextBoolean()
        + "}";
  }

  // ---------------------------------------------------------------------------------------------
  // The variants

  private Run runVariant(String variant, int round) {
    String id = variant + "_" + (round <= 0 ? "w" + (1 - round) : "r" + round);
    Path dir = args.work.resolve(id);
    int progressBefore = progress.size();
    Bench.Measured<Outcome> m = Bench.measure(spark, jobs, args.quietShare, args.quietWait, () ->
        switch (variant) {
          case "a" -> handWritten(dir, false);
          case "a2" -> handWritten(dir, true);
          case "a3" -> bronzeColumnsByHand(dir);
          case "b" -> medallion(id, dir, true);
          case "bo" -> medallion(id, dir, false);
          default -> throw new IllegalArgumentException("unknown variant " + variant);
        });
    List<StreamingQueryProgress> batches = progress.since(progressBefore);
    Map<String, Long> durations = new LinkedHashMap<>();
    long inputRows = 0;
    for (StreamingQueryProgress p : batches) {
      inputRows += p.numInputRows();
      p.durationMs().forEach((k, v) -> durations.merge(k, v, Long::sum));
    }
    check(variant, m.value().table.get(), inputRows);
    Row detail = spark.sql("DESCRIBE DETAIL " + m.value().detailTarget).select("numFiles", "sizeInBytes").first();
    if (args.jobLog && round > 0) {
      m.jobLog(jobs).forEach(System.out::println);
    }
    Bench.deleteTree(dir);
    return new Run(m.seconds(), m.cpuSeconds(), m.foreignShare(), m.waited(), batches.size(),
        inputRows, durations, m.jobs().jobs(), m.jobs().tasks(), detail.getLong(0), detail.getLong(1));
  }

  /** Every message arrived once, decoded: fails the benchmark loudly otherwise. */
  private void check(String variant, Dataset<Row> table, long inputRows) {
    Row c = table.agg(expr("count(*)"), expr("count_if(order_id IS NULL)"), expr("count_if(event_time IS NULL)"),
        expr("count(DISTINCT order_id)")).first();
    if (c.getLong(0) != args.messages || c.getLong(1) != 0 || c.getLong(2) != 0 || c.getLong(3) != args.messages
        || inputRows != args.messages) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "variant %s wrote %,d rows (%,d distinct order ids, %,d without order_id, %,d without event_time),"
              + " its queries reported %,d input rows; expected %,d of each",
          variant, c.getLong(0), c.getLong(3), c.getLong(1), c.getLong(2), inputRows, args.messages));
    }
  }

  /** a (and a2, with the record's coordinates): what a user writes by hand. */
  private Outcome handWritten(Path dir, boolean coordinates) {
    StructType schema = StructType.fromDDL(DDL);
    Dataset<Row> records = kafkaStream(false);
    Dataset<Row> rows = coordinates
        ? records.select(from_json(col("value").cast("string"), schema).as("v"),
                col("key").cast("string").as("_kafka_key"), col("topic").as("_kafka_topic"),
                col("partition").as("_kafka_partition"), col("offset").as("_kafka_offset"),
                col("timestamp").as("_kafka_timestamp"))
            .select("v.*", "_kafka_key", "_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp")
        : records.select(from_json(col("value").cast("string"), schema).as("v")).select("v.*");
    return toDelta(rows, dir);
  }

  /**
   * a3 (diagnostic): the columns medallion's bronze writes (as {@code KafkaInput} builds them:
   * headers, timestamp type, ingest time, rescued data), by hand with Spark's plain Delta sink; so b
   * minus a3 is the cost of the stage's machinery and a3 minus a2 that of the extra columns.
   */
  private Outcome bronzeColumnsByHand(Path dir) {
    StructType schema = StructType.fromDDL(DDL).add("_corrupt_record", "string");
    Dataset<Row> records = kafkaStream(true).withColumn("__v", from_json(col("value").cast("string"), schema,
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", "_corrupt_record")));
    List<Column> cols = new ArrayList<>();
    for (String f : StructType.fromDDL(DDL).fieldNames()) {
      cols.add(col("__v").getField(f).as(f));
    }
    Column corrupt = col("__v").getField("_corrupt_record");
    cols.add(when(corrupt.isNotNull(), to_json(struct(corrupt.as("_value"), col("topic").as("_topic"),
        col("partition").as("_partition"), col("offset").as("_offset")))).as("_rescued_data"));
    cols.add(col("key").cast("string").as("_kafka_key"));
    cols.add(col("topic").as("_kafka_topic"));
    cols.add(col("partition").as("_kafka_partition"));
    cols.add(col("offset").as("_kafka_offset"));
    cols.add(col("timestamp").as("_kafka_timestamp"));
    cols.add(col("timestampType").as("_kafka_timestamp_type"));
    cols.add(col("headers").as("_kafka_headers"));
    cols.add(current_timestamp().as("_ingest_time"));
    return toDelta(records.select(cols.toArray(new Column[0])), dir);
  }

  /** The whole topic from its earliest offsets, as Spark's Kafka source reads it. */
  private Dataset<Row> kafkaStream(boolean headers) {
    return spark.readStream().format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrapServers())
        .option("subscribe", TOPIC)
        .option("startingOffsets", "earliest")
        .option("includeHeaders", String.valueOf(headers))
        .load();
  }

  /** Spark's Delta sink, AvailableNow, a fresh table and checkpoint under {@code dir}; waits for the end. */
  private Outcome toDelta(Dataset<Row> rows, Path dir) {
    String path = dir.resolve("bronze").toString();
    try {
      rows.writeStream().format("delta")
          .option("checkpointLocation", dir.resolve("checkpoint").toString())
          .trigger(Trigger.AvailableNow())
          .start(path)
          .awaitTermination();
    } catch (Exception e) {
      throw new IllegalStateException("hand-written Kafka job failed: " + e.getMessage(), e);
    }
    return new Outcome(() -> spark.read().format("delta").load(path), "delta.`" + path + "`");
  }

  /** b: medallion's bronze stage through PipelineRunner, in an environment of its own. */
  private Outcome medallion(String id, Path dir, boolean eventLog) {
    String prefix = "kb_" + id.toLowerCase(Locale.ROOT);
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      catalogs.put(layer, prefix + "_" + layer.key());
    }
    Environment env = new Environment("bench", Environment.PlatformChoice.OSS, catalogs,
        dir.resolve("warehouse").toString(), dir.resolve("checkpoints").toString(), dir.resolve("landing").toString(),
        Optional.empty(), Map.of(), eventLog ? Environment.EVENT_LOG_AUTO : Environment.EVENT_LOG_OFF);
    KafkaSource source = KafkaSource.json(kafka.bootstrapServers(), List.of(TOPIC), DDL)
        .withOption("startingOffsets", "earliest");
    PipelineDefinition pipeline = PipelineBuilder.pipeline("bench").schema("k").bronze("events", source).build();
    RunResult result = new PipelineRunner(spark, pipeline, env).run(RunOptions.all());
    TableResult t = result.tables().get(0);
    String name = t.name().toString();
    return new Outcome(() -> spark.table(name), name);
  }

  // ---------------------------------------------------------------------------------------------
  // The report

  private String report(Duration total) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "Kafka bronze benchmark: %,d messages in a %d-partition topic (in-process KRaft broker, Kafka 3.4.1), Trigger.AvailableNow;%n"
            + "%d measured rounds (+%d warm-up), interleaved; %s%n%s%n%n",
        args.messages, args.partitions, args.rounds, args.warmup, Bench.machine(spark), produced));
    double a = median("a", Run::seconds);
    double a2 = median("a2", Run::seconds);
    b.append("| variant | wall s (median) | min-max | spread | wall / a | wall / a2 | records/s (median) | CPU s (median) | others' CPU (max) | batches | Spark jobs | table MB |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String v : args.variants) {
      List<Run> rs = runs.get(v);
      double m = median(v, Run::seconds);
      double min = rs.stream().mapToDouble(Run::seconds).min().orElse(0);
      double max = rs.stream().mapToDouble(Run::seconds).max().orElse(0);
      Run last = rs.get(rs.size() - 1);
      b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f-%.2f | %.0f%% | %s | %s | %,.0f | %.1f | %.0f%% | %d | %d | %.1f |%n",
          label(v), m, min, max, 100 * (max - min) / m, Bench.ratio(m, a), Bench.ratio(m, a2), args.messages / m,
          median(v, Run::cpuSeconds), 100 * rs.stream().mapToDouble(Run::foreignShare).max().orElse(0),
          last.batches, last.jobs, last.bytes / 1e6));
    }
    b.append("\nWhere the time goes (median seconds per run): the queries' `durationMs` summed over their micro-batches,"
        + " and the wall time outside the triggers (set-up before the first trigger, tear-down after the last)\n\n");
    List<String> keys = runs.values().stream().flatMap(List::stream).flatMap(r -> r.durations.keySet().stream())
        .distinct().filter(k -> !k.equals("triggerExecution")).sorted().toList();
    b.append("| variant | wall | triggerExecution | outside triggers | ")
        .append(String.join(" | ", keys)).append(" |\n|---|---:|---:|---:|")
        .append(" ---:|".repeat(keys.size())).append('\n');
    for (String v : args.variants) {
      b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |", v, median(v, Run::seconds),
          median(v, Run::triggerSeconds), median(v, r -> r.seconds - r.triggerSeconds())));
      for (String k : keys) {
        b.append(String.format(Locale.ROOT, " %.2f |", median(v, r -> r.durations.getOrDefault(k, 0L) / 1000.0)));
      }
      b.append('\n');
    }
    b.append("\nEvery run: ").append(args.messages).append(" rows written and read back, each order id once.\n");
    b.append(String.format(Locale.ROOT, "Total benchmark time %.0f s.%n", total.toMillis() / 1000.0));
    return b.toString();
  }

  private static String label(String v) {
    return switch (v) {
      case "a" -> "a  hand-written kafka -> from_json -> delta";
      case "a2" -> "a2 a + key, topic, partition, offset, timestamp";
      case "a3" -> "a3 a2 + bronze's other columns, by hand";
      case "b" -> "b  medallion bronze (PipelineRunner, defaults)";
      case "bo" -> "bo b with the event log off";
      default -> v;
    };
  }

  private double median(String v, java.util.function.ToDoubleFunction<Run> f) {
    List<Run> rs = runs.get(v);
    return rs == null ? Double.NaN : Bench.medianOf(rs.stream().map(r -> f.applyAsDouble(r)).toList());
  }

  private static String durations(Map<String, Long> d) {
    return d.entrySet().stream().filter(e -> e.getValue() >= 50 && !e.getKey().equals("triggerExecution"))
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / 1000.0))
        .collect(Collectors.joining(", ", "(", ")"));
  }

  /**
   * @param table the written rows (read back after the run)
   * @param detailTarget what {@code DESCRIBE DETAIL} takes for the table
   */
  private record Outcome(java.util.function.Supplier<Dataset<Row>> table, String detailTarget) {}

  /**
   * One run of one variant.
   *
   * @param seconds wall time
   * @param cpuSeconds CPU time of this JVM meanwhile (all threads, the broker's included)
   * @param foreignShare share of the machine's cores other processes used meanwhile
   * @param waited seconds waited for a quiet machine before the run (negative: it never got quiet)
   * @param durations the progress's {@code durationMs}, summed over the run's micro-batches
   */
  private record Run(double seconds, double cpuSeconds, double foreignShare, double waited, int batches, long inputRows,
      Map<String, Long> durations, long jobs, long tasks, long files, long bytes) {
    double triggerSeconds() {
      return durations.getOrDefault("triggerExecution", 0L) / 1000.0;
    }
  }

  /** Every micro-batch progress of every query, in arrival order. */
  static final class ProgressLog extends StreamingQueryListener {
    private final List<StreamingQueryProgress> all = new ArrayList<>();

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public synchronized void onQueryProgress(QueryProgressEvent event) {
      all.add(event.progress());
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}

    synchronized int size() {
      return all.size();
    }

    synchronized List<StreamingQueryProgress> since(int from) {
      return new ArrayList<>(all.subList(from, all.size()));
    }
  }

  private record Args(Path work, Path results, int rounds, int warmup, List<String> variants, long messages,
      int partitions, String compression, double quietShare, double quietWait, boolean jobLog) {
    static Args parse(String[] argv) {
      Map<String, String> m = Bench.options(argv, List.of("work", "results", "rounds", "warmup", "variants",
          "messages", "partitions", "compression", "quiet-share", "quiet-wait", "job-log"));
      return new Args(
          Path.of(m.getOrDefault("work", "target/bench/kafka/work")).toAbsolutePath(),
          Path.of(m.getOrDefault("results", "target/bench/kafka/results.md")).toAbsolutePath(),
          Integer.parseInt(m.getOrDefault("rounds", "3")),
          Integer.parseInt(m.getOrDefault("warmup", "1")),
          List.of(m.getOrDefault("variants", "a,a2,b").split(",")),
          Long.parseLong(m.getOrDefault("messages", "1000000")),
          Integer.parseInt(m.getOrDefault("partitions", "2")),
          m.getOrDefault("compression", "lz4"),
          Double.parseDouble(m.getOrDefault("quiet-share", "0.15")),
          Double.parseDouble(m.getOrDefault("quiet-wait", "60")),
          Boolean.parseBoolean(m.getOrDefault("job-log", "false")));
    }
  }
}
