package io.medallion.kinesis;

import io.medallion.config.PipelineBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.pipeline.ConfigurationException;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.source.KinesisSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.source.SecretRef;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;
import io.medallion.testkit.KinesisServer;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A Kinesis stream into bronze through the pipeline: decoding, metadata, rescued data, restarts. */
@ExtendWith(MedallionExtension.class)
class KinesisBronzeTest {
  static final TableRef EVENTS = TableRef.parse("bronze.events");
  static KinesisServer kinesis;

  @BeforeAll
  static void start() {
    kinesis = KinesisServer.start();
  }

  @AfterAll
  static void stop() {
    kinesis.close();
  }

  static PipelineDefinition pipeline(Lakehouse lake, String stream) throws Exception {
    Path key = Files.writeString(lake.root().resolve("aws-access-key"), kinesis.accessKey());
    Path secret = Files.writeString(lake.root().resolve("aws-secret-key"), kinesis.secretKey());
    KinesisSource source = KinesisSource.json(stream, kinesis.region(), "id INT, name STRING")
        .withOption("endpoint", kinesis.endpoint())
        .withAccessKey(SecretRef.parse("file:" + key), SecretRef.parse("file:" + secret));
    return PipelineBuilder.pipeline("kinesis").schema("k").bronze("events", source).build();
  }

  static void put(String stream, int from, int to) {
    for (int i = from; i < to; i++) {
      kinesis.put(stream, "key-" + (i % 7), ("{\"id\": " + i + ", \"name\": \"n" + i + "\"}").getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void streamsIntoBronzeExactlyOnceAcrossRuns(Lakehouse lake) throws Exception {
    kinesis.createStream("orders", 2);
    put("orders", 0, 150);
    kinesis.put("orders", "bad", "{\"id\": oops".getBytes(StandardCharsets.UTF_8));
    PipelineDefinition p = pipeline(lake, "orders");
    Environment env = lake.environment();
    TableName table = env.tableName(p, EVENTS);

    lake.run(p, env);
    put("orders", 150, 200);
    lake.run(p, env);

    assertThat(lake.table(table).columns()).containsExactly(
        "id", "name", "_rescued_data", "_kinesis_stream", "_kinesis_shard_id", "_kinesis_sequence_number",
        "_kinesis_partition_key", "_kinesis_arrival_time", "_ingest_time");
    assertThat(lake.table(table).count()).isEqualTo(201);
    Set<String> coordinates = new HashSet<>();
    List<Integer> ids = new ArrayList<>();
    for (Row r : lake.table(table).collectAsList()) {
      assertThat(coordinates.add(r.<String>getAs("_kinesis_shard_id") + "/" + r.<String>getAs("_kinesis_sequence_number")))
          .as("each record once").isTrue();
      if (r.getAs("id") != null) {
        ids.add(r.getAs("id"));
      }
    }
    assertThat(ids).hasSize(200).doesNotHaveDuplicates();
    Row bad = lake.table(table).where("_rescued_data IS NOT NULL").first();
    assertThat(bad.<String>getAs("_kinesis_partition_key")).isEqualTo("bad");
    assertThat(bad.<String>getAs("_rescued_data"))
        .contains("\"_value\":\"{\\\"id\\\": oops\"", "\"_stream\":\"orders\"", "\"_shard_id\":\"shardId-",
            "\"_sequence_number\":\"" + bad.<String>getAs("_kinesis_sequence_number") + "\"");
    assertThat(p.toString()).doesNotContain(kinesis.secretKey());
  }

  @Test
  void kinesisIsStreamingOnly() {
    assertThatThrownBy(() -> PipelineBuilder.pipeline("kinesis").schema("k")
            .bronze("events", KinesisSource.json("s", "us-east-1", "id INT"), b -> b.execution(Execution.BATCH)).build())
        .isInstanceOfAny(IllegalArgumentException.class, ConfigurationException.class)
        .hasMessageContaining("a Kinesis stream is read as a stream only");
  }
}
