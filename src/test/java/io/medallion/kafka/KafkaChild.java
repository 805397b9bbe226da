package io.medallion.kafka;

import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.Environment;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.pipeline.Trigger;
import io.medallion.testkit.LocalSpark;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process {@link KafkaExactlyOnceTest} kills: streams a topic into bronze, 250 records per
 * micro-batch, until killed. Arguments: bootstrap servers, topic, warehouse root, checkpoint root,
 * landing root, catalog prefix.
 */
public final class KafkaChild {
  public static void main(String[] args) {
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      catalogs.put(layer, args[5] + "_" + layer.key());
    }
    Environment env = new Environment(
        "test", Environment.PlatformChoice.OSS, catalogs, args[2], args[3], args[4], Optional.empty(), Map.of());
    KafkaSource source = KafkaSource.json(args[0], List.of(args[1]), KafkaBronzeTest.SCHEMA)
        .withOption("maxOffsetsPerTrigger", "250");
    PipelineDefinition p = PipelineBuilder.pipeline("kafka").schema("k")
        .bronze("events", source, b -> b.trigger(Trigger.processingTime(Duration.ofMillis(500))))
        .build();
    new PipelineRunner(LocalSpark.session(), p, env).run(RunOptions.all());
  }
}
