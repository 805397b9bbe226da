package io.medallion.source.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.connector.files.CloudFilesSourceProvider;
import io.medallion.source.FileSource;
import io.medallion.platform.internal.DatabricksPlatform;
import io.medallion.platform.internal.OssPlatform;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One file-source config, two platforms: the runtime's Auto Loader ({@code cloudFiles}) on
 * Databricks, medallion's own source by class name on open-source Spark, with the same Auto Loader
 * options.
 */
class CloudFilesPlatformTest {
  static final FileSource SOURCE = FileSource.of("s3a://landing/orders", "JSON")
      .withOption("cloudFiles.maxFilesPerTrigger", "500")
      .withOption("cloudFiles.useNotifications", "true")
      .withOption("cloudFiles.queueUrl", "https://sqs.eu-west-1.amazonaws.com/1/orders")
      .withOption("cloudFiles.sqsEndpoint", "http://127.0.0.1:9324")
      .withOption("cloudFiles.openCostInBytes", "1m")
      .withOption("recursiveFileLookup", "true")
      .withOption("multiLine", "false");

  @Test
  void databricksGetsAutoLoaderOptionsWithoutMedalliononlyOnes() {
    DatabricksPlatform databricks = new DatabricksPlatform((scope, key) -> "unused");

    assertThat(databricks.cloudFilesFormat()).isEqualTo("cloudFiles");
    assertThat(FileInput.streamOptions(SOURCE, "s3a://ckpt/retail/bronze.orders", false, databricks))
        .containsOnly(
            Map.entry("cloudFiles.format", "json"),
            Map.entry("cloudFiles.schemaLocation", "s3a://ckpt/retail/bronze.orders"),
            Map.entry("cloudFiles.maxFilesPerTrigger", "500"),
            Map.entry("cloudFiles.useNotifications", "true"),
            Map.entry("cloudFiles.queueUrl", "https://sqs.eu-west-1.amazonaws.com/1/orders"),
            Map.entry("multiLine", "false"));
  }

  @Test
  void openSourceSparkUsesMedallionsSourceByClassNameWithEveryOption() throws Exception {
    OssPlatform oss = new OssPlatform();

    assertThat(Class.forName(oss.cloudFilesFormat())).isEqualTo(CloudFilesSourceProvider.class);
    assertThat(FileInput.streamOptions(SOURCE, "/ckpt/t", false, oss))
        .containsEntry("cloudFiles.sqsEndpoint", "http://127.0.0.1:9324")
        .containsEntry("cloudFiles.openCostInBytes", "1m")
        .containsEntry("cloudFiles.schemaLocation", "/ckpt/t")
        .doesNotContainKey("rescuedDataColumn")
        .doesNotContainKey("recursiveFileLookup");
  }

  @Test
  void aDeclaredSchemaKeepsRescuedDataAndAGivenSchemaLocationWins() {
    FileSource declared = FileSource.of("/landing", "csv").withSchema("id INT")
        .withOption("cloudFiles.schemaLocation", "/mine");

    assertThat(FileInput.streamOptions(declared, "/ckpt/t", true, new OssPlatform()))
        .containsEntry("rescuedDataColumn", "_rescued_data")
        .containsEntry("cloudFiles.schemaLocation", "/mine");
  }
}
