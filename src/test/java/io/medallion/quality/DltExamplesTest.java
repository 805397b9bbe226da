package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.source.FileSource;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.run.TableResult;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The examples of the Delta Live Tables expectations documentation ("Manage data quality with
 * pipeline expectations"), written with medallion, with the outcomes DLT documents.
 */
@ExtendWith(MedallionExtension.class)
class DltExamplesTest {
  static final TableRef CLICKS = TableRef.parse("bronze.clicks");
  static Path landing;

  @BeforeAll
  static void data(Lakehouse lake) throws IOException {
    landing = lake.root().resolve("dlt");
    ExpectationsTest.land(landing.resolve("clicks"), "a.json",
        "{\"timestamp\": \"2013-05-01\", \"current_page_id\": 1, \"current_page_title\": \"Home\", \"count\": 3,"
            + " \"website\": \"a.com\", \"location\": \"NL\", \"age\": 30}",
        "{\"timestamp\": \"2011-01-01\", \"current_page_id\": 2, \"current_page_title\": \"Old\", \"count\": 1,"
            + " \"website\": \"b.com\", \"location\": \"DE\", \"age\": 44}",
        "{\"timestamp\": null, \"current_page_id\": null, \"current_page_title\": \"Lost\", \"count\": 2,"
            + " \"website\": null, \"location\": \"FR\", \"age\": 130}",
        "{\"timestamp\": \"2020-02-02\", \"current_page_id\": 4, \"current_page_title\": null, \"count\": 0,"
            + " \"website\": \"d.com\", \"location\": null, \"age\": 19}");
  }

  static TableResult run(Lakehouse lake, Consumer<PipelineBuilder.BronzeOptions> rules) {
    PipelineDefinition p = PipelineBuilder.pipeline("dlt").schema("docs")
        .bronze("clicks", FileSource.of(landing.resolve("clicks").toString(), "json").withSchema(
                "timestamp DATE, current_page_id BIGINT, current_page_title STRING, count INT, website STRING,"
                    + " location STRING, age INT"),
            b -> rules.accept(b.execution(Execution.BATCH)))
        .build();
    Environment env = lake.environment(landing.toString());
    return lake.run(p, env).table(CLICKS).orElseThrow();
  }

  static Map<String, String> validRules() {
    Map<String, String> rules = new LinkedHashMap<>();
    rules.put("valid_website", "website IS NOT NULL");
    rules.put("valid_location", "location IS NOT NULL");
    return rules;
  }

  @Test
  void expectKeepsInvalidRecordsAndReportsThem(Lakehouse lake) {
    // CONSTRAINT valid_timestamp EXPECT (timestamp > '2012-01-01')
    TableResult r = run(lake, b -> b.expect("valid_timestamp", "timestamp > '2012-01-01'"));
    assertThat(r.rowsWritten()).isEqualTo(4);
    // Only the 2011 row returns false; the NULL timestamp is not a violation.
    assertThat(r.quality().expectations().get(0).failedRecords()).isEqualTo(1);
    assertThat(r.quality().expectations().get(0).passedRecords()).isEqualTo(3);
  }

  @Test
  void expectOrDropRemovesInvalidRecords(Lakehouse lake) {
    // CONSTRAINT valid_current_page EXPECT (current_page_id IS NOT NULL and current_page_title IS NOT NULL)
    //   ON VIOLATION DROP ROW
    TableResult r = run(lake, b -> b.expectOrDrop("valid_current_page",
        "current_page_id IS NOT NULL and current_page_title IS NOT NULL"));
    assertThat(r.rowsWritten()).isEqualTo(2);
    assertThat(r.quality().dropped()).isEqualTo(2);
  }

  @Test
  void expectOrFailStopsTheUpdate(Lakehouse lake) {
    // CONSTRAINT valid_count EXPECT (count > 0) ON VIOLATION FAIL UPDATE
    assertThatThrownBy(() -> run(lake, b -> b.expectOrFail("valid_count", "count > 0")))
        .isInstanceOf(QualityException.class)
        .hasMessageContaining("expectation valid_count (on-violation = fail, \"count > 0\") failed for 1 of 4 rows")
        .hasMessageContaining("current_page_id=4");
  }

  @Test
  void expectAllVariantsApplyOneActionToSeveralRules(Lakehouse lake) {
    // @dlt.expect_all(valid_rules), @dlt.expect_all_or_drop(valid_rules), @dlt.expect_all_or_fail(valid_rules)
    TableResult all = run(lake, b -> b.expectAll("valid_rules", Action.WARN, validRules()));
    assertThat(all.rowsWritten()).isEqualTo(4);
    assertThat(all.quality().expectations()).extracting(e -> e.name() + ":" + e.failedRecords())
        .containsExactly("valid_website:1", "valid_location:1");

    TableResult drop = run(lake, b -> b.expectAll("valid_rules", Action.DROP, validRules()));
    assertThat(drop.rowsWritten()).isEqualTo(2);

    assertThatThrownBy(() -> run(lake, b -> b.expectAll("valid_rules", Action.FAIL, validRules())))
        .isInstanceOf(QualityException.class)
        .hasMessageContaining("valid_website")
        .hasMessageContaining("valid_location");
  }

  @Test
  void anExpectationOnARangeCountsOutOfRangeRows(Lakehouse lake) {
    // @dlt.expect("valid_customer_age", "age BETWEEN 0 AND 120")
    TableResult r = run(lake, b -> b.expect("valid_customer_age", "age BETWEEN 0 AND 120"));
    assertThat(r.quality().expectations().get(0).failedRecords()).isEqualTo(1);
    assertThat(r.quality().warned()).isEqualTo(1);
  }
}
