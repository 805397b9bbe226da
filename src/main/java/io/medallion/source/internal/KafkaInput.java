package io.medallion.source.internal;

import io.medallion.internal.Causes;
import io.medallion.source.SourceContext;
import io.medallion.MedallionException;
import io.medallion.internal.Secrets;
import io.medallion.source.KafkaSource;
import io.medallion.source.ValueFormat;
import io.medallion.source.KafkaSource.Security;
import io.medallion.source.SecretRef;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.Platform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a {@link KafkaSource} through Spark's {@code kafka} source and turns records into bronze
 * rows: the decoded value, {@code _rescued_data} for values that do not parse, and the record's
 * coordinates as {@code _kafka_*} columns.
 */
final class KafkaInput {
  /** Columns every Kafka bronze row carries besides the value's. */
  static final List<String> METADATA = List.of(
      "_kafka_key", "_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp",
      "_kafka_timestamp_type", "_kafka_headers", "_ingest_time");

  private KafkaInput() {}

  /** The bronze rows of the source, streaming or batch. */
  static Dataset<Row> read(SourceContext ctx, TableRef ref, KafkaSource source, boolean streaming) {
    Map<String, String> options = sparkOptions(source, ctx.platform(), System.getenv());
    if (!streaming) {
      // A batch run re-reads the topic from its start to its end, unless the user said otherwise.
      options.putIfAbsent("startingOffsets", "earliest");
      options.putIfAbsent("endingOffsets", "latest");
    }
    StructType valueSchema = MessageValues.schema(ref, source.value(), source.valueSchema(), METADATA);
    Dataset<Row> raw;
    try {
      raw = streaming
          ? ctx.spark().readStream().format("kafka").options(options).load()
          : ctx.spark().read().format("kafka").options(options).load();
    } catch (Exception e) {
      throw SourceReadErrors.cannotReadKafka(ref, source.subscription().kind().option() + " "
          + source.subscription().value(), source.bootstrapServers(), e);
    }
    return decode(raw, source, valueSchema);
  }

  private static Dataset<Row> decode(Dataset<Row> raw, KafkaSource source, StructType valueSchema) {
    Column key = functions.col("key");
    List<Column> metadata = List.of(
        (source.value() == ValueFormat.BINARY ? key : key.cast(DataTypes.StringType)).as("_kafka_key"),
        functions.col("topic").as("_kafka_topic"),
        functions.col("partition").as("_kafka_partition"),
        functions.col("offset").as("_kafka_offset"),
        functions.col("timestamp").as("_kafka_timestamp"),
        functions.col("timestampType").as("_kafka_timestamp_type"),
        functions.col("headers").as("_kafka_headers"),
        functions.current_timestamp().as("_ingest_time"));
    Map<String, Column> context = new LinkedHashMap<>();
    context.put("_topic", functions.col("topic"));
    context.put("_partition", functions.col("partition"));
    context.put("_offset", functions.col("offset"));
    return MessageValues.decode(raw, functions.col("value"), source.value(), valueSchema, context, metadata);
  }

  /**
   * The options of Spark's Kafka source: the user's, then the subscription, bootstrap servers and
   * security settings with secret values read now. Contains secrets: never log it.
   */
  static Map<String, String> sparkOptions(KafkaSource source, Platform platform, Map<String, String> processEnv) {
    Map<String, String> options = new LinkedHashMap<>(source.options());
    options.put("kafka.bootstrap.servers", source.bootstrapServers());
    options.put(source.subscription().kind().option(), source.subscription().value());
    options.put("includeHeaders", "true");
    source.security().ifPresent(s -> clientSecurity(s, platform, processEnv)
        .forEach((k, v) -> options.put("kafka." + k, v)));
    return options;
  }

  /**
   * Kafka client properties for authentication ({@code security.protocol}, {@code sasl.*},
   * {@code ssl.*}), with secret values read now. Contains secrets: never log it.
   */
  static Map<String, String> clientSecurity(Security s, Platform platform, Map<String, String> processEnv) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", s.protocol());
    s.mechanism().ifPresent(m -> {
      p.put("sasl.mechanism", m);
      if (m.equals("AWS_MSK_IAM")) {
        String role = s.awsRoleArn().map(r -> " awsRoleArn=\"" + r + "\"").orElse("");
        p.put("sasl.jaas.config",
            platform.kafkaClientClass("software.amazon.msk.auth.iam.IAMLoginModule") + " required" + role + ";");
        p.put("sasl.client.callback.handler.class",
            platform.kafkaClientClass("software.amazon.msk.auth.iam.IAMClientCallbackHandler"));
      } else {
        String module = m.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
        String password = secret(s.password().orElseThrow(), platform, processEnv);
        p.put("sasl.jaas.config", platform.kafkaClientClass(module) + " required username=\""
            + jaasQuote(s.username().orElseThrow()) + "\" password=\"" + jaasQuote(password) + "\";");
      }
    });
    s.truststoreLocation().ifPresent(l -> p.put("ssl.truststore.location", l));
    s.truststorePassword().ifPresent(r -> p.put("ssl.truststore.password", secret(r, platform, processEnv)));
    s.keystoreLocation().ifPresent(l -> p.put("ssl.keystore.location", l));
    s.keystorePassword().ifPresent(r -> {
      String password = secret(r, platform, processEnv);
      p.put("ssl.keystore.password", password);
      p.put("ssl.key.password", password);
    });
    return p;
  }

  /** Kafka client properties (no {@code kafka.} prefix) for an admin client of the source. */
  static Map<String, Object> adminProperties(KafkaSource source, Platform platform, Map<String, String> processEnv) {
    Map<String, Object> p = new LinkedHashMap<>();
    source.options().forEach((k, v) -> {
      if (k.startsWith("kafka.")) {
        p.put(k.substring("kafka.".length()), v);
      }
    });
    p.put("bootstrap.servers", source.bootstrapServers());
    source.security().ifPresent(s -> p.putAll(clientSecurity(s, platform, processEnv)));
    return p;
  }

  private static String secret(SecretRef ref, Platform platform, Map<String, String> processEnv) {
    return SecretValues.resolve(ref, platform, processEnv);
  }

  private static String jaasQuote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
