package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.S3Server;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
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

/**
 * {@code cloudFiles} over a landing prefix on {@code s3a://} (s3proxy, a real S3 server in a child
 * JVM): full listing, incremental listing (S3 StartAfter) and its backfill. Checkpoints, schema
 * locations and Delta targets are on local disk (the test's temporary directory); only the
 * landing files are on S3.
 */
class CloudFilesS3Test extends CloudFilesTestBase {
  static S3Server s3;
  static S3Client client;

  @BeforeAll
  static void startS3() {
    s3 = S3Server.start();
    s3.configure(spark());
    client = S3Client.builder().endpointOverride(URI.create(s3.endpoint()))
        .region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
  }

  @AfterAll
  static void stopS3() {
    if (client != null) {
      client.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  // ------------------------------------------------------------------ drop-in Auto Loader code

  @Test
  void dropInAutoLoaderCodeReadsJsonFromDatedPrefixesOnS3() throws Exception {
    Map<String, String> objects = new LinkedHashMap<>();
    int id = 0;
    for (String day : List.of("2024/01/01", "2024/01/02", "2024/01/03")) {
      for (int f = 0; f < 4; f++) {
        StringBuilder body = new StringBuilder();
        for (int line = 0; line < 5; line++) {
          body.append("{\"id\":").append(id++).append(",\"day\":\"").append(day)
              .append("\",\"amount\":").append(id).append(".5}\n");
        }
        objects.put("dropin/" + day + "/part-" + f + ".json", body.toString());
      }
    }
    // A value that does not fit the declared type of amount (a hint: DOUBLE) is rescued.
    objects.put("dropin/2024/01/03/odd.json", "{\"id\":1000,\"day\":\"2024/01/03\",\"amount\":\"n/a\"}\n");
    put(objects);
    String landing = s3.uri("dropin/");

    Dataset<Row> stream = autoLoader("json")
        .option("cloudFiles.inferColumnTypes", "true")
        .option("cloudFiles.schemaHints", "amount DOUBLE")
        .load(landing)
        .select(functions.col("*"), functions.col("_metadata.file_path").as("source_file"));
    StreamingQuery first = availableNow(stream);

    assertThat(table().count()).isEqualTo(61);
    assertThat(table().select("id").distinct().count()).isEqualTo(61);
    assertThat(table().schema().fieldNames())
        .containsExactly("amount", "day", "id", "_rescued_data", "source_file");
    assertThat(sorted(strings(table().select("source_file").distinct(), "source_file")))
        .isEqualTo(objects.keySet().stream().map(k -> s3.uri(k)).sorted().toList());
    Row odd = table().where("id = 1000").collectAsList().get(0);
    assertThat(odd.isNullAt(odd.fieldIndex("amount"))).isTrue();
    assertThat(odd.<String>getAs("_rescued_data")).isEqualTo(
        "{\"amount\":\"n/a\",\"_file_path\":\"" + s3.uri("dropin/2024/01/03/odd.json") + "\"}");
    assertThat(table().where("_rescued_data IS NOT NULL").count()).isEqualTo(1);
    Row one = table().where("id = 7").collectAsList().get(0);
    assertThat(one.<Double>getAs("amount")).isEqualTo(8.5);
    assertThat(one.<String>getAs("day")).isEqualTo("2024/01/01");
    assertThat(one.<String>getAs("source_file")).isEqualTo(s3.uri("dropin/2024/01/01/part-1.json"));
    assertThat(metrics(first)).containsEntry("numFilesDiscovered", "13")
        .containsEntry("numFilesOutstanding", "0");

    // Ten more objects in a new dated prefix: the second run reads exactly those.
    Map<String, String> more = new LinkedHashMap<>();
    for (int f = 0; f < 10; f++) {
      more.put("dropin/2024/01/04/part-" + f + ".json", "{\"id\":" + (2000 + 2 * f)
          + ",\"day\":\"2024/01/04\",\"amount\":1.25}\n{\"id\":" + (2001 + 2 * f)
          + ",\"day\":\"2024/01/04\",\"amount\":2.25}\n");
    }
    put(more);
    StreamingQuery second = availableNow(stream);

    assertThat(table().count()).isEqualTo(81);
    assertThat(table().select("id").distinct().count()).isEqualTo(81);
    Dataset<Row> added = table().where("id >= 2000");
    assertThat(sorted(strings(added.select("source_file").distinct(), "source_file")))
        .isEqualTo(more.keySet().stream().map(k -> s3.uri(k)).sorted().toList());
    assertThat(sorted(strings(added, "id"))).isEqualTo(
        IntStream.range(2000, 2020).mapToObj(Integer::toString).sorted().toList());
    assertThat(metrics(second)).containsEntry("numFilesDiscovered", "23")
        .containsEntry("numFilesInLastBatch", "10").containsEntry("numFilesOutstanding", "0");
  }

  // ------------------------------------------------------------------ incremental listing

  @Test
  void incrementalListingListsOnlyAfterTheLastSeenKey() throws Exception {
    // 100 keys a list request (S3's own maximum is 1,000; S3ListerTest lists 2,505 keys at that):
    // the same pages with a tenth of the objects to read.
    String paging = "fs.s3a.bucket." + s3.bucket() + ".paging.maximum";
    spark().conf().set(paging, "100");
    try {
      incrementalListing();
    } finally {
      spark().conf().unset(paging);
    }
  }

  private void incrementalListing() throws Exception {
    Map<String, String> objects = new LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      objects.put(String.format("inc/2024/01/%02d/part-%05d.json", 1 + i / 50, i),
          "{\"id\":" + i + "}\n");
    }
    put(objects);
    String landing = s3.uri("inc/");
    Path incCkpt = dir.resolve("inc-checkpoint");
    Path incTarget = dir.resolve("inc-target");
    Path fullCkpt = dir.resolve("full-checkpoint");
    Path fullTarget = dir.resolve("full-target");

    StreamingQuery inc1 = run(reader(true).load(landing), incCkpt, incTarget);
    StreamingQuery full1 = run(reader(false).load(landing), fullCkpt, fullTarget);
    assertThat(count(incTarget)).isEqualTo(150);
    assertThat(count(fullTarget)).isEqualTo(150);
    // Nothing seen yet: both list the whole prefix, 150 keys at 100 a page.
    assertThat(listRequests(inc1)).isEqualTo(2);
    assertThat(listRequests(full1)).isEqualTo(2);

    // Ten new objects whose keys sort after every key seen.
    Map<String, String> late = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      late.put(String.format("inc/2024/01/09/part-%05d.json", 5_000 + i), "{\"id\":" + (5_000 + i) + "}\n");
    }
    put(late);
    List<String> lateUris = late.keySet().stream().map(k -> s3.uri(k)).sorted().toList();

    StreamingQuery inc2 = run(reader(true).load(landing), incCkpt, incTarget);
    StreamingQuery full2 = run(reader(false).load(landing), fullCkpt, fullTarget);
    // The source metric counts the requests of one source instance; each run is a new query, a
    // new instance, and Trigger.AvailableNow discovers once: the last progress holds the run's count.
    assertThat(inc2.recentProgress()).hasSize(1);
    assertThat(listRequests(inc2)).isEqualTo(1); // StartAfter the last key: one page of 10 keys
    assertThat(listRequests(full2)).isEqualTo(2); // 160 keys again
    for (Path target : List.of(incTarget, fullTarget)) {
      Dataset<Row> table = spark().read().format("delta").load(target.toString());
      assertThat(table.count()).isEqualTo(160);
      assertThat(table.select("id").distinct().count()).isEqualTo(160);
      assertThat(sorted(strings(table.where("id >= 5000").select("source_file"), "source_file")))
          .isEqualTo(lateUris);
    }
    assertThat(metrics(inc2)).containsEntry("numFilesInLastBatch", "10")
        .containsEntry("numFilesDiscovered", "160");
  }

  @Test
  void backfillFindsAKeyThatSortsBeforeTheLastSeenKey() throws Exception {
    Map<String, String> objects = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      objects.put(String.format("backfill/2024/01/02/part-%03d.json", i), "{\"id\":" + i + "}\n");
    }
    put(objects);
    String landing = s3.uri("backfill/");
    Path ckpt = dir.resolve("checkpoint");
    Path target = dir.resolve("target");
    run(reader(true).load(landing), ckpt, target);
    assertThat(count(target)).isEqualTo(20);

    // Lands late, in an earlier dated prefix: sorts before every key seen.
    String early = "backfill/2024/01/01/late-arrival.json";
    put(Map.of(early, "{\"id\":100}\n{\"id\":101}\n"));

    StreamingQuery incrementalOnly = run(reader(true).load(landing), ckpt, target);
    assertThat(count(target)).isEqualTo(20);
    assertThat(incrementalOnly.recentProgress()).hasSize(1).allSatisfy(p ->
        assertThat(p.sources()[0].metrics()).containsEntry("numListRequests", "1")
            .containsEntry("numFilesDiscovered", "20"));

    // The interval has certainly passed (no full listing ever ran on this checkpoint): the run
    // lists incrementally, then fully, and finds the early key once.
    StreamingQuery withBackfill = run(reader(true).option("cloudFiles.backfillInterval", "1 ms")
        .load(landing), ckpt, target);
    assertThat(count(target)).isEqualTo(22);
    Dataset<Row> table = spark().read().format("delta").load(target.toString());
    assertThat(sorted(strings(table.where("id >= 100"), "source_file")))
        .containsExactly(s3.uri(early), s3.uri(early));
    assertThat(listRequests(withBackfill)).isEqualTo(2); // incremental (empty) + full listing
    assertThat(metrics(withBackfill)).containsEntry("numFilesDiscovered", "21")
        .containsEntry("numOverwrittenFilesIgnored", "0");

    // And it is not read again by later runs, backfill or not.
    run(reader(true).option("cloudFiles.backfillInterval", "1 ms").load(landing), ckpt, target);
    run(reader(true).load(landing), ckpt, target);
    assertThat(count(target)).isEqualTo(22);
  }

  // ------------------------------------------------------------------ helpers

  /** A cloudFiles reader of JSON objects {@code {"id": ...}} with a given schema. */
  private static DataStreamReader reader(boolean incremental) {
    return spark().readStream().format("cloudFiles")
        .option("cloudFiles.format", "json")
        .option("cloudFiles.useIncrementalListing", Boolean.toString(incremental))
        .schema("id BIGINT");
  }

  static StreamingQuery run(Dataset<Row> stream, Path checkpoint, Path target) throws Exception {
    StreamingQuery q = stream.select(functions.col("*"), functions.col("_metadata.file_path").as("source_file"))
        .writeStream().format("delta")
        .option("checkpointLocation", checkpoint.toString())
        .trigger(Trigger.AvailableNow())
        .start(target.toString());
    q.awaitTermination();
    return q;
  }

  static long count(Path target) {
    return spark().read().format("delta").load(target.toString()).count();
  }

  /** The source metrics of the query's last progress. */
  static Map<String, String> metrics(StreamingQuery q) {
    StreamingQueryProgress[] progress = q.recentProgress();
    assertThat(progress).isNotEmpty();
    return progress[progress.length - 1].sources()[0].metrics();
  }

  static long listRequests(StreamingQuery q) {
    return Long.parseLong(metrics(q).get("numListRequests"));
  }

  static List<String> sorted(List<String> values) {
    return values.stream().sorted().collect(Collectors.toList());
  }

  /** Uploads objects (key -> UTF-8 content), 8 at a time. */
  static void put(Map<String, String> objects) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Map.Entry<String, String> e : objects.entrySet()) {
        done.add(pool.submit(() -> client.putObject(b -> b.bucket(s3.bucket()).key(e.getKey()),
            RequestBody.fromBytes(e.getValue().getBytes(StandardCharsets.UTF_8)))));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
