package io.medallion.connector.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KinesisSourceProviderTest {
  @Test
  void shortNameIsKinesisOnOpenSourceSpark() {
    assertThat(KinesisSourceProvider.shortName(Map.of())).isEqualTo("kinesis");
    assertThat(KinesisSourceProvider.shortName(Map.of("DATABRICKS_RUNTIME_VERSION", " ")))
        .isEqualTo("kinesis");
  }

  @Test
  void shortNameStepsAsideOnDatabricks() {
    assertThat(KinesisSourceProvider.shortName(Map.of("DATABRICKS_RUNTIME_VERSION", "15.4")))
        .isEqualTo("medallion-kinesis");
  }
}
