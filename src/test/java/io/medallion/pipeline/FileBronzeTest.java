package io.medallion.pipeline;

import io.medallion.config.PipelineBuilder;
import io.medallion.run.RunResult;
import io.medallion.source.FileSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bronze file tables through the pipeline: schema evolution without a manual restart, and bad
 * input that is counted and kept with its path, never silently lost, never a stuck stream.
 */
@ExtendWith(MedallionExtension.class)
class FileBronzeTest {
  static Path land(Path dir, String file, byte[] content) throws IOException {
    Files.createDirectories(dir);
    return Files.write(dir.resolve(file), content);
  }

  static Path land(Path dir, String file, String content) throws IOException {
    return land(dir, file, content.getBytes(StandardCharsets.UTF_8));
  }

  static PipelineDefinition events(Path landing) {
    return PipelineBuilder.pipeline("files").schema("app")
        .bronze("events", FileSource.of(landing.toString(), "json"), b -> b.trigger(Trigger.availableNow()))
        .build();
  }

  @Test
  void newColumnsAreAddedWithoutAManualRestart(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("evolving");
    land(landing, "a.json", "{\"id\": \"1\"}\n");
    PipelineDefinition p = events(landing);
    Environment env = lake.environment(landing.toString());
    lake.run(p, env);

    land(landing, "b.json", "{\"id\": \"2\", \"color\": \"red\"}\n");
    RunResult second = lake.run(p, env);

    assertThat(second.table(TableRef.parse("bronze.events")).orElseThrow().rowsWritten()).isEqualTo(1);
    assertThat(lake.table(p, env, "bronze.events").orderBy("id").select("id", "color").collectAsList())
        .extracting(Row::toString).containsExactly("[1,null]", "[2,red]");
  }

  /**
   * The table is created while the stream starts: when its creation fails, the run fails naming
   * the table, the stream is stopped, and nothing is written.
   */
  @Test
  void aTableThatCannotBeCreatedStopsItsStreamAndWritesNothing(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("uncreatable");
    land(landing, "a.json", "{\"id\": \"1\"}\n");
    PipelineDefinition p = PipelineBuilder.pipeline("files").schema("app")
        .bronze("events", FileSource.of(landing.toString(), "json"),
            b -> b.trigger(Trigger.availableNow()).property("delta.noSuchProperty", "1"))
        .build();
    Environment env = lake.environment(landing.toString());

    assertThatThrownBy(() -> lake.run(p, env)).isInstanceOf(io.medallion.MedallionException.class)
        .hasMessageContaining("bronze.events").hasMessageContaining("delta.noSuchProperty");
    assertThat(lake.spark().streams().active()).isEmpty();
    assertThat(lake.spark().catalog().tableExists(env.tableName(p, TableRef.parse("bronze.events")).quoted()))
        .isFalse();
  }

  @Test
  void badInputIsCountedAndKeptWithItsPath(Lakehouse lake) throws IOException {
    Path landing = lake.root().resolve("bad");
    land(landing, "good.json", "{\"id\": \"1\"}\n{\"id\": \"2\"}\n");
    PipelineDefinition p = events(landing);
    Environment env = lake.environment(landing.toString());
    lake.run(p, env);

    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write("{\"id\": \"3\"}\n".repeat(2000).getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = gz.toByteArray();
    Path corrupt = land(landing, "corrupt.json.gz", java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path truncated = land(landing, "truncated.json", "{\"id\": \"4\"}\n{\"id\": \"5\", \"na");
    land(landing, "empty.json", "\n\n");
    land(landing, "zero.json", new byte[0]);
    RunResult run = lake.run(p, env);

    var bronze = lake.table(p, env, "bronze.events");
    // The corrupt gzip: the rows before the damage, then one row naming the file and the error.
    List<Row> errors = bronze.where("_rescued_data LIKE '%_file_error%'").select("_source_file", "_rescued_data").collectAsList();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).getString(0)).endsWith("corrupt.json.gz");
    assertThat(errors.get(0).getString(1)).contains("\"_file_path\":\"file:" + corrupt + "\"").contains("EOFException");
    // The truncated line is rescued whole, with its path.
    assertThat(bronze.where("_rescued_data LIKE '%_corrupt_record%'").select("_rescued_data").first().getString(0))
        .isEqualTo("{\"_corrupt_record\":\"{\\\"id\\\": \\\"5\\\", \\\"na\",\"_file_path\":\"file:" + truncated + "\"}");
    assertThat(bronze.where("id = '4'").count()).isEqualTo(1);
    long fromGzip = bronze.where("id = '3'").count();
    assertThat(fromGzip).isBetween(1L, 1999L);
    assertThat(run.table(TableRef.parse("bronze.events")).orElseThrow().rowsWritten()).isEqualTo(fromGzip + 3);

    // The stream is not stuck: a later file is read by the next run.
    land(landing, "later.json", "{\"id\": \"6\"}\n");
    lake.run(p, env);
    assertThat(lake.table(p, env, "bronze.events").where("id = '6'").count()).isEqualTo(1);
  }
}
