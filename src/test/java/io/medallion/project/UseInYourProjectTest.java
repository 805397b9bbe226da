package io.medallion.project;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.config.ConfigLoader;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Layer;
import io.medallion.testkit.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README "Use medallion in your project": its snippets are the files that compile and run here. */
class UseInYourProjectTest {
  static final Path PROJECT = Path.of(System.getProperty("medallion.project.dir", "."));

  @Test
  void theJavaSnippetsAreTheExampleFiles() throws IOException {
    Path dir = PROJECT.resolve("src/test/java/com/example/iot");
    assertThat(ReadmeSnippets.get("java-pipeline")).isEqualTo(Files.readString(dir.resolve("IotPipeline.java")).stripTrailing());
    assertThat(ReadmeSnippets.get("java-test")).isEqualTo(Files.readString(dir.resolve("IotPipelineTest.java")).stripTrailing());
    assertThat(ReadmeSnippets.get("java-job")).isEqualTo(Files.readString(dir.resolve("IotJob.java")).stripTrailing());
  }

  @Test
  void theDatabricksExampleEnvironmentLoads() {
    Environment env = ConfigLoader.loadEnvironment(PROJECT.resolve("conf/env/databricks.conf"));
    assertThat(env.platform()).isEqualTo(Environment.PlatformChoice.DATABRICKS);
    assertThat(env.catalogs()).containsEntry(Layer.BRONZE, "iot_bronze").containsEntry(Layer.GOLD, "iot_gold");
    assertThat(env.checkpointRoot()).isEqualTo("/Volumes/iot_bronze/ops/checkpoints");
    assertThat(env.landingRoot()).startsWith("s3://");
    assertThat(env.eventLog()).isEqualTo("iot_bronze.ops.event_log");
  }

  @Test
  void theArgLineIsTheTestKitsAndThePoms() throws IOException {
    Matcher readme = Pattern.compile("<argLine>(.*)</argLine>").matcher(ReadmeSnippets.get("surefire"));
    assertThat(readme.find()).isTrue();
    Matcher pom = Pattern.compile("<spark.java17.opens>(.*)</spark.java17.opens>")
        .matcher(Files.readString(PROJECT.resolve("pom.xml")));
    assertThat(pom.find()).isTrue();
    assertThat(readme.group(1)).isEqualTo(LocalSpark.ARG_LINE).isEqualTo(pom.group(1));
  }
}
