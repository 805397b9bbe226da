package io.medallion.source;

import java.util.Collection;

/**
 * Every error the source option records raise, made in one place: each says what is wrong and how
 * to fix it. The config reader adds where (the file, the line and the config path). None contains
 * a secret: a text that may be a password is never repeated.
 */
final class SourceErrors {
  private SourceErrors() {}

  // --- secrets

  static IllegalArgumentException secretWithoutName() {
    return new IllegalArgumentException("a secret reference needs a kind and a name, e.g. env:KAFKA_PASSWORD");
  }

  static IllegalArgumentException notAnEnvironmentVariable() {
    // The text is not repeated: after env: it may be the password itself.
    return new IllegalArgumentException("what follows env: is not an environment variable name"
        + " (letters, digits and '_'); write the variable's name, e.g. env:KAFKA_PASSWORD, never the value");
  }

  static IllegalArgumentException badScopeReference(String name) {
    return new IllegalArgumentException(
        "a secret scope reference is secret:<scope>/<key>, not secret:" + name);
  }

  static IllegalArgumentException secretValueInConfig(String forms) {
    return new IllegalArgumentException("a secret must be given as a reference (" + forms
        + "), never as the value itself; e.g. password = \"env:KAFKA_PASSWORD\"");
  }

  // --- message values

  static IllegalArgumentException jsonWithoutSchema() {
    return new IllegalArgumentException(
        "a JSON value needs its columns: value-schema = \"order_id STRING, amount DOUBLE\""
            + " (or value-format = string to keep the raw text)");
  }

  static IllegalArgumentException schemaWithoutJson() {
    return new IllegalArgumentException("value-schema is only for value-format = json;"
        + " remove value-schema, or set value-format = json");
  }

  // --- files

  static IllegalArgumentException fileSourceWithout(String what, String example) {
    return new IllegalArgumentException("a file source needs a " + what + ", e.g. " + example);
  }

  // --- Kinesis

  static IllegalArgumentException kinesisStreamName() {
    return new IllegalArgumentException("a Kinesis source needs one stream name, e.g. stream-name = orders");
  }

  static IllegalArgumentException kinesisRegion() {
    return new IllegalArgumentException("a Kinesis source needs the stream's region, e.g. region = eu-west-1");
  }

  static IllegalArgumentException kinesisKeyPair() {
    return new IllegalArgumentException(
        "access-key and secret-key go together; give both, or neither to use the default AWS"
            + " credentials chain (or options { roleArn = ... })");
  }

  // --- Kafka

  static IllegalArgumentException kafkaSubscription() {
    return new IllegalArgumentException("a Kafka subscription needs topics, a pattern or an assignment");
  }

  static IllegalArgumentException kafkaTopics() {
    return new IllegalArgumentException("subscribe needs one or more topic names, e.g. subscribe = [orders]");
  }

  static IllegalArgumentException kafkaBootstrap() {
    return new IllegalArgumentException(
        "a Kafka source needs bootstrap-servers, e.g. bootstrap-servers = \"b-1.msk.example:9098\"");
  }

  static IllegalArgumentException kafkaNoSubscription() {
    return new IllegalArgumentException("a Kafka source needs one of subscribe, subscribe-pattern or assign");
  }

  static IllegalArgumentException notOneOf(String what, String value, Collection<String> allowed) {
    return new IllegalArgumentException(
        what + " '" + value + "' is not one of " + String.join(", ", allowed));
  }

  static IllegalArgumentException saslWithoutMechanism(String protocol, Collection<String> mechanisms) {
    return new IllegalArgumentException(
        "protocol " + protocol + " needs a mechanism: one of " + String.join(", ", mechanisms));
  }

  static IllegalArgumentException saslSettingsWithoutSasl(String protocol) {
    return new IllegalArgumentException("mechanism, username and password are for SASL; with protocol "
        + protocol + " remove them, or use protocol = SASL_SSL");
  }

  static IllegalArgumentException saslWithoutUser(String mechanism) {
    return new IllegalArgumentException("mechanism " + mechanism + " needs a username and a password"
        + " (a secret reference such as password = \"env:KAFKA_PASSWORD\")");
  }

  static IllegalArgumentException iamWithUser() {
    return new IllegalArgumentException(
        "AWS_MSK_IAM authenticates with AWS credentials: remove username and password"
            + " (use aws-role-arn to assume a role)");
  }

  static IllegalArgumentException iamWithoutSsl() {
    return new IllegalArgumentException("AWS_MSK_IAM needs protocol = SASL_SSL");
  }

  static IllegalArgumentException roleWithoutIam() {
    return new IllegalArgumentException("aws-role-arn is only for mechanism AWS_MSK_IAM;"
        + " remove it, or set mechanism = AWS_MSK_IAM");
  }

  // --- options of any source

  static IllegalArgumentException reservedOption(String key, String useInstead) {
    return new IllegalArgumentException(
        "option '" + key + "' is set by the source itself: use " + useInstead + " instead");
  }

  static IllegalArgumentException credentialInOption(String key, String useInstead) {
    return new IllegalArgumentException("option '" + key + "' would put a credential in the"
        + " pipeline config: use " + useInstead + " with a secret reference (" + SecretRef.FORMS + ")");
  }
}
