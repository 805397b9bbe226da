package io.medallion.connector.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

class KinesisOptionsTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private static KinesisOptions parse(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return KinesisOptions.parse(new CaseInsensitiveStringMap(map));
  }

  @Test
  void defaultsAreDatabricks() {
    KinesisOptions o = parse("streamname", "events");
    assertThat(o.streamName()).isEqualTo("events");
    assertThat(o.initialPosition()).isEqualTo(KinesisOptions.Start.LATEST);
    assertThat(o.maxRecordsPerFetch()).isEqualTo(10_000);
    assertThat(o.maxFetchRateMbPerSecond()).isEqualTo(1.0);
    assertThat(o.minFetchPeriodMs()).isEqualTo(400);
    assertThat(o.maxFetchDurationMs()).isEqualTo(10_000);
    assertThat(o.maxRecordsPerTrigger()).isEqualTo(Long.MAX_VALUE);
    assertThat(o.failOnDataLoss()).isTrue();
    assertThat(o.region()).isNull();
  }

  @Test
  void parsesInitialPositions() {
    assertThat(parse("streamName", "s", "initialPosition", "TRIM_HORIZON").initialPosition())
        .isEqualTo(KinesisOptions.Start.TRIM_HORIZON);
    assertThat(parse("streamName", "s", "initialPosition", "earliest").initialPosition())
        .isEqualTo(KinesisOptions.Start.TRIM_HORIZON);
    KinesisOptions databricks = parse("streamName", "s", "initialPosition",
        "{\"at_timestamp\": \"06/25/2020 10:23:45 PDT\", \"format\": \"MM/dd/yyyy HH:mm:ss ZZZ\"}");
    assertThat(databricks.initialPosition()).isEqualTo(KinesisOptions.Start.AT_TIMESTAMP);
    assertThat(databricks.initialTimestamp()).isEqualTo(Instant.parse("2020-06-25T17:23:45Z"));
    assertThat(parse("streamName", "s", "initialPosition", "2020-06-25T17:23:45Z")
        .initialTimestamp()).isEqualTo(Instant.parse("2020-06-25T17:23:45Z"));
    assertThat(parse("streamName", "s", "initialPosition",
        "{\"at_timestamp\": \"2020-06-25T17:23:45.5Z\"}").initialTimestamp())
        .isEqualTo(Instant.parse("2020-06-25T17:23:45.500Z"));
  }

  @Test
  void rejectsBadOptionsNamingThem() {
    assertThatThrownBy(() -> parse("region", "us-east-1"))
        .hasMessageContaining("Option streamName is required");
    assertThatThrownBy(() -> parse("streamName", "a,b"))
        .hasMessageContaining("names several streams");
    assertThatThrownBy(() -> parse("streamName", "s", "initialPosition", "yesterday"))
        .hasMessageContaining("initialPosition='yesterday'")
        .hasMessageContaining("trim_horizon");
    assertThatThrownBy(() -> parse("streamName", "s", "initialPosition",
        "{\"at_timestamp\": \"25.06.2020\", \"format\": \"MM/dd/yyyy HH:mm:ss ZZZ\"}"))
        .hasMessageContaining("does not match format");
    assertThatThrownBy(() -> parse("streamName", "s", "maxRecordsPerFetch", "20000"))
        .hasMessageContaining("maxRecordsPerFetch='20000'");
    assertThatThrownBy(() -> parse("streamName", "s", "minFetchPeriod", "soon"))
        .hasMessageContaining("minFetchPeriod='soon' is not a duration");
    assertThatThrownBy(() -> parse("streamName", "s", "endpoint", "localhost"))
        .hasMessageContaining("endpoint='localhost' is not a URL");
    assertThatThrownBy(() -> parse("streamName", "s", "consumerMode", "efo"))
        .hasMessageContaining("enhanced fan-out");
    assertThat(parse("streamName", "s", "maxFetchDuration", "2m").maxFetchDurationMs())
        .isEqualTo(120_000);
  }

  @Test
  void secretKeyNeverShows() {
    KinesisOptions o = parse("streamName", "s", "awsAccessKey", "AKIDEXAMPLE",
        "awsSecretKey", SECRET, "region", "eu-west-1");
    // issue 15 item 10: the access-key id is a credential too
    assertThat(o.toString()).contains("eu-west-1").contains("id and secret hidden")
        .doesNotContain("AKIDEXAMPLE").doesNotContain(SECRET);
    assertThat(new KinesisTable(o).description()).doesNotContain(SECRET).doesNotContain("AKIDEXAMPLE");
    assertThatThrownBy(() -> parse("streamName", "s", "awsSecretKey", SECRET))
        .hasMessageContaining("only awsSecretKey is set")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }
}
