package io.medallion.source.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.internal.Secrets;
import io.medallion.source.KafkaSource;
import io.medallion.source.SecretRef;
import io.medallion.platform.internal.DatabricksPlatform;
import io.medallion.platform.internal.OssPlatform;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Spark Kafka options a source becomes on each platform: shaded login modules and secret scopes
 * on Databricks (a fake secret store stands in for the workspace), plain names and environment
 * variables on open-source Spark.
 */
class KafkaOptionsTest {
  static final KafkaSource SCRAM = KafkaSource.json("b-1:9096", List.of("orders"), "id INT")
      .withOption("maxOffsetsPerTrigger", "1000")
      .withSecurity(KafkaSource.Security.sasl("SASL_SSL", "SCRAM-SHA-512", "svc", SecretRef.parse("secret:kafka/svc-password")));

  @Test
  void databricksUsesShadedLoginModulesAndSecretScopes() {
    DatabricksPlatform databricks = new DatabricksPlatform(
        (scope, key) -> scope.equals("kafka") && key.equals("svc-password") ? "s3cr3t-from-scope" : null);

    Map<String, String> options = KafkaInput.sparkOptions(SCRAM, databricks, Map.of());

    assertThat(options).containsEntry("kafka.bootstrap.servers", "b-1:9096")
        .containsEntry("subscribe", "orders")
        .containsEntry("maxOffsetsPerTrigger", "1000")
        .containsEntry("includeHeaders", "true")
        .containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsEntry("kafka.sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("kafka.sasl.jaas.config",
            "kafkashaded.org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc\""
                + " password=\"s3cr3t-from-scope\";");
    assertThat(Secrets.redact("auth failed for s3cr3t-from-scope")).isEqualTo("auth failed for ***");
  }

  @Test
  void ossUsesPlainNamesAndEnvironmentVariables() {
    KafkaSource plain = KafkaSource.json("b:9092", List.of("t"), "id INT")
        .withSecurity(KafkaSource.Security.sasl("SASL_PLAINTEXT", "PLAIN", "u", SecretRef.parse("env:KAFKA_PW")));

    Map<String, String> options = KafkaInput.sparkOptions(plain, new OssPlatform(), Map.of("KAFKA_PW", "pw-from-env"));

    assertThat(options.get("kafka.sasl.jaas.config")).isEqualTo(
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"pw-from-env\";");
  }

  @Test
  void mskIamNeedsNoPasswordAndIsShadedOnDatabricks() {
    KafkaSource iam = KafkaSource.json("b-1:9098", List.of("t"), "id INT").withSecurity(new KafkaSource.Security(
        "SASL_SSL", Optional.of("AWS_MSK_IAM"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of("arn:aws:iam::123456789012:role/msk")));

    Map<String, String> oss = KafkaInput.sparkOptions(iam, new OssPlatform(), Map.of());
    Map<String, String> dbr = KafkaInput.sparkOptions(iam, new DatabricksPlatform((s, k) -> null), Map.of());

    assertThat(oss).containsEntry("kafka.sasl.jaas.config",
            "software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn=\"arn:aws:iam::123456789012:role/msk\";")
        .containsEntry("kafka.sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    assertThat(dbr.get("kafka.sasl.jaas.config")).startsWith("shadedmskiam.software.amazon.msk.auth.iam.IAMLoginModule");
  }

  @Test
  void unreadableSecretsNameTheReferenceAndTheFix() {
    assertThatThrownBy(() -> KafkaInput.sparkOptions(SCRAM, new OssPlatform(), Map.of()))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("secret:kafka/svc-password")
        .hasMessageContaining("open-source Spark")
        .hasMessageContaining("env:NAME");
    KafkaSource env = KafkaSource.json("b:9092", List.of("t"), "id INT")
        .withSecurity(KafkaSource.Security.sasl("SASL_SSL", "PLAIN", "u", SecretRef.parse("env:NOT_SET_ANYWHERE")));
    assertThatThrownBy(() -> KafkaInput.sparkOptions(env, new OssPlatform(), Map.of()))
        .hasMessageContaining("env:NOT_SET_ANYWHERE", "the environment variable it names is not set");
    assertThatThrownBy(() -> KafkaInput.sparkOptions(SCRAM, new DatabricksPlatform((s, k) -> null), Map.of()))
        .hasMessageContaining("cannot read secret 'svc-password' of secret scope 'kafka'");
  }
}
