package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.table.TableName;
import io.medallion.testkit.ChildJvm;
import io.medallion.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 between a micro-batch's two commits: a child JVM streams JSON files into a bronze table
 * with a quarantine rule and dies ({@code halt}) right after the target's commit, before the
 * quarantine commit, with the batch's quarantine rows set aside by the write's tasks as Parquet
 * files in the quarantine table's folder, not yet committed. The rerun replays the batch: the
 * target commit is skipped, the quarantine rows are appended once (the killed run's files stay out
 * of the table), and no staging folder is used.
 */
class QuarantineKillTest {
  @TempDir static Path root;

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

  /** The child: runs the pipeline; a watcher halts the JVM once the target's first write is committed. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      Thread watcher = new Thread(() -> {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && !targetWritten(root)) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        System.out.println("halting after the target's commit");
        Runtime.getRuntime().halt(137);
      });
      watcher.setDaemon(true);
      watcher.start();
      new PipelineRunner(LocalSpark.session(), pipeline(root), environment(root)).run(RunOptions.all());
      watcher.join();
    }

    /** The target (not its quarantine table) has its first data commit, version 1. */
    static boolean targetWritten(Path root) {
      try (Stream<Path> files = Files.walk(root.resolve("warehouse"))) {
        return files.anyMatch(p -> p.endsWith(Path.of("orders", "_delta_log", "00000000000000000001.json")));
      } catch (Exception e) {
        return false;
      }
    }
  }

  @Test
  void aRerunAfterKill9BetweenTheTargetAndTheQuarantineWritesEachRowOnce() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      lines.add(ExpectationsTest.order(i % 10 == 0 ? null : String.valueOf(i), "1", "placed"));
    }
    ExpectationsTest.land(root.resolve("landing/orders"), "a.json", lines.toArray(new String[0]));

    Path log = root.resolve("child.log");
    Process child = ChildJvm.start(Child.class, log.toFile(), root.toString());
    assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the child died where told").isTrue();
    assertThat(child.exitValue()).as(Files.readString(log)).isEqualTo(137);
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
