package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The short name never clashes with the Databricks Runtime's Auto Loader; option mistakes fail at load(). */
class CloudFilesProviderTest extends CloudFilesTestBase {

  @Test
  void shortNameIsCloudFilesOnlyOffDatabricks() {
    assertThat(CloudFilesSourceProvider.shortName(Map.of())).isEqualTo("cloudFiles");
    assertThat(CloudFilesSourceProvider.shortName(Map.of("DATABRICKS_RUNTIME_VERSION", "15.4")))
        .isEqualTo("medallion-cloudFiles");
    assertThat(new CloudFilesSourceProvider().shortName()).isEqualTo("cloudFiles");
  }

  @Test
  void mistakesAreNamedAtLoad() {
    write("a.csv", "id\n1\n");
    assertThatThrownBy(() -> autoLoader("csv").option("cloudFiles.maxFilesPerTriger", "5").load(landing().toString()))
        .hasMessageContaining("Unknown cloudFiles option 'cloudfiles.maxfilespertriger'")
        .hasMessageContaining("cloudFiles.maxFilesPerTrigger");
    assertThatThrownBy(() -> spark().readStream().format("cloudFiles").option("cloudFiles.format", "csv")
        .load(landing().toString()))
        .hasMessageContaining("cloudFiles.schemaLocation is required");
    assertThatThrownBy(() -> spark().readStream().format("cloudFiles").load(landing().toString()))
        .hasMessageContaining("cloudFiles.format is required");
    assertThatThrownBy(() -> autoLoader("xlsx").load(landing().toString()))
        .hasMessageContaining("'xlsx' is not a supported format");
    assertThatThrownBy(() -> autoLoader("csv").option("cloudFiles.maxFilesPerTrigger", "-1").load(landing().toString()))
        .hasMessageContaining("must be a positive whole number");
    assertThatThrownBy(() -> autoLoader("csv").option("cloudFiles.cleanSource", "MOVE").load(landing().toString()))
        .hasMessageContaining("cloudFiles.cleanSource.moveDestination");
    assertThatThrownBy(() -> autoLoader("csv").option("cloudFiles.useNotifications", "true").load(landing().toString()))
        .hasMessageContaining("cloudFiles.queueUrl");
    assertThatThrownBy(() -> autoLoader("csv").option("cloudFiles.schemaHints", "id NOT_A_TYPE").load(landing().toString()))
        .hasMessageContaining("'NOT_A_TYPE' in 'id NOT_A_TYPE' is not a Spark SQL type");
  }

  @Test
  void batchReadsAreRefused() {
    write("a.json", "{\"id\": 1}\n");
    assertThatThrownBy(() -> spark().read().format("cloudFiles").load(landing().toString()).count())
        .hasStackTraceContaining("cloudFiles is a streaming source");
  }

  @Test
  void noFilesAndNoSchemaSaysWhatToDo() {
    assertThatThrownBy(() -> autoLoader("json").load(landing().toString()))
        .hasMessageContaining("cannot infer the schema of the json files under")
        .hasMessageContaining("Land at least one file");
  }
}
