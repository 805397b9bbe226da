package io.medallion.connector.files.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.testkit.S3Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

class S3ListerTest {
  static S3Server s3;
  static S3Client client;
  /** key -> size of every object that the lister must list, under landing/. */
  static final TreeMap<String, Integer> expected = new TreeMap<>();

  @BeforeAll
  static void upload() throws Exception {
    s3 = S3Server.start();
    client = S3Client.builder().endpointOverride(URI.create(s3.endpoint()))
        .region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    Map<String, Integer> keys = new TreeMap<>();
    for (int i = 0; i < 2_500; i++) {
      String key = String.format("landing/2024/%02d/%02d/part-%04d.json", 1 + i / 1000,
          1 + (i / 100) % 10, i);
      keys.put(key, 1 + i % 97);
    }
    expected.putAll(keys);
    // Directory markers, hidden files, keys next to (not under) the prefix.
    for (String key : List.of("landing/", "landing/2024/", "landing/2024/01/")) {
      keys.put(key, 0);
    }
    for (String key : List.of("landing/_SUCCESS", "landing/2024/01/01/.part.crc",
        "landing-other/x.json", "land/x.json", "other/y.json", "landinf")) {
      keys.put(key, 3);
    }
    put(keys);
  }

  static void put(Map<String, Integer> keys) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Map.Entry<String, Integer> e : keys.entrySet()) {
        done.add(pool.submit(() -> client.putObject(b -> b.bucket(s3.bucket()).key(e.getKey()),
            RequestBody.fromBytes("x".repeat(e.getValue()).getBytes(StandardCharsets.UTF_8)))));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  static Configuration conf() {
    Configuration conf = new Configuration(false);
    s3.configure(conf);
    return conf;
  }

  static List<FileEntry> list(FileLister lister, String startAfter) throws IOException {
    List<FileEntry> out = new ArrayList<>();
    lister.list(Optional.ofNullable(startAfter), out::add);
    return out;
  }

  static List<String> paths(List<FileEntry> entries) {
    return entries.stream().map(FileEntry::path).collect(Collectors.toList());
  }

  @Test
  void listsInKeyOrderThenIncrementallyAfterTheLastSeenKey() throws Exception {
    try (S3Lister lister = new S3Lister(s3.uri("landing"), conf())) {
      long before = System.currentTimeMillis();
      List<FileEntry> all = list(lister, null);
      assertThat(paths(all)).containsExactlyElementsOf(expected.keySet().stream()
          .map(k -> "s3a://" + s3.bucket() + "/" + k).collect(Collectors.toList()));
      for (FileEntry e : all) {
        String key = e.path().substring(("s3a://" + s3.bucket() + "/").length());
        assertThat(e.size()).as(key).isEqualTo(expected.get(key).longValue());
        assertThat(e.modificationTime()).isBetween(before - 600_000, before + 60_000);
      }
      assertThat(lister.listRequests()).isEqualTo(3); // 2,505 keys under landing/, 1,000 a page

      String middle = all.get(1_199).path();
      List<FileEntry> later = list(lister, middle);
      assertThat(later).containsExactlyElementsOf(all.subList(1_200, all.size()));
      assertThat(lister.listRequests() - 3).isEqualTo(2);

      // The same key in another S3 scheme is the same position.
      assertThat(list(lister, middle.replace("s3a://", "s3://")))
          .containsExactlyElementsOf(later);

      Map<String, Integer> fresh = new TreeMap<>();
      for (int i = 0; i < 10; i++) {
        fresh.put(String.format("landing/2024/12/31/new-%02d.json", i), 10 + i);
      }
      put(fresh);
      long requests = lister.listRequests();
      List<FileEntry> incremental = list(lister, all.get(all.size() - 1).path());
      assertThat(paths(incremental)).containsExactlyElementsOf(fresh.keySet().stream()
          .map(k -> "s3a://" + s3.bucket() + "/" + k).collect(Collectors.toList()));
      assertThat(incremental).extracting(FileEntry::size)
          .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
      assertThat(lister.listRequests() - requests).isEqualTo(1);

      requests = lister.listRequests();
      assertThat(list(lister, incremental.get(9).path())).isEmpty();
      assertThat(lister.listRequests() - requests).isEqualTo(1);
    }
  }

  @Test
  void keepsTheRootSchemeAndListsAWholeBucket() throws IOException {
    try (S3Lister lister = new S3Lister("s3://" + s3.bucket() + "/landing/2024/02/10/", conf())) {
      List<FileEntry> got = list(lister, null);
      assertThat(got).hasSize(100);
      assertThat(got.get(0).path())
          .isEqualTo("s3://" + s3.bucket() + "/landing/2024/02/10/part-1900.json");
    }
    try (S3Lister lister = new S3Lister("s3a://" + s3.bucket(), conf())) {
      String b = "s3a://" + s3.bucket() + "/";
      List<String> all = paths(list(lister, null));
      assertThat(all).startsWith(b + "land/x.json", b + "landinf", b + "landing-other/x.json",
          b + "landing/2024/01/01/part-0000.json").endsWith(b + "other/y.json").isSorted();
      assertThat(paths(list(lister, b + "landing/2024/99"))).containsExactly(b + "other/y.json");
    }
  }

  /**
   * {@code paging.maximum}, per bucket over the global key, sets the keys per request; above S3's
   * 1,000 (S3A's own default is 5,000) it means 1,000; anything but a positive whole number is an
   * error naming both keys and what to set.
   */
  @Test
  void pagingMaximumSetsTheKeysPerRequest() throws IOException {
    Configuration conf = conf();
    conf.set("fs.s3a.paging.maximum", "5000");
    List<FileEntry> all;
    try (S3Lister lister = new S3Lister(s3.uri("landing"), conf)) {
      all = list(lister, null);
      assertThat(paths(all)).containsAll(expected.keySet().stream().map(k -> "s3a://" + s3.bucket() + "/" + k).toList());
      // 2,505 keys under landing/ (2,515 once another test has added its ten), 1,000 a page
      assertThat(lister.listRequests()).isEqualTo(3);
    }
    conf.set("fs.s3a.bucket." + s3.bucket() + ".paging.maximum", "400");
    try (S3Lister lister = new S3Lister(s3.uri("landing"), conf)) {
      assertThat(lister.toString()).contains("400 keys a page");
      assertThat(list(lister, null)).containsExactlyElementsOf(all);
      assertThat(lister.listRequests()).isEqualTo(7); // 2,505 or 2,515 keys, 400 a page
    }
    for (String bad : List.of("0", "-5", "many")) {
      conf.set("fs.s3a.bucket." + s3.bucket() + ".paging.maximum", bad);
      assertThatThrownBy(() -> new S3Lister(s3.uri("landing"), conf)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("S3 bucket '" + s3.bucket() + "': fs.s3a.paging.maximum (or fs.s3a.bucket." + s3.bucket()
              + ".paging.maximum) is '" + bad + "'; set a whole number of keys per list request, 1 or more"
              + " (S3 returns at most 1000), or unset it for 1000");
    }
  }

  @Test
  void aMissingBucketNamesTheBucketAndWhatToCheck() {
    Configuration conf = conf();
    conf.set("fs.s3a.endpoint", s3.endpoint());
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.access.key", s3.accessKey());
    conf.set("fs.s3a.secret.key", s3.secretKey());
    try (S3Lister lister = new S3Lister("s3a://no-such-bucket-4711/in/", conf)) {
      assertThatThrownBy(() -> list(lister, null)).isInstanceOf(IOException.class)
          .hasMessageContaining("s3a://no-such-bucket-4711/in/")
          .hasMessageContaining("does not exist")
          .hasMessageContaining("fs.s3a.endpoint")
          .hasMessageNotContaining(s3.secretKey());
    }
  }

  @Test
  void aWrongSecretIsAccessDeniedWithoutTheSecret() {
    Configuration conf = conf();
    String wrong = "wrong-secret-" + s3.secretKey().substring(0, 8) + "-0123456789";
    conf.set("fs.s3a.bucket." + s3.bucket() + ".secret.key", wrong);
    try (S3Lister lister = new S3Lister(s3.uri("landing/"), conf)) {
      assertThat(lister.toString()).doesNotContain(wrong).doesNotContain(s3.secretKey());
      assertThatThrownBy(() -> list(lister, null)).isInstanceOf(IOException.class)
          .hasMessageContaining("Access denied listing " + s3.uri("landing/"))
          .hasMessageContaining("fs.s3a.secret.key")
          .hasMessageNotContaining(wrong)
          .satisfies(e -> assertThat(stackText(e)).doesNotContain(wrong));
    }
  }

  @Test
  void anUnreachableEndpointFailsInBoundedTime() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Configuration conf = conf();
    conf.set("fs.s3a.bucket." + s3.bucket() + ".endpoint", "http://127.0.0.1:" + port);
    long start = System.nanoTime();
    try (S3Lister lister = new S3Lister(s3.uri("landing/"), conf)) {
      assertThatThrownBy(() -> list(lister, null)).isInstanceOf(IOException.class)
          .hasMessageContaining(s3.uri("landing/"))
          .hasMessageContaining("http://127.0.0.1:" + port)
          .hasMessageContaining("fs.s3a.endpoint")
          .hasMessageNotContaining(s3.secretKey());
    }
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(30_000);
  }

  static String stackText(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
    }
    return sb.toString();
  }
}
