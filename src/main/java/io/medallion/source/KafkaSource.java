package io.medallion.source;

import io.medallion.internal.Secrets;
import io.medallion.pipeline.SourceDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Records from Kafka (Amazon MSK or any Kafka) through Spark's {@code kafka} source, streamed into
 * bronze exactly once: the query's checkpoint holds the offsets and each micro-batch is committed to
 * Delta with its batch id, so a retried batch is not written twice.
 *
 * <p>Bronze keeps the decoded value plus {@code _kafka_key}, {@code _kafka_topic},
 * {@code _kafka_partition}, {@code _kafka_offset}, {@code _kafka_timestamp},
 * {@code _kafka_timestamp_type}, {@code _kafka_headers} and {@code _ingest_time}.
 *
 * @param bootstrapServers {@code host:port,...}
 * @param subscription which topics or partitions to read
 * @param value how the record value is decoded
 * @param valueSchema the columns of a JSON value as DDL; required for {@link ValueFormat#JSON}
 * @param security how to authenticate; empty for PLAINTEXT
 * @param commitOffsetsToGroup when set, the offsets of each committed micro-batch are also
 *     committed to this consumer group, so standard lag tools see the stream's progress (Spark
 *     itself keeps them only in its checkpoint, which stays the source of truth)
 * @param options Spark Kafka source options passed as they are ({@code startingOffsets},
 *     {@code maxOffsetsPerTrigger}, {@code failOnDataLoss}, {@code kafka.*} consumer properties,
 *     ...); never secrets
 */
public record KafkaSource(
    String bootstrapServers,
    Subscription subscription,
    ValueFormat value,
    Optional<String> valueSchema,
    Optional<Security> security,
    Optional<String> commitOffsetsToGroup,
    Map<String, String> options)
    implements SourceDefinition {

  /**
   * Option keys set through the record's components, not through {@code options}. A key here in
   * {@code options} is rejected, so one setting has one place.
   */
  public static final Set<String> RESERVED_OPTIONS =
      Set.of("kafka.bootstrap.servers", "subscribe", "subscribepattern", "assign",
          "kafka.security.protocol", "kafka.sasl.mechanism", "kafka.sasl.jaas.config",
          "kafka.sasl.client.callback.handler.class", "includeheaders");

  /**
   * What to read, as Spark's Kafka source takes it: {@code subscribe} (a list of topics),
   * {@code subscribePattern} (a Java regex) or {@code assign} (JSON, {@code {"t":[0,1]}}).
   */
  public record Subscription(Kind kind, String value) {
    /** The three ways of naming what to read. */
    public enum Kind {
      SUBSCRIBE("subscribe"),
      SUBSCRIBE_PATTERN("subscribePattern"),
      ASSIGN("assign");

      private final String option;

      Kind(String option) {
        this.option = option;
      }

      /** The Spark option name. */
      public String option() {
        return option;
      }
    }

    public Subscription {
      if (kind == null || value == null || value.isBlank()) {
        throw SourceErrors.kafkaSubscription();
      }
    }

    /** The given topics. */
    public static Subscription topics(List<String> topics) {
      if (topics.isEmpty() || topics.stream().anyMatch(t -> t == null || t.isBlank() || t.contains(","))) {
        throw SourceErrors.kafkaTopics();
      }
      return new Subscription(Kind.SUBSCRIBE, String.join(",", topics));
    }
  }

  /**
   * Authentication and encryption, as Kafka clients take it ({@code security.protocol},
   * {@code sasl.mechanism}, ...). Passwords are {@link SecretRef}s, never values.
   *
   * @param protocol {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
   * @param mechanism for SASL: {@code PLAIN}, {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512} or
   *     {@code AWS_MSK_IAM} (needs {@code software.amazon.msk:aws-msk-iam-auth} on the class path)
   * @param username the SASL user of PLAIN and SCRAM
   * @param password the SASL password of PLAIN and SCRAM
   * @param truststoreLocation a trust store for SSL, if the JVM's default does not do
   * @param truststorePassword its password
   * @param keystoreLocation a key store for SSL client authentication
   * @param keystorePassword its password
   * @param awsRoleArn for AWS_MSK_IAM: a role to assume; empty uses the default credentials
   */
  public record Security(
      String protocol,
      Optional<String> mechanism,
      Optional<String> username,
      Optional<SecretRef> password,
      Optional<String> truststoreLocation,
      Optional<SecretRef> truststorePassword,
      Optional<String> keystoreLocation,
      Optional<SecretRef> keystorePassword,
      Optional<String> awsRoleArn) {
    /** The protocols Kafka clients know. */
    public static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    /** The SASL mechanisms medallion configures. */
    public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "AWS_MSK_IAM");

    public Security {
      protocol = protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
      if (!PROTOCOLS.contains(protocol)) {
        throw SourceErrors.notOneOf("protocol", protocol, PROTOCOLS);
      }
      mechanism = mechanism.map(m -> m.toUpperCase(Locale.ROOT));
      boolean sasl = protocol.startsWith("SASL_");
      if (sasl && mechanism.isEmpty()) {
        throw SourceErrors.saslWithoutMechanism(protocol, MECHANISMS);
      }
      if (!sasl && (mechanism.isPresent() || username.isPresent() || password.isPresent())) {
        throw SourceErrors.saslSettingsWithoutSasl(protocol);
      }
      if (mechanism.isPresent() && !MECHANISMS.contains(mechanism.get())) {
        throw SourceErrors.notOneOf("mechanism", mechanism.get(), MECHANISMS);
      }
      boolean iam = mechanism.filter("AWS_MSK_IAM"::equals).isPresent();
      if (sasl && !iam && (username.isEmpty() || password.isEmpty())) {
        throw SourceErrors.saslWithoutUser(mechanism.get());
      }
      if (iam && (username.isPresent() || password.isPresent())) {
        throw SourceErrors.iamWithUser();
      }
      if (iam && !protocol.equals("SASL_SSL")) {
        throw SourceErrors.iamWithoutSsl();
      }
      if (awsRoleArn.isPresent() && !iam) {
        throw SourceErrors.roleWithoutIam();
      }
    }

    /** SASL/PLAIN or SCRAM with a user and a password reference. */
    public static Security sasl(String protocol, String mechanism, String username, SecretRef password) {
      return new Security(protocol, Optional.of(mechanism), Optional.of(username), Optional.of(password),
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  public KafkaSource {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw SourceErrors.kafkaBootstrap();
    }
    if (subscription == null) {
      throw SourceErrors.kafkaNoSubscription();
    }
    value = ValueFormat.checked(value, valueSchema);
    commitOffsetsToGroup = commitOffsetsToGroup.filter(g -> !g.isBlank());
    options = Map.copyOf(options);
    for (String key : options.keySet()) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (RESERVED_OPTIONS.contains(lower)) {
        throw SourceErrors.reservedOption(key, "bootstrap-servers, subscribe, subscribe-pattern, assign or security { ... }");
      }
      if (Secrets.isCredentialOption(key) || Secrets.carriesCredentials(options.get(key))) {
        throw SourceErrors.credentialInOption(key, "security { ... }");
      }
    }
  }

  /** A source reading {@code topics} with JSON values of the given columns (DDL). */
  public static KafkaSource json(String bootstrapServers, List<String> topics, String valueSchemaDdl) {
    return new KafkaSource(bootstrapServers, Subscription.topics(topics), ValueFormat.JSON,
        Optional.of(valueSchemaDdl), Optional.empty(), Optional.empty(), Map.of());
  }

  /** A source reading {@code topics}, keeping each value as a string or as bytes. */
  public static KafkaSource raw(String bootstrapServers, List<String> topics, ValueFormat format) {
    return new KafkaSource(bootstrapServers, Subscription.topics(topics), format,
        Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
  }

  /** A copy with one more Spark Kafka source option (e.g. {@code startingOffsets}). */
  public KafkaSource withOption(String key, String optionValue) {
    Map<String, String> copy = new LinkedHashMap<>(options);
    copy.put(key, optionValue);
    return new KafkaSource(bootstrapServers, subscription, value, valueSchema, security, commitOffsetsToGroup, copy);
  }

  /** A copy that authenticates as {@code security} says. */
  public KafkaSource withSecurity(Security newSecurity) {
    return new KafkaSource(bootstrapServers, subscription, value, valueSchema, Optional.of(newSecurity),
        commitOffsetsToGroup, options);
  }

  /** A copy that also commits each micro-batch's offsets to consumer group {@code group}. */
  public KafkaSource withCommitOffsetsTo(String group) {
    return new KafkaSource(bootstrapServers, subscription, value, valueSchema, security, Optional.of(group), options);
  }
}
