package io.medallion.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SparkRedactionTest {
  private static final Pattern REGEX = Pattern.compile(SparkRedaction.STRING_REGEX);
  private static final Pattern PLAIN = Pattern.compile(SparkRedaction.CREDENTIALS);

  /** Plan text with each kind of credential the regex is for, in the forms Spark prints them. */
  private static final List<String> PLANS = List.of(
      "Relation[key#1,value#2] kafka, Map(kafka.sasl.jaas.config -> org.apache.kafka.common.security"
          + ".plain.PlainLoginModule required username=\"app\" password=\"s3cr3t-Kafka\";, subscribe -> t)",
      "Options: {kafka.ssl.truststore.password=trustPw9, kafka.ssl.key.password: keyPw8, x=1}",
      "Location: InMemoryFileIndex[s3a://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/landing/orders]",
      "KinesisSource[stream, awsSecretKey -> aws-Secret-1, awsAccessKey -> AKIAID, region -> us-east-1]",
      "Scan JDBC [user=app, PASSWORD = \"Upper-Case\", Token=\"tok-123\", Secret = \"sh\"]",
      "fs.s3a.secret.key=abc/def, fs.s3a.access.key: AKIA2",
      // Plan text without credentials: names that only start like one stay as they are.
      "Project [passenger#1, secretary#2, token_count#3, sasl#4, access#5, aws#6] +- Filter (status#7 = a)",
      "FileScan parquet spark_catalog.silver.orders[id#1L,store#2] Location: "
          + "TahoeBatchFileIndex(1 paths)[file:/tmp/warehouse/silver/orders], ReadSchema: struct<id:bigint>");

  @Test
  void masksEveryCredentialFormAndLeavesPlainPlanTextAlone() {
    String redacted = PLANS.stream().map(p -> REGEX.matcher(p).replaceAll("*REDACTED*"))
        .reduce("", (a, b) -> a + "\n" + b);
    assertThat(redacted).doesNotContain("s3cr3t-Kafka", "trustPw9", "keyPw8", "wJalrXUtnFEMI",
        "aws-Secret-1", "AKIAID", "Upper-Case", "tok-123", "\"sh\"", "abc/def", "AKIA2");
    assertThat(redacted).contains("subscribe -> t", "x=1", "bucket/landing/orders", "region -> us-east-1",
        "user=app", PLANS.get(6), PLANS.get(7));
  }

  @Test
  void theLookAheadChangesNoMatch() {
    // The look-ahead is only a fast rejection: every match of the plain alternation is still found,
    // at the same place, and nothing else is.
    for (String plan : PLANS) {
      assertThat(REGEX.matcher(plan).results().map(m -> m.start() + ":" + m.group()).toList())
          .as(plan)
          .isEqualTo(PLAIN.matcher(plan).results().map(m -> m.start() + ":" + m.group()).toList());
    }
    assertThat(PLAIN.matcher(String.join("\n", PLANS)).results().count()).isEqualTo(12);
  }
}
