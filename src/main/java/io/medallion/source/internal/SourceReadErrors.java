package io.medallion.source.internal;

import io.medallion.MedallionException;
import io.medallion.internal.Causes;
import io.medallion.internal.Secrets;
import io.medallion.pipeline.TableRef;
import io.medallion.source.SecretRef;
import java.util.Set;

/**
 * Every error the source readers raise, made in one place: each names the table, says what went
 * wrong and why, and points at the config to fix. Messages and causes from clients that may echo a
 * credential go through {@link Secrets#redact} and {@link Secrets#scrub}.
 */
final class SourceReadErrors {
  private static final String DDL_EXAMPLE = "\"order_id STRING, amount DECIMAL(12,2)\"";

  private SourceReadErrors() {}

  // --- files

  static MedallionException cannotReadFiles(TableRef ref, String format, String path, Exception e) {
    return new MedallionException("Table " + ref + ": cannot read " + format + " files at " + path
        + ": " + Causes.rootMessage(e) + ". Check pipeline." + ref
        + ".source (path, format, schema, options).", e);
  }

  static MedallionException badColumnList(TableRef ref, String key, Exception e) {
    return new MedallionException("Table " + ref + ": pipeline." + ref + ".source." + key
        + " is not a valid column list: " + Causes.rootMessage(e) + ". Expected DDL such as "
        + DDL_EXAMPLE + ".", e);
  }

  static IllegalStateException noColumnsFound() {
    return new IllegalStateException("no columns found");
  }

  static MedallionException cannotInferSchema(TableRef ref, String format, String path, Exception e) {
    return new MedallionException("Table " + ref + ": cannot infer the schema of the " + format
        + " files at " + path + " (" + Causes.rootMessage(e) + "). Declare it in pipeline." + ref
        + ".source.schema, e.g. schema = \"id STRING, amount DOUBLE\", or land at least one file"
        + " before the first run.", e);
  }

  static MedallionException reservedValueColumn(TableRef ref, String name) {
    return new MedallionException("Table " + ref + ": pipeline." + ref
        + ".source.value-schema declares column '" + name + "', which bronze adds itself;"
        + " rename or remove it.");
  }

  static IllegalArgumentException noReader(TableRef ref, Object source) {
    return new IllegalArgumentException("Table " + ref + ": no reader for source "
        + source.getClass().getName() + ". Fix: use a file, kafka or kinesis source.");
  }

  // --- Kafka

  static MedallionException kafkaClientMissing(TableRef ref) {
    return new MedallionException("Table " + ref + ": Kafka's client library is not on the class"
        + " path. On open-source Spark add org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7"
        + " (spark-submit --packages); on Databricks add org.apache.kafka:kafka-clients:3.4.1 as a"
        + " cluster library for commit-offsets-to-group.");
  }

  static MedallionException missingTopics(TableRef ref, Set<String> wanted, String servers,
      String existing) {
    return new MedallionException("Table " + ref + ": topic(s) " + wanted + " do not exist on "
        + servers + ". Create them, or fix pipeline." + ref + ".source.subscribe"
        + (existing.isEmpty() ? "" : " (existing topics: " + existing + ")") + ".");
  }

  static MedallionException kafkaRejected(TableRef ref, String servers, Throwable cause) {
    String type = cause.getClass().getSimpleName();
    return new MedallionException(Secrets.redact("Table " + ref + ": Kafka at " + servers
        + " rejected the client (" + type + ": " + cause.getMessage() + "). Check pipeline." + ref
        + ".source.security (protocol, mechanism, username) and the secret its password reference"
        + " points to."), Secrets.scrub(cause));
  }

  static MedallionException kafkaUnreachable(TableRef ref, String servers, Throwable cause) {
    return new MedallionException(Secrets.redact("Table " + ref + ": cannot reach Kafka at "
        + servers + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage()
        + ". Check pipeline." + ref + ".source.bootstrap-servers and that the brokers are"
        + " reachable from this cluster."), Secrets.scrub(cause));
  }

  static MedallionException kafkaTimeout(TableRef ref, String servers, long timeoutMs, Throwable cause) {
    return new MedallionException("Table " + ref + ": Kafka at " + servers
        + " did not answer within " + timeoutMs + " ms. Check pipeline." + ref
        + ".source.bootstrap-servers, that the brokers are reachable from this cluster (network,"
        + " security groups, port) and source.security.protocol (a TLS listener needs SSL or"
        + " SASL_SSL).", Secrets.scrub(cause));
  }

  static MedallionException interrupted(TableRef ref, InterruptedException e) {
    return new MedallionException("Table " + ref + ": interrupted while checking Kafka; rerun the"
        + " pipeline", e);
  }

  static MedallionException cannotReadKafka(TableRef ref, String subscription, String servers, Exception e) {
    return new MedallionException(Secrets.redact("Table " + ref + ": cannot read Kafka ("
        + subscription + " at " + servers + "): " + Causes.rootMessage(e) + ". Check pipeline."
        + ref + ".source; the Kafka source needs org.apache.spark:spark-sql-kafka-0-10_2.12 on the"
        + " class path (spark-submit --packages) on open-source Spark."), Secrets.scrub(e));
  }

  // --- Kinesis

  static MedallionException cannotReadKinesis(TableRef ref, String stream, String region, Exception e) {
    return new MedallionException(Secrets.redact("Table " + ref + ": cannot read Kinesis stream "
        + stream + " in " + region + ": " + Causes.rootMessage(e) + ". Check pipeline." + ref
        + ".source (stream-name, region, options)."), Secrets.scrub(e));
  }

  // --- secrets (the value is never part of a message)

  static MedallionException envSecretUnset(SecretRef ref) {
    return new MedallionException("secret " + ref + ": the environment variable it names is not"
        + " set (or empty). Export it in the job's environment, or point the config at file:/path."
        + " (Names other than upper-case letters, digits and '_' are shown as ***: they may be a"
        + " password written where the variable's name belongs.)");
  }

  static MedallionException secretFileUnreadable(SecretRef ref, Exception e) {
    return new MedallionException("secret " + ref + ": cannot read the file ("
        + e.getClass().getSimpleName() + "). Check that it exists and that the job may read it.");
  }

  static MedallionException secretFileEmpty(SecretRef ref) {
    return new MedallionException("secret " + ref + ": the file is empty. Write the secret into"
        + " it, or point the config at another reference.");
  }
}
