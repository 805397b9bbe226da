package io.medallion.source.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.source.KinesisSource;
import io.medallion.source.SecretRef;
import io.medallion.platform.internal.DatabricksPlatform;
import io.medallion.platform.internal.OssPlatform;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One Kinesis config, two platforms: the runtime's {@code kinesis} source on Databricks (a fake
 * secret store stands in for the workspace), medallion's own by class name on open-source Spark,
 * with the same Databricks option names.
 */
class KinesisPlatformTest {
  static final KinesisSource SOURCE = KinesisSource.json("orders", "eu-west-1", "id INT")
      .withOption("initialPosition", "trim_horizon")
      .withOption("maxRecordsPerFetch", "5000")
      .withOption("roleArn", "arn:aws:iam::123456789012:role/reader");

  @Test
  void databricksReadsWithTheRuntimesSourceAndTheSameOptions() {
    DatabricksPlatform databricks = new DatabricksPlatform((scope, key) -> "value-of-" + key);
    KinesisSource withKeys = SOURCE.withAccessKey(SecretRef.parse("secret:aws/key-id"), SecretRef.parse("secret:aws/secret"));

    assertThat(databricks.kinesisFormat()).isEqualTo("kinesis");
    assertThat(KinesisInput.sparkOptions(withKeys, databricks, Map.of())).containsOnly(
        Map.entry("streamName", "orders"), Map.entry("region", "eu-west-1"),
        Map.entry("initialPosition", "trim_horizon"), Map.entry("maxRecordsPerFetch", "5000"),
        Map.entry("roleArn", "arn:aws:iam::123456789012:role/reader"),
        Map.entry("awsAccessKey", "value-of-key-id"), Map.entry("awsSecretKey", "value-of-secret"));
  }

  @Test
  void openSourceSparkUsesMedallionsSourceByClassName() throws Exception {
    OssPlatform oss = new OssPlatform();

    assertThat(Class.forName(oss.kinesisFormat()).getSimpleName()).isEqualTo("KinesisSourceProvider");
    assertThat(KinesisInput.sparkOptions(SOURCE, oss, Map.of()))
        .containsEntry("streamName", "orders").doesNotContainKey("awsSecretKey");
  }
}
