package io.medallion.source;

import io.medallion.internal.Secrets;
import io.medallion.pipeline.SourceDefinition;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Records from an Amazon Kinesis data stream, streamed into bronze exactly once. On open-source
 * Spark they are read by medallion's own source ({@link
 * io.medallion.connector.kinesis.KinesisSourceProvider}, see docs/kinesis.md); on the Databricks
 * Runtime by the runtime's {@code kinesis} source. Both take the same option names, so one config
 * serves both.
 *
 * <p>Bronze keeps the decoded value plus {@code _kinesis_stream}, {@code _kinesis_shard_id},
 * {@code _kinesis_sequence_number}, {@code _kinesis_partition_key},
 * {@code _kinesis_arrival_time} and {@code _ingest_time}.
 *
 * @param streamName the stream
 * @param region its AWS region, e.g. {@code eu-west-1}
 * @param value how the record data is decoded
 * @param valueSchema the columns of a JSON value as DDL; required for {@link ValueFormat#JSON}
 * @param accessKey an access key id, when not using the default credentials chain or a role
 * @param secretKey its secret key
 * @param options source options passed as they are, with Databricks' names
 *     ({@code initialPosition}, {@code maxRecordsPerFetch}, {@code roleArn}, {@code endpoint},
 *     ...); never secrets
 */
public record KinesisSource(
    String streamName,
    String region,
    ValueFormat value,
    Optional<String> valueSchema,
    Optional<SecretRef> accessKey,
    Optional<SecretRef> secretKey,
    Map<String, String> options)
    implements SourceDefinition {
  /** A Kinesis stream is read as a stream only. */
  @Override
  public boolean streamOnly() {
    return true;
  }

  /** Options set through the record's components, not through {@code options}. */
  public static final Set<String> RESERVED_OPTIONS =
      Set.of("streamname", "region", "awsaccesskey", "awssecretkey");

  public KinesisSource {
    if (streamName == null || streamName.isBlank() || streamName.contains(",")) {
      throw SourceErrors.kinesisStreamName();
    }
    if (region == null || region.isBlank()) {
      throw SourceErrors.kinesisRegion();
    }
    value = ValueFormat.checked(value, valueSchema);
    if (accessKey.isPresent() != secretKey.isPresent()) {
      throw SourceErrors.kinesisKeyPair();
    }
    options = Map.copyOf(options);
    for (String key : options.keySet()) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (RESERVED_OPTIONS.contains(lower)) {
        throw SourceErrors.reservedOption(key, "stream-name, region, access-key and secret-key");
      }
      if (Secrets.isCredentialOption(key) || Secrets.carriesCredentials(options.get(key))) {
        throw SourceErrors.credentialInOption(key, "secret-key");
      }
    }
  }

  /** A source reading {@code streamName} with JSON values of the given columns (DDL). */
  public static KinesisSource json(String streamName, String region, String valueSchemaDdl) {
    return new KinesisSource(streamName, region, ValueFormat.JSON, Optional.of(valueSchemaDdl),
        Optional.empty(), Optional.empty(), Map.of());
  }

  /** A copy with one more source option (e.g. {@code initialPosition}, {@code endpoint}). */
  public KinesisSource withOption(String key, String optionValue) {
    Map<String, String> copy = new LinkedHashMap<>(options);
    copy.put(key, optionValue);
    return new KinesisSource(streamName, region, value, valueSchema, accessKey, secretKey, copy);
  }

  /** A copy authenticating with an access key pair (both secret references). */
  public KinesisSource withAccessKey(SecretRef accessKeyId, SecretRef secretAccessKey) {
    return new KinesisSource(streamName, region, value, valueSchema, Optional.of(accessKeyId),
        Optional.of(secretAccessKey), options);
  }
}
