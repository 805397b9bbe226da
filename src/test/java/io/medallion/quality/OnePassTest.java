package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * All rules of a table are evaluated in one projection and counted on the same pass: adding rules
 * adds no Spark job (counted with a SparkListener, as Deequ's tests do).
 */
@ExtendWith(MedallionExtension.class)
class OnePassTest {
  static final TableRef BRONZE = TableRef.parse("bronze.orders");
  static Path landing;

  @BeforeAll
  static void data(Lakehouse lake) throws IOException {
    landing = lake.root().resolve("one-pass");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add(ExpectationsTest.order(i % 17 == 0 ? null : String.valueOf(i), String.valueOf(i % 13 - 2), i % 5 == 0 ? "lost" : "placed"));
    }
    ExpectationsTest.land(landing.resolve("orders"), "a.json", lines.toArray(new String[0]));
  }

  static final class JobCounter extends SparkListener {
    final AtomicInteger jobs = new AtomicInteger();

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
      jobs.incrementAndGet();
    }
  }

  /** Twenty warn and drop rules: status, id and amount checks of every shape. */
  static void twentyWarnAndDrop(PipelineBuilder.BronzeOptions b) {
    for (int i = 0; i < 10; i++) {
      b.expect("warn_" + i, "amount > " + (i - 3) + " OR status = 'x" + i + "'");
      b.expectOrDrop("drop_" + i, "id IS NOT NULL AND length(id) < " + (10 + i));
    }
  }

  static int jobsOfOneRun(Lakehouse lake, Execution execution, Consumer<PipelineBuilder.BronzeOptions> rules, long[] kept)
      throws Exception {
    PipelineDefinition p = ExpectationsTest.orders(landing, execution, rules);
    Environment env = lake.environment(landing.toString());
    lake.runner(p, env).validate(); // catalogs registered, rules compiled: not part of the count
    return jobsOfRun(lake, p, env, kept);
  }

  /** The jobs of one run of {@code p}; {@code kept[0]} gets the rows it wrote to bronze.orders. */
  static int jobsOfRun(Lakehouse lake, PipelineDefinition p, Environment env, long[] kept) throws Exception {
    JobCounter counter = new JobCounter();
    lake.spark().sparkContext().addSparkListener(counter);
    try {
      TableResult r = lake.run(p, env).table(BRONZE).orElseThrow();
      lake.spark().sparkContext().listenerBus().waitUntilEmpty();
      kept[0] = r.rowsWritten();
      return counter.jobs.get();
    } finally {
      lake.spark().sparkContext().removeSparkListener(counter);
    }
  }

  @Test
  void twentyWarnAndDropRulesAddNoJobToABatchTable(Lakehouse lake) throws Exception {
    long[] keptNone = new long[1];
    long[] keptTwenty = new long[1];
    int none = jobsOfOneRun(lake, Execution.BATCH, b -> {}, keptNone);
    int twenty = jobsOfOneRun(lake, Execution.BATCH, OnePassTest::twentyWarnAndDrop, keptTwenty);

    assertThat(keptNone[0]).isEqualTo(200);
    assertThat(keptTwenty[0]).isLessThan(200).isPositive(); // the rules did drop rows
    assertThat(twenty).isEqualTo(none);
  }

  @Test
  void twentyMoreRulesAddNoJobToAStreamingTableWithQuarantine(Lakehouse lake) throws Exception {
    long[] keptOne = new long[1];
    long[] keptMany = new long[1];
    int one = jobsOfOneRun(lake, Execution.STREAMING, b -> b.expectOrQuarantine("positive", "amount > 0"), keptOne);
    int many = jobsOfOneRun(lake, Execution.STREAMING, b -> {
      b.expectOrQuarantine("positive", "amount > 0");
      twentyWarnAndDrop(b);
    }, keptMany);

    assertThat(keptMany[0]).isLessThan(keptOne[0]);
    assertThat(many).isEqualTo(one);
  }

  /**
   * The jobs of a streaming table's second run, one micro-batch of a new file (its tables exist);
   * {@code kept[0]} gets the rows that batch wrote.
   */
  static int jobsOfASecondBatch(Lakehouse lake, Consumer<PipelineBuilder.BronzeOptions> rules, long[] kept)
      throws Exception {
    Path own = lake.root().resolve("second-batch-" + System.nanoTime());
    Files.createDirectories(own.resolve("orders"));
    Files.copy(landing.resolve("orders/a.json"), own.resolve("orders/a.json"));
    PipelineDefinition p = ExpectationsTest.orders(own, Execution.STREAMING, rules);
    Environment env = lake.environment(own.toString());
    lake.run(p, env);
    Files.copy(landing.resolve("orders/a.json"), own.resolve("orders/b.json"));
    return jobsOfRun(lake, p, env, kept);
  }

  /**
   * A micro-batch's quarantine rows are written by the tasks that write the target and committed
   * after it, without a job of their own: a streaming batch with a quarantine rule runs as many
   * jobs as one without rules.
   */
  @Test
  void quarantiningAddsNoJobToAMicroBatch(Lakehouse lake) throws Exception {
    long[] keptAll = new long[1];
    long[] keptSome = new long[1];
    int none = jobsOfASecondBatch(lake, b -> {}, keptAll);
    int quarantine = jobsOfASecondBatch(lake, b -> b.expectOrQuarantine("positive", "amount > 0"), keptSome);

    assertThat(keptAll[0]).isEqualTo(200);
    assertThat(keptSome[0]).isLessThan(200).isPositive(); // rows were quarantined
    assertThat(quarantine).isEqualTo(none);
  }
}
