package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.S3Server;
import io.medallion.testkit.SqsServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code cloudFiles} in notification mode: objects on s3proxy, their S3 {@code ObjectCreated}
 * event notifications on an ElasticMQ queue (both real servers in child JVMs), as S3 -> SQS
 * delivers them. Checkpoints and Delta targets are on local disk.
 */
class CloudFilesNotificationsTest extends CloudFilesTestBase {
  static S3Server s3;
  static SqsServer sqs;
  static S3Client client;

  String prefix;
  String queue;

  @BeforeAll
  static void startServers() {
    s3 = S3Server.start();
    s3.configure(spark());
    sqs = SqsServer.start();
    client = S3Client.builder().endpointOverride(URI.create(s3.endpoint()))
        .region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  @AfterAll
  static void stopServers() {
    if (client != null) {
      client.close();
    }
    if (sqs != null) {
      sqs.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void prefixAndQueue(TestInfo test) {
    String name = test.getTestMethod().orElseThrow().getName().toLowerCase();
    prefix = name + "/";
    queue = sqs.createQueue(name);
  }

  @Test
  void runsBetweenBackfillsReadOnlyNotifiedFilesWithoutListing() throws Exception {
    for (int i = 0; i < 3; i++) {
      upload("2024/01/01/old-" + i + ".json", lines(10 * i, 2)); // before the stream started
    }
    StreamingQuery first = run(reader());
    assertThat(ids()).containsExactly(0L, 1L, 10L, 11L, 20L, 21L);
    // includeExistingFiles (default true): the first run lists the prefix once (the initial backfill).
    assertThat(metrics(first)).containsEntry("numListRequests", "1")
        .containsEntry("numFilesDiscovered", "3").containsEntry("numFilesOutstanding", "0");
    assertThat(Long.parseLong(metrics(first).get("numQueueRequests"))).isPositive();

    for (int i = 0; i < 4; i++) {
      announce(upload("2024/01/02/new-" + i + ".json", lines(100 + 10 * i, 3)));
    }
    assertThat(sqs.messageCount(queue)).isEqualTo(4);
    StreamingQuery second = run(reader());

    assertThat(ids()).containsExactly(0L, 1L, 10L, 11L, 20L, 21L, 100L, 101L, 102L, 110L, 111L,
        112L, 120L, 121L, 122L, 130L, 131L, 132L);
    assertThat(sourceFiles("id >= 100").stream().distinct()).containsExactly(uri("2024/01/02/new-0.json"),
        uri("2024/01/02/new-1.json"), uri("2024/01/02/new-2.json"), uri("2024/01/02/new-3.json"));
    assertThat(metrics(second)).containsEntry("numListRequests", "0")
        .containsEntry("numFilesDiscovered", "7").containsEntry("numFilesInLastBatch", "4")
        .containsEntry("numFilesOutstanding", "0");
    assertThat(Long.parseLong(metrics(second).get("numQueueRequests"))).isPositive();
    // The messages were deleted (after the files were written to the checkpoint's file log).
    assertThat(sqs.messageCount(queue)).isZero();

    // Nothing new: nothing listed, nothing read.
    run(reader());
    assertThat(table().count()).isEqualTo(18);
  }

  @Test
  void duplicateNotificationsIngestTheFileOnce() throws Exception {
    String a = upload("a.json", lines(0, 2));
    String b = upload("b.json", lines(10, 2));
    announce(a);
    announce(a);
    announce(b);
    // First run: the initial listing finds a and b; the queue announces a twice and b once.
    StreamingQuery first = run(reader());
    assertThat(ids()).containsExactly(0L, 1L, 10L, 11L);
    assertThat(metrics(first)).containsEntry("numFilesDiscovered", "2");
    assertThat(sqs.messageCount(queue)).isZero();

    // Later: a redelivered event of a, and c announced twice (S3 delivers at least once).
    String c = upload("c.json", lines(20, 3));
    announce(c);
    announce(a);
    announce(c);
    StreamingQuery second = run(reader());
    assertThat(ids()).containsExactly(0L, 1L, 10L, 11L, 20L, 21L, 22L);
    assertThat(sourceFiles("id >= 20")).containsExactly(c, c, c);
    assertThat(metrics(second)).containsEntry("numFilesDiscovered", "3")
        .containsEntry("numFilesInLastBatch", "1").containsEntry("numListRequests", "0");
    assertThat(sqs.messageCount(queue)).isZero();
  }

  @Test
  void fileWithoutNotificationWaitsForTheBackfill() throws Exception {
    upload("2024/01/01/old.json", lines(0, 1));
    run(reader());
    assertThat(ids()).containsExactly(0L);

    String silent = upload("2024/01/02/silent.json", lines(10, 2)); // no event (lost, or not configured)
    announce(upload("2024/01/02/announced.json", lines(20, 2)));
    StreamingQuery second = run(reader());
    assertThat(ids()).containsExactly(0L, 20L, 21L);
    assertThat(sourceFiles("id >= 10")).containsExactly(uri("2024/01/02/announced.json"),
        uri("2024/01/02/announced.json"));
    assertThat(metrics(second)).containsEntry("numListRequests", "0");

    // The last full listing is older than 1 ms: this run backfills, and finds the silent file.
    StreamingQuery third = run(reader().option("cloudFiles.backfillInterval", "1 ms"));
    assertThat(ids()).containsExactly(0L, 10L, 11L, 20L, 21L);
    assertThat(sourceFiles("id BETWEEN 10 AND 11")).containsExactly(silent, silent);
    assertThat(metrics(third)).containsEntry("numListRequests", "1")
        .containsEntry("numFilesDiscovered", "3").containsEntry("numFilesInLastBatch", "1")
        // announced.json was found by its event (its time is the event's): the listing does not
        // take it for an overwritten file
        .containsEntry("numOverwrittenFilesIgnored", "0");
  }

  @Test
  void backfillDoesNotReadNotifiedFilesAgainWithAllowOverwrites() throws Exception {
    upload("old.json", lines(0, 1));
    run(reader().option("cloudFiles.allowOverwrites", "true"));
    announce(upload("announced.json", lines(10, 2)));
    run(reader().option("cloudFiles.allowOverwrites", "true"));
    assertThat(ids()).containsExactly(0L, 10L, 11L);

    StreamingQuery backfill = run(reader().option("cloudFiles.allowOverwrites", "true")
        .option("cloudFiles.backfillInterval", "1 ms"));
    assertThat(ids()).containsExactly(0L, 10L, 11L);
    assertThat(backfill.recentProgress()).hasSize(1);
    assertThat(metrics(backfill)).containsEntry("numListRequests", "1")
        .containsEntry("numFilesDiscovered", "2");

    // A real overwrite (new content, later) is still read again with allowOverwrites.
    upload("announced.json", lines(30, 3));
    run(reader().option("cloudFiles.allowOverwrites", "true").option("cloudFiles.backfillInterval", "1 ms"));
    assertThat(ids()).containsExactly(0L, 10L, 11L, 30L, 31L, 32L);
  }

  // ------------------------------------------------------------------ helpers

  private DataStreamReader reader() {
    AwsCredentials keys = sqs.credentials().resolveCredentials();
    return spark().readStream().format("cloudFiles")
        .option("cloudFiles.format", "json")
        .option("cloudFiles.useNotifications", "true")
        .option("cloudFiles.queueUrl", queue)
        .option("cloudFiles.sqsEndpoint", sqs.endpoint())
        .option("cloudFiles.region", SqsServer.REGION)
        .option("cloudFiles.awsAccessKey", keys.accessKeyId())
        .option("cloudFiles.awsSecretKey", keys.secretAccessKey())
        .schema("id BIGINT");
  }

  private StreamingQuery run(DataStreamReader reader) throws Exception {
    Dataset<Row> stream = reader.load(s3.uri(prefix))
        .select(functions.col("*"), functions.col("_metadata.file_path").as("source_file"));
    StreamingQuery q = stream.writeStream().format("delta")
        .option("checkpointLocation", checkpoint().toString())
        .trigger(Trigger.AvailableNow())
        .start(target().toString());
    q.awaitTermination();
    return q;
  }

  private static Map<String, String> metrics(StreamingQuery q) {
    StreamingQueryProgress[] progress = q.recentProgress();
    assertThat(progress).isNotEmpty();
    return progress[progress.length - 1].sources()[0].metrics();
  }

  private List<Long> ids() {
    return table().orderBy("id").select("id").collectAsList().stream().map(r -> r.getLong(0)).toList();
  }

  private List<String> sourceFiles(String where) {
    return table().where(where).orderBy("source_file", "id").select("source_file").collectAsList()
        .stream().map(r -> r.getString(0)).toList();
  }

  private static String lines(long firstId, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append("{\"id\":").append(firstId + i).append("}\n");
    }
    return s.toString();
  }

  private String uri(String relative) {
    return s3.uri(prefix + relative);
  }

  /** Uploads {@code content} under the test's prefix; returns the s3a URI. */
  private final Map<String, Integer> sizes = new LinkedHashMap<>();

  private String upload(String relative, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    client.putObject(b -> b.bucket(s3.bucket()).key(prefix + relative), RequestBody.fromBytes(bytes));
    sizes.put(uri(relative), bytes.length);
    return uri(relative);
  }

  /** Sends the ObjectCreated:Put event of an uploaded object, as S3 does. */
  private void announce(String uri) {
    String key = uri.substring(("s3a://" + s3.bucket() + "/").length());
    sqs.sendS3Event(queue, s3.bucket(), key, sizes.get(uri));
  }
}
