package io.medallion.connector.files.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Notification mode's queue: {@link S3EventNotifications} on {@code cloudFiles.queueUrl}, with
 * credentials from {@code cloudFiles.awsAccessKey}/{@code awsSecretKey} or the default AWS chain,
 * the region from {@code cloudFiles.region} (else the queue URL's host, else the bucket's s3a
 * settings) and {@code cloudFiles.sqsEndpoint} as an endpoint override (medallion's; for
 * SQS-compatible servers).
 */
final class Notifications {
  private static final Duration FIRST_WAIT = Duration.ofSeconds(1);

  private Notifications() {}

  static FileNotifications sqs(CloudFilesOptions o, String root, Configuration conf) {
    String queue = o.queueUrl().orElseThrow();
    AwsCredentialsProvider credentials = o.awsAccessKey().isPresent()
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(o.awsAccessKey().get(), o.awsSecretKey().get()))
        : DefaultCredentialsProvider.builder().build();
    String region = o.region().or(() -> regionOf(queue)).orElseGet(() -> {
      if (S3Location.isS3(root)) {
        String r = S3Settings.fromHadoop(conf, S3Location.parse(root).bucket()).configuredRegion();
        return r != null ? r : "us-east-1";
      }
      return "us-east-1";
    });
    S3EventNotifications sqs = new S3EventNotifications(queue, root, o.sqsEndpoint(), region, credentials);
    return new FileNotifications() {
      @Override
      public Received poll(int max) {
        try {
          S3EventNotifications.Batch b = sqs.poll(max, FIRST_WAIT);
          return new Received(b.entries(), b.messages(), () -> {
            try {
              sqs.ack(b);
            } catch (IOException e) {
              throw new UncheckedIOException("cloudFiles: cannot delete received messages from " + queue
                  + ": " + e.getMessage() + " (they come back and are skipped as already seen)", e);
            }
          });
        } catch (IOException e) {
          throw new UncheckedIOException("cloudFiles: cannot receive from " + queue + ": " + e.getMessage(), e);
        }
      }

      @Override
      public long requests() {
        return sqs.receiveRequests();
      }

      @Override
      public void close() {
        sqs.close();
      }
    };
  }

  /** {@code https://sqs.eu-west-1.amazonaws.com/123/q} -> eu-west-1. */
  static Optional<String> regionOf(String queueUrl) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^https?://sqs\\.([a-z0-9-]+)\\.amazonaws\\.com")
        .matcher(queueUrl);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
