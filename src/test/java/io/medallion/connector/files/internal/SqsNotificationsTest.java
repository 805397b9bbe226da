package io.medallion.connector.files.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.testkit.SqsServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SqsNotificationsTest {
  static SqsServer sqs;

  @BeforeAll
  static void start() {
    sqs = SqsServer.start();
  }

  @AfterAll
  static void stop() {
    if (sqs != null) {
      sqs.close();
    }
  }

  S3EventNotifications notifications(String queue) {
    return new S3EventNotifications(queue, "s3a://landing-bucket/in/",
        Optional.of(sqs.endpoint()), SqsServer.REGION, sqs.credentials());
  }

  @Test
  void pollsCreatedFilesUnderTheRootAndAcksThem() throws Exception {
    String queue = sqs.createQueue("events-" + System.nanoTime(), Duration.ofSeconds(1));
    Instant t = Instant.parse("2024-01-01T00:00:00.123Z");
    sqs.sendS3Event(queue, "landing-bucket", "in/2024/01/01/a b+c.json", 11);
    sqs.send(queue, SqsServer.s3EventJson("ObjectCreated:CompleteMultipartUpload",
        "landing-bucket", "in/2024/01/01/żółw ü 東京 100%.json", 22, t));
    sqs.send(queue, SqsServer.snsWrapped(SqsServer.s3EventJson("ObjectCreated:Copy",
        "landing-bucket", "in/sns/x=1/a&b.json", 33, t)));
    sqs.send(queue, SqsServer.s3TestEventJson("landing-bucket"));
    sqs.send(queue, SqsServer.s3EventJson("ObjectRemoved:Delete", "landing-bucket",
        "in/2024/01/01/gone.json", 0, t));
    sqs.sendS3Event(queue, "landing-bucket", "elsewhere/x.json", 44);
    sqs.sendS3Event(queue, "other-bucket", "in/x.json", 45);
    sqs.sendS3Event(queue, "landing-bucket", "in/2024/", 0); // a "folder" from the console
    sqs.sendS3Event(queue, "landing-bucket", "in/2024/_SUCCESS", 0);
    String garbageId = sqs.send(queue, "this is not json {");
    sqs.send(queue, "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\"}]}");
    for (int i = 0; i < 12; i++) { // more than one receive batch of 10
      sqs.sendS3Event(queue, "landing-bucket", String.format("in/bulk/f-%02d.json", i), i);
    }
    assertThat(garbageId).isNotBlank();

    try (S3EventNotifications source = notifications(queue)) {
      S3EventNotifications.Batch batch = source.poll(100, Duration.ofSeconds(1));
      assertThat(batch.messages()).isEqualTo(11 + 12);
      assertThat(batch.unparseable()).isEqualTo(2);
      assertThat(batch.ignoredRecords()).isEqualTo(6);
      assertThat(batch.receiptHandles()).hasSize(21);
      assertThat(batch.entries()).extracting(FileEntry::path).containsExactlyInAnyOrder(
          "s3a://landing-bucket/in/2024/01/01/a b+c.json",
          "s3a://landing-bucket/in/2024/01/01/żółw ü 東京 100%.json",
          "s3a://landing-bucket/in/sns/x=1/a&b.json",
          "s3a://landing-bucket/in/bulk/f-00.json", "s3a://landing-bucket/in/bulk/f-01.json",
          "s3a://landing-bucket/in/bulk/f-02.json", "s3a://landing-bucket/in/bulk/f-03.json",
          "s3a://landing-bucket/in/bulk/f-04.json", "s3a://landing-bucket/in/bulk/f-05.json",
          "s3a://landing-bucket/in/bulk/f-06.json", "s3a://landing-bucket/in/bulk/f-07.json",
          "s3a://landing-bucket/in/bulk/f-08.json", "s3a://landing-bucket/in/bulk/f-09.json",
          "s3a://landing-bucket/in/bulk/f-10.json", "s3a://landing-bucket/in/bulk/f-11.json");
      FileEntry unicode = batch.entries().stream()
          .filter(e -> e.path().contains("żółw")).findFirst().orElseThrow();
      assertThat(unicode.size()).isEqualTo(22);
      assertThat(unicode.modificationTime()).isEqualTo(t.toEpochMilli());
      assertThat(source.receiveRequests()).isBetween(3L, 4L);

      assertThat(source.ack(batch)).isEqualTo(21);
      assertThat(source.deleteRequests()).isEqualTo(3);

      // Unacknowledged messages come back once their visibility timeout has passed.
      int messages = 0;
      int unparseable = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (messages < 2 && System.nanoTime() < deadline) {
        S3EventNotifications.Batch again = source.poll(100, Duration.ofSeconds(1));
        assertThat(again.entries()).isEmpty();
        assertThat(again.receiptHandles()).isEmpty();
        messages += again.messages();
        unparseable += again.unparseable();
      }
      assertThat(messages).isEqualTo(2); // only the unparseable ones stay on the queue
      assertThat(unparseable).isEqualTo(2);
      assertThat(source.unparseableMessages()).isEqualTo(4);
      assertThat(sqs.messageCount(queue)).isEqualTo(2);
    }
  }

  @Test
  void anEmptyQueueWaitsAtMostTheGivenTimeAndMaxMessagesBounds() throws IOException {
    String queue = sqs.createQueue("empty-" + System.nanoTime(), Duration.ofSeconds(30));
    try (S3EventNotifications source = notifications(queue)) {
      long start = System.nanoTime();
      S3EventNotifications.Batch batch = source.poll(10, Duration.ofSeconds(1));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(batch.isEmpty()).isTrue();
      assertThat(ms).isBetween(500L, 5_000L);
      assertThat(source.receiveRequests()).isEqualTo(1);

      for (int i = 0; i < 5; i++) {
        sqs.sendS3Event(queue, "landing-bucket", "in/f" + i, i);
      }
      S3EventNotifications.Batch three = source.poll(3, Duration.ofSeconds(1));
      assertThat(three.entries()).hasSize(3);
      S3EventNotifications.Batch rest = source.poll(10, Duration.ofSeconds(1));
      assertThat(rest.entries()).hasSize(2);
      assertThat(source.ack(three) + source.ack(rest)).isEqualTo(5);
      assertThat(sqs.messageCount(queue)).isZero();
    }
  }

  @Test
  void aMissingQueueFailsWithTheQueueUrl() {
    String missing = sqs.endpoint() + "/000000000000/no-such-queue";
    try (S3EventNotifications source = notifications(missing)) {
      assertThatThrownBy(() -> source.poll(1, Duration.ZERO)).isInstanceOf(IOException.class)
          .hasMessageContaining(missing).hasMessageContaining("ReceiveMessage");
    }
  }
}
