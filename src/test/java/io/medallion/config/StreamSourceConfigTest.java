package io.medallion.config;

import io.medallion.pipeline.ConfigurationException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.medallion.pipeline.BronzeTable;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.source.KinesisSource;
import io.medallion.pipeline.SourceDefinition;
import io.medallion.source.ValueFormat;
import io.medallion.source.SecretRef;
import io.medallion.pipeline.TableRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka and Kinesis sources in pipeline files: every key read, and each mistake named with a fix. */
class StreamSourceConfigTest {
  private static final String ENV =
      "env {\n  name = t\n  warehouse-root = /w\n  checkpoint-root = /c\n  landing-root = /l\n"
          + "  catalogs { bronze = t_bronze, silver = t_silver, gold = t_gold }\n}\n";

  @TempDir Path conf;

  @BeforeEach
  void environment() throws IOException {
    ConfFolders.withEnvironment(conf, ENV);
  }

  private KafkaSource source(String body) throws IOException {
    return (KafkaSource) anySource(body);
  }

  private SourceDefinition anySource(String body) throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"),
        "pipeline {\n  name = p\n  schema = s\n  bronze.events.source {\n" + body + "\n  }\n}\n");
    return ((BronzeTable) ConfigLoader.load(conf, "p", "t", conf).pipeline()
        .table(TableRef.parse("bronze.events")).orElseThrow()).source();
  }

  @Test
  void theExamplePipelineLoads() {
    PipelineDefinition p = ConfigLoader.load(Path.of("conf"), "events", "local").pipeline();
    KafkaSource orders = (KafkaSource) ((BronzeTable) p.table(TableRef.parse("bronze.orders")).orElseThrow()).source();
    KinesisSource clicks = (KinesisSource) ((BronzeTable) p.table(TableRef.parse("bronze.clicks")).orElseThrow()).source();
    assertThat(orders.commitOffsetsToGroup()).contains("medallion-events-orders");
    assertThat(clicks.streamName()).isEqualTo("clicks");
  }

  @Test
  void readsAKinesisSource() throws IOException {
    KinesisSource s = (KinesisSource) anySource(
        "type = kinesis\n stream-name = orders\n region = eu-west-1\n value-format = string\n"
            + " access-key = \"env:AWS_ACCESS_KEY_ID\"\n secret-key = \"file:/run/secrets/aws\"\n"
            + " options { maxRecordsPerFetch = 5000, endpoint = \"https://vpce-1.kinesis.eu-west-1.vpce.amazonaws.com\" }");

    assertThat(s.streamName()).isEqualTo("orders");
    assertThat(s.region()).isEqualTo("eu-west-1");
    assertThat(s.value()).isEqualTo(ValueFormat.STRING);
    assertThat(s.secretKey()).contains(new SecretRef(SecretRef.Kind.FILE, "/run/secrets/aws"));
    assertThat(s.options()).containsOnly(entry("initialPosition", "trim_horizon"), entry("maxRecordsPerFetch", "5000"),
        entry("endpoint", "https://vpce-1.kinesis.eu-west-1.vpce.amazonaws.com"));
  }

  @Test
  void kinesisMistakes() {
    assertThat(error("type = kinesis, stream-name = s, region = r, value-format = string, execution = batch"))
        .contains("unknown key 'execution'");
    assertThat(error("type = kinesis, stream-name = s, region = r, value-format = string, options { awsSecretKey = abc }"))
        .contains("awsSecretKey", "secret-key").doesNotContain("abc");
    assertThat(error("type = kinesis, streamName = s, region = r, value-format = string"))
        .contains("write stream-name = <stream>");
    assertThat(error("type = kinesis, stream-name = s, region = r, value-format = string, access-key = \"env:K\""))
        .contains("access-key and secret-key go together");
  }

  private String error(String body) {
    ConfigurationException e = catchThrowableOfType(() -> source(body), ConfigurationException.class);
    assertThat(e).as("a ConfigurationException").isNotNull();
    assertThat(e.getMessage()).contains("p.conf");
    return e.getMessage();
  }

  @Test
  void readsEveryKey() throws IOException {
    KafkaSource s = source(
        "type = kafka\n bootstrap-servers = \"b-1:9096,b-2:9096\"\n subscribe = [orders, refunds]\n"
            + " value-schema = \"id INT, amount DOUBLE\"\n commit-offsets-to-group = bronze-orders\n"
            + " security { protocol = SASL_SSL, mechanism = SCRAM-SHA-512, username = svc,"
            + " password = \"env:KAFKA_PASSWORD\", truststore-location = /etc/ts.jks }\n"
            + " options { maxOffsetsPerTrigger = 100000, \"kafka.fetch.max.bytes\" = 1048576 }");

    assertThat(s.bootstrapServers()).isEqualTo("b-1:9096,b-2:9096");
    assertThat(s.subscription()).isEqualTo(new KafkaSource.Subscription(KafkaSource.Subscription.Kind.SUBSCRIBE, "orders,refunds"));
    assertThat(s.value()).isEqualTo(ValueFormat.JSON);
    assertThat(s.valueSchema()).contains("id INT, amount DOUBLE");
    assertThat(s.commitOffsetsToGroup()).contains("bronze-orders");
    KafkaSource.Security sec = s.security().orElseThrow();
    assertThat(sec.protocol()).isEqualTo("SASL_SSL");
    assertThat(sec.mechanism()).contains("SCRAM-SHA-512");
    assertThat(sec.password()).contains(new SecretRef(SecretRef.Kind.ENV, "KAFKA_PASSWORD"));
    assertThat(sec.truststoreLocation()).contains("/etc/ts.jks");
    // medallion.sources.kafka.options under the table's own
    assertThat(s.options()).containsOnly(
        entry("startingOffsets", "earliest"), entry("maxOffsetsPerTrigger", "100000"),
        entry("kafka.fetch.max.bytes", "1048576"));
  }

  @Test
  void patternsAssignmentsAndRawValues() throws IOException {
    KafkaSource pattern = source("type = kafka, bootstrap-servers = \"b:9092\", subscribe-pattern = \"orders-.*\", value-format = string");
    assertThat(pattern.subscription().kind()).isEqualTo(KafkaSource.Subscription.Kind.SUBSCRIBE_PATTERN);
    assertThat(pattern.value()).isEqualTo(ValueFormat.STRING);
    KafkaSource assign = source("type = kafka, bootstrap-servers = \"b:9092\", assign = \"{\\\"t\\\":[0]}\", value-format = binary");
    assertThat(assign.subscription().value()).isEqualTo("{\"t\":[0]}");
    assertThat(assign.valueSchema()).isEqualTo(Optional.empty());
  }

  @Test
  void aLiteralPasswordIsRefusedWithoutRepeatingIt() {
    String message = error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [t], value-format = string\n"
        + " security { protocol = SASL_SSL, mechanism = PLAIN, username = u, password = \"hunter2-secret\" }");
    assertThat(message)
        .contains("pipeline.bronze.events.source.security.password", "env:KAFKA_PASSWORD", "never as the value itself")
        .doesNotContain("hunter2");
  }

  @Test
  void secretsInOptionsAreRefused() {
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [t], value-format = string\n"
        + " options { \"kafka.sasl.jaas.config\" = \"x required password=y;\" }"))
        .contains("kafka.sasl.jaas.config", "security { ... }")
        .doesNotContain("password=y");
  }

  @Test
  void subscriptionMistakes() {
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", value-format = string"))
        .contains("needs one of subscribe = [topic, ...], subscribe-pattern");
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [a], subscribe-pattern = \"a.*\", value-format = string"))
        .contains("takes only one of", "found subscribe and subscribe-pattern");
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", topic = orders, value-format = string"))
        .contains("topic", "subscribe = [<topic>]");
  }

  @Test
  void jsonNeedsASchemaAndSecurityMustBeCoherent() {
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [t]"))
        .contains("value-schema", "value-format = string");
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [t], value-format = string\n"
        + " security { protocol = SASL_SSL }"))
        .contains("needs a mechanism");
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [t], value-format = string\n"
        + " security { protocol = SASL_SSL, mechanism = AWS_MSK_IAM, username = u }"))
        .contains("AWS_MSK_IAM authenticates with AWS credentials");
    assertThat(error("type = kafka, bootstrap-servers = \"b:9092\", subscribe = [t], value-format = strng"))
        .contains("'strng' is not a valid value-format", "json | string | binary");
  }
}
