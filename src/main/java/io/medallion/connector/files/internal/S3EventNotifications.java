package io.medallion.connector.files.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * New files under an S3 root announced by S3 event notifications on an SQS queue (S3 -> SQS, or S3
 * -> SNS -> SQS without raw message delivery), instead of listing the bucket.
 *
 * <p>{@link #poll} receives up to {@code maxMessages} messages (10 a ReceiveMessage call, long
 * polling on the first call only) and parses each body: an S3 event ({@code {"Records":[...]}}),
 * an SNS notification whose {@code Message} is one, or the {@code s3:TestEvent} S3 sends when the
 * notification is configured. {@code ObjectCreated:*} records of keys under the root that a file
 * source reads ({@link S3Location#isListedFile}) become {@link FileEntry}s ({@code
 * <root scheme>://bucket/<decoded key>}, size, event time); every other record (removals, other
 * buckets or prefixes, directory markers, hidden files) is ignored and counted.
 *
 * <p><b>Acknowledging.</b> Nothing is deleted by {@code poll}: the caller {@link #ack}s a {@link
 * Batch} once its files are durably recorded; until then the messages come back after the
 * queue's visibility timeout (at-least-once: callers deduplicate by path). A batch's receipt
 * handles cover its files, the test events and the ignored records.
 *
 * <p><b>Messages that cannot be parsed</b> (not JSON, or JSON of another shape) are never acked:
 * they stay on the queue so that nothing is lost, come back after the visibility timeout, and
 * end in the queue's dead-letter queue when one is configured (a redrive policy; recommended).
 * Each one is logged at WARN with its message id (never its body) and counted in {@link
 * Batch#unparseable()} and {@link #unparseableMessages()}.
 *
 * <p>{@link #receiveRequests()} counts ReceiveMessage calls (this source makes no LIST calls).
 */
public final class S3EventNotifications implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3EventNotifications.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** SQS's limits: 10 messages per receive or delete call, 20 s long polling. */
  private static final int SQS_BATCH = 10;
  private static final Duration MAX_WAIT = Duration.ofSeconds(20);

  private final String queueUrl;
  private final S3Location root;
  private final SqsClient client;
  private final Duration apiCallTimeout;
  private final AtomicLong receiveRequests = new AtomicLong();
  private final AtomicLong deleteRequests = new AtomicLong();
  private final AtomicLong unparseable = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();

  /**
   * Notifications of new files under {@code rootUri} ({@code s3a://bucket/prefix/}; its scheme is
   * the scheme of the paths) from {@code queueUrl}.
   *
   * @param endpoint an endpoint override (e.g. {@code http://127.0.0.1:9324}), or empty for AWS
   * @param region the queue's region, e.g. {@code eu-west-1}
   * @param credentials as whom to call SQS (not closed by {@link #close()})
   */
  public S3EventNotifications(String queueUrl, String rootUri, Optional<String> endpoint,
      String region, AwsCredentialsProvider credentials) {
    this(queueUrl, rootUri, endpoint, region, credentials, S3Settings.DEFAULT_API_CALL_TIMEOUT);
  }

  /** As above, with a bound on each call besides its long-polling wait (default 30 s). */
  public S3EventNotifications(String queueUrl, String rootUri, Optional<String> endpoint,
      String region, AwsCredentialsProvider credentials, Duration apiCallTimeout) {
    if (queueUrl == null || !queueUrl.matches("https?://.+")) {
      throw new IllegalArgumentException("SQS queue URL '" + queueUrl + "' is not an URL like"
          + " https://sqs.eu-west-1.amazonaws.com/123456789012/my-queue");
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("The region of SQS queue " + queueUrl + " is not set");
    }
    this.queueUrl = queueUrl;
    this.root = S3Location.parse(rootUri);
    this.apiCallTimeout = apiCallTimeout;
    SqsClientBuilder builder = SqsClient.builder().region(Region.of(region))
        .credentialsProvider(credentials)
        .httpClientBuilder(S3Settings.http(apiCallTimeout.plus(MAX_WAIT)))
        .overrideConfiguration(c -> S3Settings.timeouts(c, apiCallTimeout));
    endpoint.ifPresent(e -> builder.endpointOverride(URI.create(e)));
    this.client = builder.build();
  }

  /** What one {@link #poll} received. */
  public record Batch(List<FileEntry> entries, List<String> receiptHandles, int messages,
      int ignoredRecords, int unparseable) {
    public Batch {
      entries = Collections.unmodifiableList(entries);
      receiptHandles = Collections.unmodifiableList(receiptHandles);
    }

    public boolean isEmpty() {
      return messages == 0;
    }
  }

  /**
   * Receives up to {@code maxMessages} messages: the first call waits up to {@code wait} (at most
   * 20 s) for one, later calls take what is there, until {@code maxMessages} or an empty answer.
   */
  public Batch poll(int maxMessages, Duration wait) throws IOException {
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be at least 1: " + maxMessages);
    }
    int waitSeconds = (int) Math.min(MAX_WAIT.toSeconds(), Math.max(0, wait.toSeconds()));
    List<FileEntry> entries = new ArrayList<>();
    List<String> handles = new ArrayList<>();
    int messages = 0;
    int ignoredRecords = 0;
    int bad = 0;
    boolean first = true;
    while (messages < maxMessages) {
      int n = Math.min(SQS_BATCH, maxMessages - messages);
      int seconds = first ? waitSeconds : 0;
      first = false;
      ReceiveMessageResponse response = call("ReceiveMessage", () -> client.receiveMessage(b -> b
          .queueUrl(queueUrl).maxNumberOfMessages(n).waitTimeSeconds(seconds)
          .overrideConfiguration(o -> o.apiCallTimeout(apiCallTimeout.plusSeconds(seconds)))));
      receiveRequests.incrementAndGet();
      if (response.messages().isEmpty()) {
        break;
      }
      for (Message message : response.messages()) {
        messages++;
        List<FileEntry> found = new ArrayList<>();
        int skipped;
        try {
          skipped = parse(message.body(), found);
        } catch (IOException | RuntimeException e) {
          bad++;
          unparseable.incrementAndGet();
          LOG.warn("SQS message {} on {} is not an S3 event notification ({}); it stays on the"
              + " queue (not acknowledged) and returns after the visibility timeout, or goes to"
              + " the dead-letter queue if one is configured", message.messageId(), queueUrl,
              e instanceof com.fasterxml.jackson.core.JsonProcessingException ? "not JSON"
                  : e.getClass().getSimpleName() + ": " + e.getMessage());
          continue;
        }
        entries.addAll(found);
        ignoredRecords += skipped;
        handles.add(message.receiptHandle());
      }
    }
    ignored.addAndGet(ignoredRecords);
    return new Batch(entries, handles, messages, ignoredRecords, bad);
  }

  /**
   * Deletes the messages of {@code batch} (10 per DeleteMessageBatch call). Messages SQS fails to
   * delete (an expired receipt handle) are logged at WARN and come back later.
   *
   * @return how many were deleted
   */
  public int ack(Batch batch) throws IOException {
    return ack(batch.receiptHandles());
  }

  /** Deletes the messages of these receipt handles; see {@link #ack(Batch)}. */
  public int ack(List<String> receiptHandles) throws IOException {
    int deleted = 0;
    for (int from = 0; from < receiptHandles.size(); from += SQS_BATCH) {
      List<String> chunk =
          receiptHandles.subList(from, Math.min(receiptHandles.size(), from + SQS_BATCH));
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
            .receiptHandle(chunk.get(i)).build());
      }
      DeleteMessageBatchResponse response = call("DeleteMessageBatch",
          () -> client.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)));
      deleteRequests.incrementAndGet();
      deleted += response.successful().size();
      for (BatchResultErrorEntry failed : response.failed()) {
        LOG.warn("SQS did not delete a message from {} ({}: {}); it will be delivered again",
            queueUrl, failed.code(), failed.message());
      }
    }
    return deleted;
  }

  /** ReceiveMessage calls so far. */
  public long receiveRequests() {
    return receiveRequests.get();
  }

  /** DeleteMessageBatch calls so far. */
  public long deleteRequests() {
    return deleteRequests.get();
  }

  /** Received messages that were not S3 event notifications, so far (each receipt counts). */
  public long unparseableMessages() {
    return unparseable.get();
  }

  /** Records ignored so far: removals, test events, keys outside the root. */
  public long ignoredRecords() {
    return ignored.get();
  }

  public String queueUrl() {
    return queueUrl;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "S3EventNotifications[" + queueUrl + " -> " + root + "]";
  }

  // ---- parsing ----

  /** Adds the files of one message body; returns the number of ignored records. */
  int parse(String body, List<FileEntry> out) throws IOException {
    JsonNode node = JSON.readTree(body);
    if (node == null || !node.isObject()) {
      throw new IOException("not a JSON object");
    }
    if ("Notification".equals(node.path("Type").asText(null)) && node.has("Message")) {
      node = JSON.readTree(node.get("Message").asText());
      if (node == null || !node.isObject()) {
        throw new IOException("SNS message is not a JSON object");
      }
    }
    if ("s3:TestEvent".equals(node.path("Event").asText(null))) {
      return 1;
    }
    JsonNode records = node.get("Records");
    if (records == null || !records.isArray()) {
      throw new IOException("no Records");
    }
    int skipped = 0;
    for (JsonNode record : records) {
      String eventName = record.path("eventName").asText("");
      JsonNode s3 = record.get("s3");
      if (s3 == null) {
        throw new IOException("a record without s3");
      }
      String bucket = s3.path("bucket").path("name").asText(null);
      String encodedKey = s3.path("object").path("key").asText(null);
      if (bucket == null || encodedKey == null) {
        throw new IOException("a record without bucket or key");
      }
      String key = URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
      if (!eventName.startsWith("ObjectCreated:") || !bucket.equals(root.bucket())
          || !root.isListedFile(key)) {
        skipped++;
        continue;
      }
      long size = s3.path("object").path("size").asLong(0);
      String time = record.path("eventTime").asText(null);
      long millis = time == null ? 0 : Instant.parse(time).toEpochMilli();
      out.add(new FileEntry(root.pathOf(key), size, millis));
    }
    return skipped;
  }

  private interface Call<T> {
    T run();
  }

  private <T> T call(String action, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      String hint = e.statusCode() == 403 || (code != null && code.contains("Access"))
          || "InvalidClientTokenId".equals(code) || "SignatureDoesNotMatch".equals(code)
          ? "check the credentials and that they allow sqs:" + action + " on the queue"
          : code != null && code.contains("NonExistentQueue")
              ? "check the queue URL and region" : "check the queue URL, region and permissions";
      throw new IOException("SQS " + action + " on " + queueUrl + " failed (HTTP "
          + e.statusCode() + (code == null ? "" : ", " + code) + "): " + hint, e);
    } catch (SdkException e) {
      throw new IOException("SQS " + action + " on " + queueUrl + " failed ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "): check the queue URL,"
          + " the endpoint and the network", e);
    }
  }
}
