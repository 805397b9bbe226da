package io.medallion.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Smoke test of the local stack ({@code scripts/local-stack.sh} runs {@link LocalStack}): every
 * server answers at the address its env file gives, with the bucket, topic, stream and queue made
 * and the sample records produced.
 */
class LocalStackTest {
  @TempDir Path dir;

  @Test
  void everyServerAnswersAtTheAddressesOfTheEnvFile() throws Exception {
    try (LocalStack stack = LocalStack.start(dir)) {
      assertThat(Files.getPosixFilePermissions(stack.envFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      Map<String, String> env = new HashMap<>();
      for (String line : Files.readAllLines(stack.envFile())) {
        if (!line.startsWith("#")) {
          env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 2, line.length() - 1));
        }
      }
      assertThat(env).containsAllEntriesOf(stack.environment());
      assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).startsWith("127.0.0.1:");
      assertThat(stack.describe()).contains(env.get("MEDALLION_S3_ENDPOINT"), env.get("KINESIS_ENDPOINT"))
          .doesNotContain(env.get("AWS_SECRET_ACCESS_KEY"));

      var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")));
      try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(env.get("MEDALLION_S3_ENDPOINT")))
          .forcePathStyle(true).region(Region.US_EAST_1).credentialsProvider(creds)
          .httpClient(UrlConnectionHttpClient.create()).build()) {
        assertThat(s3.listObjectsV2(b -> b.bucket(LocalStack.BUCKET)).keyCount()).isZero();
      }
      try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(env.get("SQS_ENDPOINT")))
          .region(Region.US_EAST_1).credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build()) {
        assertThat(sqs.listQueues().queueUrls()).contains(env.get("SQS_QUEUE_URL"));
      }
      try (KinesisClient kinesis = KinesisClient.builder().endpointOverride(URI.create(env.get("KINESIS_ENDPOINT")))
          .region(Region.of(env.get("KINESIS_REGION"))).credentialsProvider(creds)
          .httpClient(UrlConnectionHttpClient.create()).build()) {
        String shard = kinesis.listShards(b -> b.streamName("clicks")).shards().get(0).shardId();
        String iterator = kinesis.getShardIterator(b -> b.streamName("clicks").shardId(shard)
            .shardIteratorType("TRIM_HORIZON")).shardIterator();
        assertThat(kinesis.getRecords(b -> b.shardIterator(iterator).limit(1000)).records()).hasSize(LocalStack.SAMPLE_RECORDS);
      }
      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP_SERVERS"));
      try (Admin admin = Admin.create(props)) {
        long total = 0;
        for (int p = 0; p < 2; p++) {
          total += admin.listOffsets(Map.of(new TopicPartition("orders", p), OffsetSpec.latest())).all().get()
              .values().iterator().next().offset();
        }
        assertThat(total).isEqualTo(LocalStack.SAMPLE_RECORDS);
      }
    }
  }
}
