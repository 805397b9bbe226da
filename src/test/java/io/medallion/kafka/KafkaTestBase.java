package io.medallion.kafka;

import io.medallion.config.PipelineBuilder;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.testkit.KafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One real broker per test class, and the one-table pipeline the Kafka tests run. */
abstract class KafkaTestBase {
  static final TableRef EVENTS = TableRef.parse("bronze.events");
  static KafkaBroker kafka;

  @BeforeAll
  static void startBroker() {
    kafka = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  static PipelineDefinition pipeline(KafkaSource source) {
    return PipelineBuilder.pipeline("kafka").schema("k").bronze("events", source).build();
  }
}
