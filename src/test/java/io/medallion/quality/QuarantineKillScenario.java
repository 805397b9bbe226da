package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.table.HaltingLogStore;
import io.medallion.table.TableName;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * kill -9 between a micro-batch's two commits, a scenario of {@code RunKillTest} ({@code
 * io.medallion.run}), which runs it in one child JVM with its others: the child streams JSON files
 * into a bronze table with a quarantine rule and dies ({@code halt}) right after the target's
 * commit, before the quarantine commit ({@link HaltingLogStore} stops it right after writing the
 * target's commit file), with the batch's quarantine rows set aside by the write's tasks as Parquet
 * files in the quarantine table's folder, not yet committed. The rerun replays the batch: the
 * target commit is skipped, the quarantine rows are appended once (the killed run's files stay out
 * of the table), and no staging folder is used.
 */
public final class QuarantineKillScenario {
  private QuarantineKillScenario() {}

  static final int ROWS = 300; // every 10th has no id: 30 quarantined, 270 kept

  static Environment environment(Path root) {
    Map<Layer, String> catalogs = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      catalogs.put(layer, "qkill_" + layer.key());
    }
    return new Environment("test", Environment.PlatformChoice.OSS, catalogs, root.resolve("warehouse").toString(),
        root.resolve("checkpoints").toString(), root.resolve("landing").toString(), Optional.empty(), Map.of());
  }

  static PipelineDefinition pipeline(Path root) {
    return ExpectationsTest.orders(root.resolve("landing"), Execution.STREAMING,
        b -> b.expectOrQuarantine("has_id", "id IS NOT NULL"));
  }

  /** The target's {@code _delta_log} folder (not its quarantine table's): the kill is after its commit 1. */
  public static Path targetLog(Path root) {
    TableName target = environment(root).tableName(pipeline(root), TableRef.parse("bronze.orders"));
    return root.resolve("warehouse").resolve(target.catalog()).resolve(target.schema()).resolve(target.table())
        .resolve("_delta_log");
  }

  /** The parent's part: the file the child streams. */
  public static void land(Path root) throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      lines.add(ExpectationsTest.order(i % 10 == 0 ? null : String.valueOf(i), "1", "placed"));
    }
    ExpectationsTest.land(root.resolve("landing/orders"), "a.json", lines.toArray(new String[0]));
  }

  /** The child's part: the pipeline, to be halted right after the target's first data commit (version 1). */
  public static void run(Path root) {
    new PipelineRunner(LocalSpark.session(), pipeline(root), environment(root)).run(RunOptions.all());
  }

  /** After the kill: the rows set aside and not committed; the rerun writes each row once. */
  public static void assertTheRerunWritesEachRowOnce(Path root) throws Exception {
    SparkSession spark = LocalSpark.session();
    PipelineDefinition p = pipeline(root);
    Environment env = environment(root);
    TableName target = env.tableName(p, TableRef.parse("bronze.orders"));
    TableName quarantine = env.quarantineName(p, TableRef.parse("bronze.orders"), "_quarantine");
    Path quarantineFolder = root.resolve("warehouse").resolve(quarantine.catalog()).resolve(quarantine.schema())
        .resolve(quarantine.table());
    try (Stream<Path> left = Files.list(quarantineFolder)) {
      assertThat(left.filter(f -> f.toString().endsWith(".parquet")))
          .as("the killed batch set its quarantine rows aside before dying").isNotEmpty();
    }
    assertThat(spark.read().format("delta").load(quarantineFolder.toString()).count())
        .as("but did not commit them").isZero();

    new PipelineRunner(spark, p, env).run(RunOptions.all());

    assertThat(spark.read().table(target.quoted()).count()).isEqualTo(ROWS - ROWS / 10);
    assertThat(spark.read().table(target.quoted()).where("id IS NULL").count()).isZero();
    assertThat(spark.read().table(quarantine.quoted()).count()).isEqualTo(ROWS / 10);
    assertThat(spark.read().table(quarantine.quoted()).select("_batch_id").distinct().collectAsList())
        .extracting(r -> r.getLong(0)).containsExactly(0L);
    assertThat(root.resolve("checkpoints/quality/bronze/orders/_quarantine_staging")).doesNotExist();
  }
}
