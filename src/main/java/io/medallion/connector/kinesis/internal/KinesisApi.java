package io.medallion.connector.kinesis.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The three Kinesis calls the source makes (ListShards, GetShardIterator, GetRecords) on one
 * client built from {@link KinesisOptions}: bounded time per call ({@code apiCallTimeout}, 5 s to
 * connect, two SDK retries), throttling retried with capped exponential backoff and full jitter
 * ({@code maxThrottleRetries}), every other failure translated by {@link KinesisErrors}.
 */
final class KinesisApi implements AutoCloseable {
  private static final long BACKOFF_BASE_MS = 100;
  private static final long BACKOFF_CAP_MS = 5_000;

  private final KinesisOptions options;
  private final KinesisClient client;
  private final AutoCloseable credentials;
  private final StsClient sts;

  private KinesisApi(KinesisOptions options, KinesisClient client, AutoCloseable credentials,
      StsClient sts) {
    this.options = options;
    this.client = client;
    this.credentials = credentials;
    this.sts = sts;
  }

  static KinesisApi create(KinesisOptions o) {
    Region region = region(o);
    AwsCredentialsProvider base = o.accessKey() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(o.accessKey(), o.secretKey()))
        : DefaultCredentialsProvider.builder().build();
    AwsCredentialsProvider provider = base;
    StsClient sts = null;
    if (o.roleArn() != null) {
      var stsBuilder = StsClient.builder().region(region).credentialsProvider(base)
          .httpClientBuilder(http(o)).overrideConfiguration(c -> timeouts(c, o));
      if (o.stsEndpoint() != null) {
        stsBuilder.endpointOverride(URI.create(o.stsEndpoint()));
      }
      sts = stsBuilder.build();
      provider = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
          .refreshRequest(r -> {
            r.roleArn(o.roleArn()).roleSessionName(o.roleSessionName());
            if (o.roleExternalId() != null) {
              r.externalId(o.roleExternalId());
            }
          }).build();
    }
    var builder = KinesisClient.builder().region(region).credentialsProvider(provider)
        .httpClientBuilder(http(o)).overrideConfiguration(c -> timeouts(c, o));
    if (o.endpoint() != null) {
      builder.endpointOverride(URI.create(o.endpoint()));
    }
    AwsCredentialsProvider owned = provider;
    return new KinesisApi(o, builder.build(),
        owned instanceof AutoCloseable ? (AutoCloseable) owned : null, sts);
  }

  private static UrlConnectionHttpClient.Builder http(KinesisOptions o) {
    return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofMillis(Math.max(1_000, o.apiCallTimeoutMs())));
  }

  private static void timeouts(
      software.amazon.awssdk.core.client.config.ClientOverrideConfiguration.Builder c,
      KinesisOptions o) {
    c.apiCallTimeout(Duration.ofMillis(o.apiCallTimeoutMs()))
        .retryStrategy(r -> r.maxAttempts(3));
  }

  private static Region region(KinesisOptions o) {
    if (o.region() != null) {
      return Region.of(o.region());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException e) {
      throw KinesisErrors.noRegion(o, e);
    }
  }

  /** All shards of the stream, closed ones included. */
  List<Shard> listShards() {
    List<Shard> shards = new ArrayList<>();
    String token = null;
    do {
      String next = token; // the first page names the stream, later pages only the token
      ListShardsResponse page = call("ListShards", "-", () -> client.listShards(
          next == null ? ListShardsRequest.builder().streamName(options.streamName()).build()
              : ListShardsRequest.builder().nextToken(next).build()));
      shards.addAll(page.shards());
      token = page.nextToken();
    } while (token != null);
    return shards;
  }



  /** An iterator at {@code position} (not {@code CLOSED}). */
  String iterator(String shardId, ShardPosition position) {
    return call("GetShardIterator", shardId, () -> client.getShardIterator(b -> {
      b.streamName(options.streamName()).shardId(shardId);
      switch (position.kind()) {
        case TRIM_HORIZON:
          b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
          break;
        case AT_TIMESTAMP:
          b.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(position.timestamp());
          break;
        case AFTER:
          b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
              .startingSequenceNumber(position.value());
          break;
        default:
          throw new IllegalArgumentException("No iterator for a closed shard");
      }
    })).shardIterator();
  }

  GetRecordsResponse records(String shardId, String iterator, int limit) {
    return call("GetRecords", shardId,
        () -> client.getRecords(b -> b.shardIterator(iterator).limit(limit)));
  }

  KinesisOptions options() {
    return options;
  }

  private <T> T call(String action, String shardId, Supplier<T> request) {
    for (int attempt = 0; ; attempt++) {
      try {
        return request.get();
      } catch (ProvisionedThroughputExceededException | LimitExceededException e) {
        if (attempt >= options.maxThrottleRetries()) {
          throw KinesisErrors.throttled(action, options, shardId, attempt, e);
        }
        long cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS << Math.min(attempt, 16));
        sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
      } catch (software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException e) {
        throw e; // the caller re-creates the iterator
      } catch (software.amazon.awssdk.core.exception.AbortedException e) {
        throw KinesisErrors.interrupted("calling Kinesis " + action);
      } catch (SdkException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw KinesisErrors.interrupted("calling Kinesis " + action);
        }
        throw KinesisErrors.call(action, options, e);
      }
    }
  }

  static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw KinesisErrors.interrupted("waiting to call Kinesis");
    }
  }

  @Override
  public void close() {
    client.close();
    try {
      if (credentials != null) {
        credentials.close();
      }
    } catch (Exception e) {
      // Best effort.
    }
    if (sts != null) {
      sts.close();
    }
  }
}
