package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.quality.Action;
import io.medallion.quality.DatasetCheck;
import io.medallion.quality.Expectation;
import io.medallion.quality.NullResult;
import io.medallion.quality.QualityRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expectations, groups and checks in pipeline files: what they mean and the mistakes they catch. */
class QualityConfigTest {
  private static final String ENV =
      "env { name = t, warehouse-root = /w, checkpoint-root = /c, landing-root = /l,"
          + " catalogs { bronze = b, silver = s, gold = g } }\n";

  @TempDir Path conf;

  @BeforeEach
  void environment() throws IOException {
    ConfFolders.withEnvironment(conf, ENV);
  }

  private PipelineDefinition load(String bronzeKeys) throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"),
        "pipeline {\n  name = p\n  schema = s\n  bronze.orders {\n    source { type = files, path = /x, format = json }\n"
            + bronzeKeys + "\n  }\n}\n");
    return ConfigLoader.load(conf, "p", "t", conf).pipeline();
  }

  private ConfigurationException error(String bronzeKeys) {
    ConfigurationException e = catchThrowableOfType(() -> load(bronzeKeys), ConfigurationException.class);
    assertThat(e).as("a ConfigurationException").isNotNull();
    assertThat(e.getMessage()).contains("p.conf:");
    return e;
  }

  @Test
  void readsRulesGroupsAndChecksWithTheirDefaults() throws IOException {
    PipelineDefinition p = load(String.join("\n",
        "    expectations {",
        "      valid_id = \"id IS NOT NULL\"",
        "      valid_amount { expr = \"amount > 0\", on-violation = quarantine, null-result = violation }",
        "    }",
        "    expectation-groups {",
        "      parsable { on-violation = drop, rules { has_ts = \"ts IS NOT NULL\", has_status = \"status IS NOT NULL\" } }",
        "    }",
        "    checks {",
        "      enough { type = row-count, min = 1, max = 1000 }",
        "      few_bad { type = rejected-share, max = 0.05, on-violation = warn }",
        "      one_each { type = unique, columns = [id] }",
        "      known { type = null-share, column = customer_id, max = 0.01 }",
        "      fresh { type = freshness, column = ts, max-age = 2 days }",
        "    }"));
    QualityRules q = p.table(TableRef.parse("bronze.orders")).orElseThrow().quality();

    assertThat(q.expectations()).containsExactly(
        new Expectation("valid_id", "id IS NOT NULL", Action.WARN, NullResult.PASS, Optional.empty()),
        new Expectation("valid_amount", "amount > 0", Action.QUARANTINE, NullResult.VIOLATION, Optional.empty()),
        // keys on one line come in name order (HOCON objects keep no order; a file's lines do)
        new Expectation("has_status", "status IS NOT NULL", Action.DROP, NullResult.PASS, Optional.of("parsable")),
        new Expectation("has_ts", "ts IS NOT NULL", Action.DROP, NullResult.PASS, Optional.of("parsable")));
    assertThat(q.checks()).containsExactly(
        new DatasetCheck.RowCount("enough", Action.FAIL, OptionalLong.of(1), OptionalLong.of(1000)),
        new DatasetCheck.RejectedShare("few_bad", Action.WARN, 0.05),
        new DatasetCheck.Unique("one_each", Action.FAIL, List.of("id")),
        new DatasetCheck.NullShare("known", Action.FAIL, "customer_id", 0.01),
        new DatasetCheck.Freshness("fresh", Action.FAIL, "ts", Duration.ofDays(2)));
  }

  @Test
  void anExpressionThatDoesNotParseIsNamedWithItsLine() {
    ConfigurationException e = error("    expectations {\n      valid_amount = \"amount >\"\n    }");
    assertThat(e.getMessage())
        .contains("p.conf:7: pipeline.bronze.orders.expectations.valid_amount")
        .contains("the expression \"amount >\" does not parse");
  }

  @Test
  void anUnknownActionListsTheActions() {
    ConfigurationException e = error("    expectations { v { expr = \"x > 0\", on-violation = reject } }");
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.expectations.v.on-violation")
        .contains("'reject' is not a valid on-violation: expected one of warn | drop | quarantine | fail");
  }

  @Test
  void aMisspelledRuleKeyIsExplained() {
    assertThat(error("    expectations { v { expression = \"x > 0\" } }").getMessage())
        .contains("pipeline.bronze.orders.expectations.v.expression")
        .contains("the expression key is expr");
  }

  @Test
  void twoRulesWithOneNameAreRejected() {
    ConfigurationException e = error(
        "    expectations { v = \"x > 0\" }\n    expectation-groups { g { on-violation = drop, rules { v = \"y > 0\" } } }");
    assertThat(e.getMessage())
        .contains("pipeline.bronze.orders.expectation-groups.g.rules.v")
        .contains("already defined at pipeline.bronze.orders.expectations.v");
  }

  @Test
  void checkMistakesNameTheCheck() {
    assertThat(error("    checks { n { type = row-cnt, min = 1 } }").getMessage())
        .contains("pipeline.bronze.orders.checks.n.type").contains("Did you mean 'row-count'?");
    assertThat(error("    checks { n { type = row-count } }").getMessage())
        .contains("pipeline.bronze.orders.checks.n").contains("needs min, max or both");
    assertThat(error("    checks { n { type = rejected-share, max = 5 } }").getMessage())
        .contains("max is a share between 0 and 1 (0.05 means 5%), not 5.0");
    assertThat(error("    checks { n { type = unique, columns = [id], on-violation = drop } }").getMessage())
        .contains("pipeline.bronze.orders.checks.n.on-violation")
        .contains("expected one of fail | warn");
    assertThat(error("    checks { n { type = row-count, min = 1.5 } }").getMessage())
        .contains("pipeline.bronze.orders.checks.n.min").contains("expected a whole number of rows");
  }

  @Test
  void theEventLogSettingIsReadFromTheEnvironment() throws IOException {
    Files.writeString(conf.resolve("env/t.conf"), ENV.replace("landing-root = /l,", "landing-root = /l, event-log = \"ops.logs.events\","));
    assertThat(ConfigLoader.loadEnvironment(conf.resolve("env/t.conf"), conf).eventLog()).isEqualTo("ops.logs.events");
    Files.writeString(conf.resolve("env/t.conf"), ENV.replace("landing-root = /l,", "landing-root = /l, event-log = \"ops.events\","));
    assertThat(catchThrowableOfType(() -> ConfigLoader.loadEnvironment(conf.resolve("env/t.conf"), conf),
            ConfigurationException.class).getMessage())
        .contains("event-log 'ops.events' is not auto, off or a catalog.schema.table name");
  }
}
