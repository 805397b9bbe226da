package io.medallion.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.connector.kinesis.internal.KinesisOptions;
import io.medallion.source.KafkaSource;
import io.medallion.source.KinesisSource;
import io.medallion.source.SecretRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every credential-bearing option is a secret (issue 15, item 10). */
class SecretsTest {
  private static final KafkaSource KAFKA = KafkaSource.json("b:9092", List.of("t"), "id INT");
  private static final KinesisSource KINESIS = KinesisSource.json("s", "eu-west-1", "id INT");

  @Test
  void credentialOptionsAreRefusedInConfig() {
    assertThatThrownBy(() -> KAFKA.withOption("kafka.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----\nMIIE..."))
        .hasMessageContaining("kafka.ssl.keystore.key").hasMessageContaining("credential")
        .hasMessageNotContaining("MIIE");
    assertThatThrownBy(() -> KAFKA.withOption("kafka.sasl.oauthbearer.client.secret", "x"))
        .hasMessageContaining("credential");
    assertThatThrownBy(() -> KINESIS.withOption("endpoint", "https://AKIA123:wJalrXUtnFEMI@kinesis.local"))
        .hasMessageContaining("endpoint").hasMessageNotContaining("wJalrXUtnFEMI");
    assertThatThrownBy(() -> KINESIS.withOption("sessionToken", "abc")).hasMessageContaining("credential");
    assertThat(KAFKA.withOption("kafka.sasl.oauthbearer.token.endpoint.url", "https://idp/token").options())
        .containsKey("kafka.sasl.oauthbearer.token.endpoint.url");
    assertThat(KAFKA.withOption("maxOffsetsPerTrigger", "10").options()).containsKey("maxOffsetsPerTrigger");
  }

  @Test
  void aValueWrittenAfterEnvIsNeverEchoed() {
    String password = "hunter2!x";
    assertThatThrownBy(() -> SecretRef.parse("env:" + password)).hasMessageNotContaining(password)
        .hasMessageContaining("env:KAFKA_PASSWORD");
    assertThat(SecretRef.parse("env:kafkapass").toString()).isEqualTo("env:***");
    assertThat(SecretRef.parse("env:KAFKA_PASSWORD").toString()).isEqualTo("env:KAFKA_PASSWORD");
  }

  @Test
  void shortValuesAreMaskedWhereTheyStandAlone() {
    Secrets.remember("q7z"); // as every secret value read is
    assertThat(Secrets.redact("login failed for password q7z; user=admin")).isEqualTo("login failed for password ***; user=admin");
    assertThat(Secrets.redact("id q7zz stays")).isEqualTo("id q7zz stays");
  }

  @Test
  void theKinesisAccessKeyIdIsNotShown() {
    String text = KinesisOptions.parse(new org.apache.spark.sql.util.CaseInsensitiveStringMap(Map.of("streamName", "s", "region", "eu-west-1",
        "awsAccessKey", "AKIAEXAMPLEKEYID1234", "awsSecretKey", "secret-value-1234"))).toString();
    assertThat(text).contains("static key").doesNotContain("AKIAEXAMPLEKEYID1234").doesNotContain("secret-value-1234");
  }
}
