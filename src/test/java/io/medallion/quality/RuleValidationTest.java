package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.table.internal.DeltaTables;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rules that cannot work fail at start-up (and in validate), before any data moves. */
@ExtendWith(MedallionExtension.class)
class RuleValidationTest {
  static Path landing;

  @BeforeAll
  static void data(Lakehouse lake) throws IOException {
    landing = lake.root().resolve("validation");
    ExpectationsTest.land(landing.resolve("orders"), "a.json", ExpectationsTest.order("1", "1.0", "placed"));
  }

  static void failsAtStartUp(Lakehouse lake, Consumer<PipelineBuilder.BronzeOptions> rules, String... messages) {
    PipelineDefinition p = ExpectationsTest.orders(landing, Execution.STREAMING, rules);
    Environment env = lake.environment(landing.toString());
    assertThatThrownBy(() -> lake.runner(p, env).validate())
        .isInstanceOf(MedallionException.class).hasMessageContainingAll(messages);
    assertThatThrownBy(() -> lake.run(p, env))
        .isInstanceOf(MedallionException.class).hasMessageContainingAll(messages);
    assertThat(DeltaTables.exists(lake.spark(), env.tableName(p, TableRef.parse("bronze.orders")))).isFalse();
  }

  @Test
  void aRuleNamingAnUnknownColumnNamesTheRuleTableConfigPathAndCandidates(Lakehouse lake) {
    failsAtStartUp(lake, b -> b.expectOrDrop("positive", "amout > 0"),
        "pipeline 'quality' built in code: pipeline.bronze.orders.expectations.positive:",
        "expression \"amout > 0\" of expectation positive of table bronze.orders does not resolve",
        "`amout` cannot be resolved", "`amount`",
        "The table's columns are [id, amount, status, api_token, _rescued_data, _source_file");
  }

  /** The small-batch setting is read by each micro-batch; a value that is not a size fails validate and the run first. */
  @Test
  void aSmallBatchThresholdThatIsNotASizeFailsBeforeAnyTable(Lakehouse lake) {
    lake.spark().conf().set("spark.medallion.interpretedBatchMaxBytes", "eight megs");
    try {
      failsAtStartUp(lake, b -> {}, "spark.medallion.interpretedBatchMaxBytes = 'eight megs' is not a size",
          "with a unit (8m, 512k)");
    } finally {
      lake.spark().conf().unset("spark.medallion.interpretedBatchMaxBytes");
    }
  }

  @Test
  void aRuleInAGroupIsNamedByItsGroupPath(Lakehouse lake) {
    failsAtStartUp(lake, b -> b.expectAll("valid", Action.DROP, java.util.Map.of("has_state", "state IS NOT NULL")),
        "pipeline.bronze.orders.expectation-groups.valid.rules.has_state", "`state` cannot be resolved");
  }

  @Test
  void aRuleMustBeARowLevelBooleanCondition(Lakehouse lake) {
    failsAtStartUp(lake, b -> b.expect("amount_only", "amount"),
        "expectation amount_only of table bronze.orders is of type double, not boolean");
    failsAtStartUp(lake, b -> b.expect("sum_positive", "sum(amount) > 0"),
        "is not a row-level, deterministic condition");
    failsAtStartUp(lake, b -> b.expect("random", "rand() > 0.5"),
        "is not a row-level, deterministic condition");
  }

  @Test
  void checkColumnsMustExistAndFreshnessNeedsATimestamp(Lakehouse lake) {
    failsAtStartUp(lake, b -> b.check(new DatasetCheck.NullShare("known", Action.FAIL, "customer", 0.1)),
        "pipeline.bronze.orders.checks.known: column 'customer' is not a column of bronze.orders");
    failsAtStartUp(lake, b -> b.check(new DatasetCheck.Freshness("fresh", Action.FAIL, "status", java.time.Duration.ofDays(1))),
        "column 'status' of bronze.orders is string, but a freshness check needs a timestamp or date column");
  }

  @Test
  void mistakesInCodeFailWhenThePipelineIsBuilt() {
    assertThatThrownBy(() -> ExpectationsTest.orders(landing, Execution.BATCH, b -> b.expect("bad", "amount >")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline.bronze.orders.expectations.bad")
        .hasMessageContaining("does not parse");
    assertThatThrownBy(() -> ExpectationsTest.orders(landing, Execution.BATCH, b -> b.expect("a", "x > 0").expectOrDrop("a", "y > 0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("expectation a is defined twice");
    assertThatThrownBy(() -> new DatasetCheck.RowCount("n", Action.DROP, OptionalLong.of(1), OptionalLong.empty()))
        .hasMessageContaining("on-violation must be fail or warn, not drop");
    assertThatThrownBy(() -> new DatasetCheck.RejectedShare("s", Action.FAIL, 5))
        .hasMessageContaining("max is a share between 0 and 1 (0.05 means 5%), not 5.0");
    assertThatThrownBy(() -> new DatasetCheck.Unique("u", Action.FAIL, List.of()))
        .hasMessageContaining("needs columns");
  }
}
