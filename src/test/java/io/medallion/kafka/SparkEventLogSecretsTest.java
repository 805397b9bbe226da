package io.medallion.kafka;

import io.medallion.config.PipelineBuilder;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.EventLoggingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What Spark writes to its event log (the History Server's data: plans, accumulators, stream
 * progress) must not hold a secret or a customer row. The test kit shares one SparkContext per JVM,
 * so instead of {@code spark.eventLog.enabled} (read only when a context starts) each test attaches
 * Spark's own {@link EventLoggingListener}, the writer behind that setting, to the running context
 * for the duration of a run, and greps the file it wrote.
 */
@ExtendWith(MedallionExtension.class)
class SparkEventLogSecretsTest extends KafkaTestBase {
  static final String EXPLAIN_MODE = "spark.sql.ui.explainMode";

  @BeforeAll
  static void createTopic() {
    kafka.createTopic("secure", 1);
    kafka.send("secure", KafkaBronzeTest.events(0, 20));
  }

  /**
   * Runs {@code action} with Spark's event log writer attached and Spark's default plan descriptions
   * (the {@code formatted} explain mode, with its details section, where the test kit's session
   * uses {@code simple}); returns the event log's text.
   */
  static String eventLogOf(Lakehouse lake, Path dir, Runnable action) throws IOException {
    Files.createDirectories(dir);
    String explainMode = lake.spark().conf().get(EXPLAIN_MODE);
    lake.spark().conf().set(EXPLAIN_MODE, "formatted");
    SparkContext sc = lake.spark().sparkContext();
    EventLoggingListener listener = new EventLoggingListener(
        "medallion-test-" + System.nanoTime(), scala.Option.empty(), dir.toUri(), sc.getConf(), sc.hadoopConfiguration());
    listener.start();
    sc.addSparkListener(listener);
    try {
      action.run();
    } finally {
      try {
        sc.listenerBus().waitUntilEmpty();
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("Spark's listener bus did not drain", e);
      }
      sc.removeSparkListener(listener);
      listener.stop();
      lake.spark().conf().set(EXPLAIN_MODE, explainMode);
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> {
        try {
          return Files.readString(f);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).collect(Collectors.joining("\n"));
    }
  }

  @Test
  void saslPasswordIsNotInSparksEventLog(Lakehouse lake) throws IOException {
    Path secret = Files.writeString(lake.root().resolve("kafka-password-log"), kafka.saslPassword());
    PipelineDefinition p = PipelineBuilder.pipeline("kafkalog").schema("k")
        .bronze("events", KafkaSecurityTest.sasl(secret), b -> b.expect("has_id", "id IS NOT NULL"))
        .silver("events", s -> s.from("bronze.events").keys("id"))
        .build();
    Environment env = lake.environment();

    // A table with rules is validated before it runs: validate plans the stream (with its options).
    String log = eventLogOf(lake, lake.root().resolve("spark-events-sasl"), () -> {
      lake.runner(p, env).validate();
      lake.run(p, env);
    });

    assertThat(lake.table(env.tableName(p, EVENTS)).count()).isEqualTo(20);
    assertThat(lake.table(env.tableName(p, io.medallion.pipeline.TableRef.parse("silver.events"))).count()).isEqualTo(20);
    assertThat(log).contains("SparkListenerSQLExecutionStart").contains("kafka")
        .as("the formatted plan descriptions, with their details").contains("Output [");
    assertThat(log).doesNotContain(kafka.saslPassword());
  }

  @Test
  void quarantinedRowsAreNotInSparksEventLog(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("quarantine-log-landing");
    Files.createDirectories(landing.resolve("orders"));
    Files.writeString(landing.resolve("orders/a.json"),
        "{\"id\": \"1\", \"amount\": 5.0, \"card\": \"customer-card-4111\"}\n"
            + "{\"id\": \"2\", \"amount\": -1.0, \"card\": \"customer-card-4222\"}\n");
    PipelineDefinition p = PipelineBuilder.pipeline("qlog").schema("q")
        .bronze("orders", FileSource.of(landing.resolve("orders").toString(), "json")
            .withSchema("id STRING, amount DOUBLE, card STRING"), b -> b
            .execution(Execution.STREAMING)
            .expectOrQuarantine("positive_amount", "amount > 0"))
        .build();
    Environment env = lake.environment(landing.toString());

    String log = eventLogOf(lake, lake.root().resolve("spark-events-quarantine"), () -> lake.run(p, env));

    assertThat(lake.table(env.quarantineName(p, io.medallion.pipeline.TableRef.parse("bronze.orders"), "_quarantine"))
        .select("card").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .containsExactly("customer-card-4222");
    assertThat(log).contains("SparkListenerTaskEnd").doesNotContain("customer-card-4222");
  }
}
