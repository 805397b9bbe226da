package io.medallion.run;

import io.medallion.config.PipelineBuilder;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.source.FileSource;
import io.medallion.source.KafkaSource;
import io.medallion.source.KinesisSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.SourceDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which full refreshes would lose data for good (issue 15, item 2). */
class ResetPolicyTest {
  private static TableDefinition bronze(SourceDefinition source, String resetAllowed) {
    return PipelineBuilder.pipeline("p").schema("s")
        .bronze("t", source, b -> {
          if (resetAllowed != null) {
            b.property(ResetPolicy.PROPERTY, resetAllowed);
          }
        })
        .build().table(TableRef.parse("bronze.t")).orElseThrow();
  }

  @Test
  void sourcesThatCannotBeReplayedAreRefusedByDefault() {
    assertThatThrownBy(() -> ResetPolicy.check(bronze(KafkaSource.json("b:9092", List.of("t"), "id INT"), null), false, "f"))
        .isInstanceOf(MedallionException.class).hasMessageContaining("Kafka").hasMessageContaining("retention");
    assertThatThrownBy(() -> ResetPolicy.check(bronze(KinesisSource.json("s", "eu-west-1", "id INT"), null), false, "f"))
        .hasMessageContaining("Kinesis");
    assertThatThrownBy(() -> ResetPolicy.check(bronze(FileSource.of("/x", "json").withOption("cloudFiles.cleanSource", "move"), null), false, "f"))
        .hasMessageContaining("cloudFiles.cleanSource = MOVE");
    assertThatCode(() -> ResetPolicy.check(bronze(FileSource.of("/x", "json"), null), false, "f")).doesNotThrowAnyException();
  }

  @Test
  void thePropertyOrTheRunAllowsItAndFalseRefusesEverything() {
    KafkaSource kafka = KafkaSource.json("b:9092", List.of("t"), "id INT");
    assertThatCode(() -> ResetPolicy.check(bronze(kafka, "true"), false, "f")).doesNotThrowAnyException();
    assertThatCode(() -> ResetPolicy.check(bronze(kafka, null), true, "f")).doesNotThrowAnyException();
    assertThatThrownBy(() -> ResetPolicy.check(bronze(FileSource.of("/x", "json"), "false"), true, "f"))
        .hasMessageContaining("\"pipelines.reset.allowed\" = \"false\"");
  }
}
