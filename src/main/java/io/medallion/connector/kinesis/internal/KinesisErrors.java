package io.medallion.connector.kinesis.internal;

import io.medallion.MedallionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Every error the Kinesis source raises, made in one place: each says the problem, the cause and
 * the fix. None contains a secret (the options' secret key is never passed in here).
 */
final class KinesisErrors {
  private static final Logger LOG = LoggerFactory.getLogger(KinesisErrors.class);

  private KinesisErrors() {}

  static IllegalStateException badCheckpoint(String json, String why) {
    String shown = json.length() > 500 ? json.substring(0, 500) + "..." : json;
    return new IllegalStateException("The Kinesis source cannot read an offset from the"
        + " checkpoint: " + why + ". Offset: " + shown + ". Cause: the checkpoint's offsets log was"
        + " edited, corrupted, or written by another source or medallion version. Fix: restore the"
        + " checkpoint directory, or start the query with a new checkpoint location (it then starts"
        + " at initialPosition).");
  }

  static IllegalStateException otherStream(String inCheckpoint, String configured) {
    return new IllegalStateException("The checkpoint holds offsets of Kinesis stream '"
        + inCheckpoint + "' but the query reads stream '" + configured + "'. Fix: use a new"
        + " checkpoint location for a different stream, or set streamName back to '"
        + inCheckpoint + "'.");
  }

  /** Translates an SDK failure of {@code action} (e.g. "ListShards") into a user-facing error. */
  static MedallionException call(String action, KinesisOptions o, SdkException e) {
    String where = "stream '" + o.streamName() + "' (" + o.location() + ")";
    if (e instanceof ResourceNotFoundException) {
      return new MedallionException("Kinesis stream '" + o.streamName() + "' does not exist in "
          + o.location() + " (" + action + " answered ResourceNotFoundException: "
          + awsMessage(e) + "). Fix: create the stream, or correct the options streamName, region"
          + " and endpoint.", e);
    }
    if (e instanceof AwsServiceException) {
      AwsServiceException a = (AwsServiceException) e;
      String code = a.awsErrorDetails() == null ? null : a.awsErrorDetails().errorCode();
      if (a.statusCode() == 403 || (code != null && (code.contains("Signature")
          || code.contains("UnrecognizedClient") || code.contains("AccessDenied")
          || code.contains("ExpiredToken") || code.contains("InvalidClientTokenId")))) {
        return new MedallionException("Kinesis rejected the credentials for " + action + " on "
            + where + ": " + code + " (" + awsMessage(e) + "). Fix: check awsAccessKey and"
            + " awsSecretKey (or roleArn, or the default credentials chain: environment,"
            + " profile, instance role) and that the identity may call ListShards,"
            + " GetShardIterator and GetRecords on the stream.", e);
      }
      if (code == null) {
        return new MedallionException("Kinesis " + action + " on " + where + " failed: the"
            + " endpoint answered HTTP " + a.statusCode() + " without a Kinesis error ("
            + awsMessage(e) + "). Fix: check that the endpoint option names a Kinesis endpoint"
            + " (and that no proxy intercepts it).", e);
      }
      return new MedallionException("Kinesis " + action + " on " + where + " failed: " + code
          + " (HTTP " + a.statusCode() + "): " + awsMessage(e) + ".", e);
    }
    if (e instanceof ApiCallTimeoutException) {
      return new MedallionException("Kinesis " + action + " on " + where + " did not answer"
          + " within apiCallTimeout=" + o.apiCallTimeoutMs() + "ms. Fix: check that the endpoint"
          + " is reachable from the driver and executors (network, proxy, VPC endpoint), or raise"
          + " apiCallTimeout.", e);
    }
    if (e instanceof SdkClientException && String.valueOf(e.getMessage())
        .contains("credentials")) {
      return new MedallionException("No AWS credentials for Kinesis " + action + " on " + where
          + ": " + e.getMessage() + ". Fix: set awsAccessKey and awsSecretKey, or roleArn, or"
          + " provide credentials to the default chain (environment, profile, instance role).",
          e);
    }
    return new MedallionException("Cannot reach Kinesis for " + action + " on " + where + ": "
        + e.getMessage() + ". Fix: check the endpoint and region options and that the endpoint is"
        + " reachable from the driver and executors (network, proxy, VPC endpoint).", e);
  }

  static MedallionException noRegion(KinesisOptions o, SdkException e) {
    return new MedallionException("No AWS region for Kinesis stream '" + o.streamName() + "': the"
        + " option region is not set and none could be resolved from the environment ("
        + e.getMessage() + "). Fix: .option(\"region\", \"us-east-1\") (the stream's region).", e);
  }

  static MedallionException throttled(String action, KinesisOptions o, String shardId,
      int retries, SdkException e) {
    return new MedallionException("Kinesis kept throttling " + action + " on stream '"
        + o.streamName() + "' shard " + shardId + " after " + retries + " retries with backoff ("
        + awsMessage(e) + "). Cause: the shard's read limits (5 GetRecords calls/s, 2 MB/s shared"
        + " by all consumers) or the account's API limits are exhausted. Fix: lower maxFetchRate,"
        + " raise minFetchPeriod, reduce other consumers of the stream, or add shards; or raise"
        + " maxThrottleRetries.", e);
  }

  static MedallionException dataLoss(KinesisOptions o, String shardId, String what) {
    return new MedallionException("Data loss on Kinesis stream '" + o.streamName() + "' shard "
        + shardId + ": " + what + ". Cause: the records expired past the stream's retention"
        + " period before the query read them (it was stopped too long or is too slow), or the"
        + " stream was deleted and re-created. Fix: if losing them is acceptable, set"
        + " failOnDataLoss=false (the query then goes on with the oldest records still there);"
        + " for a re-created stream, use a new checkpoint location.");
  }

  /**
   * An interruption (the query is stopping), in the form Spark's stream execution recognises as
   * one: an {@code UncheckedIOException} caused by an {@code InterruptedIOException}. Restores the
   * thread's interrupt flag.
   */
  static java.io.UncheckedIOException interrupted(String doing) {
    Thread.currentThread().interrupt();
    return new java.io.UncheckedIOException(
        new java.io.InterruptedIOException("Interrupted while " + doing));
  }

  /**
   * Fails with {@link #dataLoss} when {@code failOnDataLoss} (the default), else logs a warning
   * and lets the caller go on.
   */
  static void onDataLoss(KinesisOptions o, String shardId, String what) {
    if (o.failOnDataLoss()) {
      throw dataLoss(o, shardId, what);
    }
    LOG.warn("Kinesis stream {} shard {}: {} (failOnDataLoss=false: going on)", o.streamName(),
        shardId, what);
  }

  private static String awsMessage(SdkException e) {
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null
        && ((AwsServiceException) e).awsErrorDetails().errorMessage() != null) {
      return ((AwsServiceException) e).awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }
}
