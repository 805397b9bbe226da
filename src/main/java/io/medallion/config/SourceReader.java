package io.medallion.config;

import io.medallion.internal.Suggestions;
import io.medallion.source.FileSource;
import io.medallion.source.KafkaSource;
import io.medallion.source.ValueFormat;
import io.medallion.source.KafkaSource.Security;
import io.medallion.source.KafkaSource.Subscription;
import io.medallion.source.KinesisSource;
import io.medallion.source.SecretRef;
import io.medallion.pipeline.SourceDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a bronze table's {@code source { type = ..., ... }}, one method per type, with the type's
 * defaults ({@code medallion.sources.<type>.options}) under the table's own options.
 */
final class SourceReader {
  static final List<String> TYPES = List.of("files", "kafka", "kinesis");

  private static final Set<String> FILES_KEYS = Set.of("type", "path", "format", "schema", "options");
  private static final Set<String> KAFKA_KEYS =
      Set.of("type", "bootstrap-servers", "subscribe", "subscribe-pattern", "assign", "value-format",
          "value-schema", "security", "commit-offsets-to-group", "options");
  private static final Set<String> SECURITY_KEYS =
      Set.of("protocol", "mechanism", "username", "password", "truststore-location", "truststore-password",
          "keystore-location", "keystore-password", "aws-role-arn");
  private static final Set<String> KINESIS_KEYS =
      Set.of("type", "stream-name", "region", "value-format", "value-schema", "access-key", "secret-key", "options");
  private static final Map<String, String> KINESIS_HINTS =
      Map.of(
          "stream", "write stream-name = <stream>",
          "streamName", "write stream-name = <stream> (Databricks' other options go in options { ... })",
          "endpoint", "put it in options { endpoint = \"https://...\" } (a VPC endpoint or an emulator)",
          "initial-position", "write options { initialPosition = trim_horizon } (Databricks' option name)");
  private static final Map<String, ValueFormat> VALUE_FORMATS =
      PipelineReader.choices(
          "json", ValueFormat.JSON,
          "string", ValueFormat.STRING,
          "binary", ValueFormat.BINARY);
  private static final Map<String, String> KAFKA_HINTS =
      Map.of(
          "topic", "write subscribe = [" + "<topic>] (a list), subscribe-pattern = \"<regex>\" or assign = \"<json>\"",
          "topics", "write subscribe = [<topic>, ...]",
          "schema", "a Kafka source names the columns of its JSON value in value-schema = \"...\"",
          "format", "a Kafka source decodes its value by value-format = json | string | binary",
          "kafka.bootstrap.servers", "write bootstrap-servers = \"host:9092,...\"");

  private final Path baseDir;
  private final TableAssembler tables;

  SourceReader(Path baseDir, TableAssembler tables) {
    this.baseDir = baseDir;
    this.tables = tables;
  }

  SourceDefinition read(Section s) {
    String type = s.string("type", "the source type, one of: " + String.join(", ", TYPES));
    switch (type) {
      case "files":
        return files(s);
      case "kafka":
        return kafka(s);
      case "kinesis":
        return kinesis(s);
      default:
        throw s.error(
            "type",
            "unknown source type '" + type + "': the source types are " + String.join(", ", TYPES)
                + "." + Suggestions.didYouMean(type, TYPES));
    }
  }

  private FileSource files(Section s) {
    s.allowOnly(FILES_KEYS, "a files source", Map.of());
    String path = s.nonBlank("path", "the directory files land in, e.g. path = ${env.landing-root}/orders");
    String format = s.nonBlank("format", "the file format, e.g. format = json (csv, parquet, text, ...)");
    Optional<String> schema =
        s.optionalString("schema", "the columns as DDL, e.g. schema = \"order_id STRING, amount DOUBLE\"");
    return new FileSource(Paths.resolve(path, baseDir), format, schema, options(s, "files"));
  }

  private KafkaSource kafka(Section s) {
    s.allowOnly(KAFKA_KEYS, "a kafka source", KAFKA_HINTS);
    String servers = s.nonBlank("bootstrap-servers", "the brokers, e.g. bootstrap-servers = \"b-1.msk.example:9098,b-2.msk.example:9098\"");
    Subscription subscription = subscription(s);
    ValueFormat format = s.has("value-format") ? s.choice("value-format", VALUE_FORMATS) : ValueFormat.JSON;
    Optional<String> schema = s.optionalString("value-schema", "the JSON value's columns as DDL, e.g. value-schema = \"order_id STRING, amount DOUBLE\"");
    if (format == ValueFormat.JSON && schema.isEmpty()) {
      throw s.error("value-schema",
          "a kafka source with value-format = json (the default) needs value-schema = \"<columns as DDL>\","
              + " e.g. value-schema = \"order_id STRING, amount DOUBLE\"; or keep the raw value with"
              + " value-format = string");
    }
    Optional<Security> security = s.optionalSection("security", "security { protocol = SASL_SSL, ... }").map(this::security);
    Optional<String> group = s.optionalString("commit-offsets-to-group", "a consumer group id, e.g. commit-offsets-to-group = bronze-orders");
    try {
      return new KafkaSource(servers, subscription, format, schema, security, group, options(s, "kafka"));
    } catch (IllegalArgumentException e) {
      throw s.error(e.getMessage());
    }
  }

  private KinesisSource kinesis(Section s) {
    s.allowOnly(KINESIS_KEYS, "a kinesis source", KINESIS_HINTS);
    String stream = s.nonBlank("stream-name", "the stream, e.g. stream-name = orders");
    String region = s.nonBlank("region", "the stream's AWS region, e.g. region = eu-west-1");
    ValueFormat format = s.has("value-format") ? s.choice("value-format", VALUE_FORMATS) : ValueFormat.JSON;
    Optional<String> schema = s.optionalString("value-schema", "the JSON value's columns as DDL, e.g. value-schema = \"order_id STRING, amount DOUBLE\"");
    if (format == ValueFormat.JSON && schema.isEmpty()) {
      throw s.error("value-schema",
          "a kinesis source with value-format = json (the default) needs value-schema = \"<columns as DDL>\";"
              + " or keep the raw data with value-format = string or binary");
    }
    try {
      return new KinesisSource(stream, region, format, schema, secret(s, "access-key"), secret(s, "secret-key"),
          options(s, "kinesis"));
    } catch (IllegalArgumentException e) {
      throw s.error(e.getMessage());
    }
  }

  private Subscription subscription(Section s) {
    List<String> given = new ArrayList<>();
    for (String key : List.of("subscribe", "subscribe-pattern", "assign")) {
      if (s.userSet(key)) {
        given.add(key);
      }
    }
    if (given.size() != 1) {
      throw s.error(
          (given.isEmpty() ? "a kafka source needs one of" : "a kafka source takes only one of")
              + " subscribe = [topic, ...], subscribe-pattern = \"<regex>\" or assign = \"{\\\"topic\\\":[0,1]}\""
              + (given.isEmpty() ? "" : "; found " + String.join(" and ", given)));
    }
    switch (given.get(0)) {
      case "subscribe":
        List<String> topics = s.stringList("subscribe", "a list of topics, e.g. subscribe = [orders, refunds]");
        try {
          return Subscription.topics(topics);
        } catch (IllegalArgumentException e) {
          throw s.error("subscribe", e.getMessage());
        }
      case "subscribe-pattern":
        return new Subscription(Subscription.Kind.SUBSCRIBE_PATTERN,
            s.nonBlank("subscribe-pattern", "a Java regex of topic names, e.g. subscribe-pattern = \"orders-.*\""));
      default:
        return new Subscription(Subscription.Kind.ASSIGN,
            s.nonBlank("assign", "partitions as JSON, e.g. assign = \"{\\\"orders\\\":[0,1]}\""));
    }
  }

  private Security security(Section s) {
    s.allowOnly(SECURITY_KEYS, "kafka security", Map.of(
        "sasl-mechanism", "write mechanism = PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 | AWS_MSK_IAM",
        "security-protocol", "write protocol = SASL_SSL (or PLAINTEXT, SSL, SASL_PLAINTEXT)",
        "jaas-config", "medallion writes sasl.jaas.config from mechanism, username and password"));
    String protocol = s.nonBlank("protocol", "protocol = PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL");
    try {
      return new Security(
          protocol,
          s.optionalString("mechanism", "mechanism = PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 | AWS_MSK_IAM"),
          s.optionalString("username", "the SASL user"),
          secret(s, "password"),
          s.optionalString("truststore-location", "a trust store path"),
          secret(s, "truststore-password"),
          s.optionalString("keystore-location", "a key store path"),
          secret(s, "keystore-password"),
          s.optionalString("aws-role-arn", "a role ARN, e.g. arn:aws:iam::123456789012:role/msk-reader"));
    } catch (IllegalArgumentException e) {
      throw s.error(e.getMessage());
    }
  }

  /** A secret reference; a literal value is refused without repeating it. */
  private static Optional<SecretRef> secret(Section s, String key) {
    Optional<String> text = s.optionalString(key, "a secret reference: " + SecretRef.FORMS);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(SecretRef.parse(text.get()));
    } catch (IllegalArgumentException e) {
      throw s.error(key, e.getMessage());
    }
  }

  private Map<String, String> options(Section s, String type) {
    return tables.sourceOptions(type,
        s.stringMap("options", "the reader options, e.g. options { maxOffsetsPerTrigger = 100000 }"));
  }
}
