package io.medallion.kafka;

import io.medallion.config.PipelineBuilder;
import static io.medallion.kafka.KafkaBronzeTest.allOffsets;
import static io.medallion.kafka.KafkaBronzeTest.coordinates;
import static io.medallion.kafka.KafkaBronzeTest.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.testkit.ChildJvm;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every record lands exactly once when the stream is stopped mid-way, when the JVM running it is
 * killed, and when the broker restarts under it.
 */
@ExtendWith(MedallionExtension.class)
class KafkaExactlyOnceTest extends KafkaTestBase {

  static final int CATCH_UP_PER_TRIGGER = 1000;

  static PipelineDefinition pipeline(String topic, Trigger trigger, int maxOffsetsPerTrigger) {
    KafkaSource source = KafkaSource.json(kafka.bootstrapServers(), List.of(topic), KafkaBronzeTest.SCHEMA)
        .withOption("maxOffsetsPerTrigger", String.valueOf(maxOffsetsPerTrigger));
    return PipelineBuilder.pipeline("kafka").schema("k").bronze("events", source, b -> b.trigger(trigger)).build();
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  /** Rows committed so far, from the Delta log (no Spark job, so polling does not slow the stream). */
  static long rows(SparkSession spark, TableName table) {
    try {
      return DeltaTables.rowsWrittenSince(spark, table, OptionalLong.empty());
    } catch (Exception e) {
      return 0; // not created yet
    }
  }

  static StreamingQuery active(SparkSession spark) {
    for (StreamingQuery q : spark.streams().active()) {
      if (q.name() != null && q.name().endsWith(EVENTS.toString())) {
        return q;
      }
    }
    return null;
  }

  @Test
  void stoppedMidStreamThenRestartedHoldsEveryRecordOnce(Lakehouse lake) throws Exception {
    kafka.createTopic("stopped", 2);
    kafka.send("stopped", events(0, 3000));
    Environment env = lake.environment();
    PipelineDefinition continuous = pipeline("stopped", Trigger.processingTime(Duration.ofMillis(200)), 250);
    TableName table = env.tableName(continuous, EVENTS);

    CompletableFuture<?> run = CompletableFuture.runAsync(() -> lake.run(continuous, env));
    try {
      await("a few micro-batches", Duration.ofSeconds(90), () -> rows(lake.spark(), table) >= 1000);
    } finally {
      // stopped even when the wait fails: a stream left running would slow every later test of this JVM
      StreamingQuery q = active(lake.spark());
      if (q != null) {
        q.stop();
      }
    }
    run.get(60, TimeUnit.SECONDS);
    long atStop = rows(lake.spark(), table);
    assertThat(atStop).isBetween(1000L, 2999L); // stopped mid-way, not at the end

    catchUpHoldsEveryRecordOnce(lake, env, table, "stopped", 3000, 4000);
  }

  /**
   * Sends records {@code from..to}, runs available-now, and checks each record is there once. The
   * restart first redoes the micro-batch the interrupted run planned (250 records, as written in
   * its offset log), then reads the rest in batches of {@value #CATCH_UP_PER_TRIGGER}: fewer Delta
   * commits for the same records.
   */
  private static void catchUpHoldsEveryRecordOnce(
      Lakehouse lake, Environment env, TableName table, String topic, int from, int to) {
    kafka.send(topic, events(from, to));
    lake.run(pipeline(topic, Trigger.availableNow(), CATCH_UP_PER_TRIGGER), env);

    assertThat(rows(lake.spark(), table)).isEqualTo(to);
    assertThat(coordinates(lake, table)).isEqualTo(allOffsets(kafka.endOffsets(topic)));
  }

  @Test
  void killedJvmThenRestartedHoldsEveryRecordOnce(Lakehouse lake) throws Exception {
    kafka.createTopic("killed", 2);
    kafka.send("killed", events(0, 4000));
    Environment env = lake.environment();
    TableName table = env.tableName(pipeline("killed", Trigger.availableNow(), 1), EVENTS);

    Process child = startChild(lake.root(), env, "killed");
    try {
      // Kill -9 once the child committed some micro-batches but not all (250 records each).
      Path log = Path.of(env.warehouseRoot(), table.catalog(), table.schema(), table.table(), "_delta_log");
      await("the child's third commit", Duration.ofSeconds(120),
          () -> Files.exists(log.resolve(String.format("%020d.json", 3))) || !child.isAlive());
      assertThat(child.isAlive()).as("child still streaming").isTrue();
    } finally {
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    long atKill = rows(lake.spark(), table);
    assertThat(atKill).isLessThan(4000);

    catchUpHoldsEveryRecordOnce(lake, env, table, "killed", 4000, 4500);
  }

  @Test
  void brokerRestartWhileStreamingLosesNothing(Lakehouse lake) throws Exception {
    kafka.createTopic("restarted", 2);
    kafka.send("restarted", events(0, 1000));
    Environment env = lake.environment();
    PipelineDefinition continuous = pipeline("restarted", Trigger.processingTime(Duration.ofMillis(200)), 250);
    TableName table = env.tableName(continuous, EVENTS);

    CompletableFuture<?> run = CompletableFuture.runAsync(() -> lake.run(continuous, env));
    try {
      await("the first records", Duration.ofSeconds(90), () -> rows(lake.spark(), table) >= 250);
      kafka.restart();
      kafka.send("restarted", events(1000, 2000));
      await("every record", Duration.ofSeconds(120), () -> rows(lake.spark(), table) >= 2000 || run.isDone());
    } finally {
      StreamingQuery q = active(lake.spark());
      if (q != null) {
        q.stop();
      }
    }
    run.get(60, TimeUnit.SECONDS); // the stream recovered: no failure
    assertThat(rows(lake.spark(), table)).isEqualTo(2000);
    assertThat(coordinates(lake, table)).isEqualTo(allOffsets(kafka.endOffsets("restarted")));
  }

  /** A child JVM running the pipeline with one Kafka record... 250 per micro-batch, slowly. */
  private static Process startChild(Path root, Environment env, String topic) throws Exception {
    File out = root.resolve("child-" + topic + ".log").toFile();
    return ChildJvm.start(KafkaChild.class, out, kafka.bootstrapServers(), topic, env.warehouseRoot(),
        env.checkpointRoot(), env.landingRoot(),
        env.catalogs().get(io.medallion.pipeline.Layer.BRONZE).replace("_bronze", ""));
  }
}
