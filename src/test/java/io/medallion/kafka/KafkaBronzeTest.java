package io.medallion.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.table.TableName;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kafka into bronze against a real broker: decoding, metadata, rescued data, offsets to the group. */
@ExtendWith(MedallionExtension.class)
class KafkaBronzeTest extends KafkaTestBase {
  static final String SCHEMA = "id INT, name STRING, amount DOUBLE";

  static List<String> events(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> "{\"id\": " + i + ", \"name\": \"n" + i + "\", \"amount\": " + (i * 1.5) + "}")
        .collect(Collectors.toList());
  }

  /** Every (partition, offset) of the table; fails the test on a duplicate. */
  static Set<String> coordinates(Lakehouse lake, TableName table) {
    Set<String> seen = new HashSet<>();
    List<String> dups = new ArrayList<>();
    for (Row r : lake.table(table).select("_kafka_partition", "_kafka_offset").collectAsList()) {
      String c = r.getInt(0) + ":" + r.getLong(1);
      if (!seen.add(c)) {
        dups.add(c);
      }
    }
    assertThat(dups).as("records written twice").isEmpty();
    return seen;
  }

  static Set<String> allOffsets(Map<Integer, Long> endOffsets) {
    Set<String> all = new HashSet<>();
    endOffsets.forEach((p, end) -> {
      for (long o = 0; o < end; o++) {
        all.add(p + ":" + o);
      }
    });
    return all;
  }

  @Test
  void decodesJsonKeepsCoordinatesRescuesMalformedAndCommitsOffsets(Lakehouse lake) {
    kafka.createTopic("orders", 2);
    kafka.send("orders", events(0, 500));
    kafka.send("orders", 1, Map.of("k1", "{\"id\": 9001, \"name\": \"bad\", \"amount\": 1.0", "k2", "not json"));
    KafkaSource source = KafkaSource.json(kafka.bootstrapServers(), List.of("orders"), SCHEMA)
        .withCommitOffsetsTo("medallion-orders");
    PipelineDefinition p = pipeline(source);
    Environment env = lake.environment();

    TableResult result = lake.run(p, env).table(EVENTS).orElseThrow();

    TableName table = env.tableName(p, EVENTS);
    assertThat(result.rowsRead()).isEqualTo(502);
    assertThat(lake.table(table).count()).isEqualTo(502);
    assertThat(coordinates(lake, table)).isEqualTo(allOffsets(kafka.endOffsets("orders")));
    assertThat(lake.table(table).columns()).containsExactly(
        "id", "name", "amount", "_rescued_data", "_kafka_key", "_kafka_topic", "_kafka_partition", "_kafka_offset",
        "_kafka_timestamp", "_kafka_timestamp_type", "_kafka_headers", "_ingest_time");
    Row r = lake.table(table).where("id = 7").first();
    assertThat(r.<String>getAs("name")).isEqualTo("n7");
    assertThat(r.<Double>getAs("amount")).isEqualTo(10.5);
    assertThat(r.<String>getAs("_rescued_data")).isNull();
    List<Row> rescued = lake.table(table).where("_rescued_data IS NOT NULL").orderBy("_kafka_key").collectAsList();
    assertThat(rescued).hasSize(2);
    assertThat(rescued.get(1).<String>getAs("_kafka_key")).isEqualTo("k2");
    assertThat(rescued.get(1).<String>getAs("_rescued_data"))
        .contains("\"_value\":\"not json\"", "\"_topic\":\"orders\"", "\"_partition\":1",
            "\"_offset\":" + rescued.get(1).<Long>getAs("_kafka_offset"));
    assertThat(rescued.get(0).<Integer>getAs("id")).isNull();
    assertThat(kafka.committedOffsets("medallion-orders", "orders")).isEqualTo(kafka.endOffsets("orders"));
  }
}
