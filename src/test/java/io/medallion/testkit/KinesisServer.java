package io.medallion.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * A real Kinesis-compatible server for tests: <a
 * href="https://github.com/mhart/kinesalite">kinesalite</a> (in memory) run by Node.js as a child
 * process bound to {@code 127.0.0.1} on an ephemeral port.
 *
 * <pre>
 * try (KinesisServer kinesis = KinesisServer.start()) {
 *   kinesis.createStream("events", 4);
 *   kinesis.put("events", "key-1", "hello".getBytes(UTF_8));
 *   spark.readStream().format("kinesis")
 *       .options(kinesis.sourceOptions("events"))   // streamName, region, endpoint, keys
 *       .option("initialPosition", "trim_horizon").load();
 * }
 * </pre>
 *
 * <p><b>Installation.</b> {@code node} and {@code npm} must be on the {@code PATH}. The pinned
 * {@code package.json} and {@code package-lock.json} shipped with this class (resources under
 * {@code io/medallion/testkit/kinesalite/}) are copied to {@code
 * ${user.home}/.cache/medallion/kinesalite-<first 12 hex digits of the lock file's SHA-256>}
 * (override the parent with the system property {@value #CACHE_DIR_PROPERTY}) and {@code npm ci}
 * runs there once, until it has finished (a {@code .installed} marker; JVMs starting at the same
 * time wait on a file lock in that directory). Later starts reuse it (about 0.3 s).
 *
 * <p><b>CBOR.</b> kinesalite cannot answer the AWS SDK v2's default CBOR encoding, so {@link
 * #start()} sets the JVM-wide system property {@code aws.cborEnabled=false} (JSON instead: the
 * same API, used by every Kinesis client in this JVM, Spark's local executors included).
 *
 * <p><b>Differences from real Kinesis</b> that tests must know: no authentication (any keys
 * work), no throughput limits, and {@code GetShardIterator(AT_TIMESTAMP)} on a shard without a
 * record at or after the timestamp is patched (in {@code server.js}) to return the tip as Kinesis
 * does, instead of never answering.
 *
 * <p>The child is killed by {@link #close()}, by a JVM shutdown hook, and exits by itself when
 * its standard input closes (the parent JVM died).
 */
public final class KinesisServer extends ChildServer {
  /** System property naming the parent of the npm install cache directory. */
  public static final String CACHE_DIR_PROPERTY = "medallion.kinesalite.cache";

  private static final String RESOURCES = "/io/medallion/testkit/kinesalite/";
  private static final List<String> FILES = List.of("package.json", "package-lock.json",
      "server.js");
  private static final long START_TIMEOUT_MS = 30_000;
  private static final long NPM_TIMEOUT_MS = 300_000;
  private static final String REGION = "us-east-1";

  private final String endpoint;
  private final KinesisClient client;

  private KinesisServer(Launched child, String endpoint) {
    super("kinesalite", child);
    this.endpoint = endpoint;
    this.client = KinesisClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(accessKey(), secretKey())))
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30)))
        .build();
  }

  /**
   * Installs kinesalite if needed and starts it, waiting up to 30 s for it to listen.
   *
   * @throws IllegalStateException if node or npm is missing, {@code npm ci} fails, or the server
   *     does not start (the message holds the tail of their output)
   */
  public static KinesisServer start() {
    System.setProperty("aws.cborEnabled", "false");
    Path dir = install();
    Launched child;
    try {
      child = launch("kinesalite", List.of("node", "server.js", "0"), dir, null, false);
    } catch (UncheckedIOException e) {
      throw new IllegalStateException(e.getMessage()
          + ". Install Node.js (18 or newer) and put node on the PATH.", e);
    }
    try {
      int port = awaitPort(child.process);
      return new KinesisServer(child, "http://127.0.0.1:" + port);
    } catch (RuntimeException e) {
      child.abort();
      throw e;
    }
  }

  /** The HTTP endpoint, e.g. {@code http://127.0.0.1:40123}. */
  public String endpoint() {
    return endpoint;
  }

  /** The region the server claims: {@code us-east-1}. */
  public String region() {
    return REGION;
  }

  /** The dummy access key clients use (kinesalite checks no credentials). */
  public String accessKey() {
    return "medallion-test";
  }

  /** The dummy secret key clients use (kinesalite checks no credentials). */
  public String secretKey() {
    return "medallion-test-secret";
  }

  /** A client for this server, owned by it: closed by {@link #close()}. */
  public KinesisClient client() {
    return client;
  }

  /**
   * The options that point the {@code kinesis} source at this server and at {@code stream}:
   * {@code streamName}, {@code region}, {@code endpoint}, {@code awsAccessKey}, {@code
   * awsSecretKey}.
   */
  public java.util.Map<String, String> sourceOptions(String stream) {
    return java.util.Map.of("streamName", stream, "region", REGION, "endpoint", endpoint,
        "awsAccessKey", accessKey(), "awsSecretKey", secretKey());
  }

  /** Creates a stream with {@code shards} shards and waits until it is ACTIVE. */
  public void createStream(String stream, int shards) {
    client.createStream(b -> b.streamName(stream).shardCount(shards));
    awaitActive(stream);
  }

  /** Puts one record and returns its shard id and sequence number. */
  public PutRecordResponse put(String stream, String partitionKey, byte[] data) {
    return client.putRecord(b -> b.streamName(stream).partitionKey(partitionKey)
        .data(SdkBytes.fromByteArray(data)));
  }

  /**
   * Puts records in order ({@code partitionKeys.get(i)}, {@code data.get(i)}) with PutRecords, 500
   * a call, and returns one result per record (shard id and sequence number).
   *
   * @throws IllegalStateException if the server rejected any record
   */
  public List<PutRecordsResultEntry> putAll(String stream, List<String> partitionKeys,
      List<byte[]> data) {
    if (partitionKeys.size() != data.size()) {
      throw new IllegalArgumentException("partitionKeys and data differ in size");
    }
    List<PutRecordsResultEntry> results = new ArrayList<>(data.size());
    for (int from = 0; from < data.size(); from += 500) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = from; i < Math.min(data.size(), from + 500); i++) {
        entries.add(PutRecordsRequestEntry.builder().partitionKey(partitionKeys.get(i))
            .data(SdkBytes.fromByteArray(data.get(i))).build());
      }
      var response = client.putRecords(b -> b.streamName(stream).records(entries));
      if (response.failedRecordCount() != null && response.failedRecordCount() > 0) {
        throw new IllegalStateException(response.failedRecordCount() + " records were rejected"
            + " by kinesalite: " + response.records());
      }
      results.addAll(response.records());
    }
    return results;
  }

  /**
   * The stream's shards, closed ones included, in the order the server lists them (one
   * ListShards page: up to 1,000 shards, far above kinesalite's limit of 100 here).
   */
  public List<Shard> shards(String stream) {
    return client.listShards(b -> b.streamName(stream)).shards();
  }


  /**
   * Splits {@code shardId} in the middle of its hash key range and waits until the stream is
   * ACTIVE again: the shard is closed and two child shards take its keys.
   */
  public void splitShard(String stream, String shardId) {
    Shard shard = shards(stream).stream().filter(s -> s.shardId().equals(shardId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No shard " + shardId + " in " + stream));
    var start = new java.math.BigInteger(shard.hashKeyRange().startingHashKey());
    var end = new java.math.BigInteger(shard.hashKeyRange().endingHashKey());
    String middle = start.add(end).shiftRight(1).add(java.math.BigInteger.ONE).toString();
    client.splitShard(b -> b.streamName(stream).shardToSplit(shardId).newStartingHashKey(middle));
    awaitActive(stream);
  }

  /** Merges two adjacent shards and waits until the stream is ACTIVE again. */
  public void mergeShards(String stream, String shardId, String adjacentShardId) {
    client.mergeShards(b -> b.streamName(stream).shardToMerge(shardId)
        .adjacentShardToMerge(adjacentShardId));
    awaitActive(stream);
  }

  /** Stops the server (its data is lost). */
  @Override
  public void close() {
    client.close();
    super.close();
  }

  @Override
  public String toString() {
    return "KinesisServer[" + endpoint + ", region " + REGION + "]";
  }

  // ---- helpers ----

  private void awaitActive(String stream) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      StreamStatus status = client.describeStreamSummary(b -> b.streamName(stream))
          .streamDescriptionSummary().streamStatus();
      if (status == StreamStatus.ACTIVE) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("Stream " + stream + " on " + endpoint
            + " is still " + status + " after 10 s");
      }
      sleep(20, "waiting for stream " + stream);
    }
  }

  /**
   * Copies the pinned files to the cache directory and runs {@code npm ci} there if needed. Test
   * JVMs running side by side (surefire forks) share the directory: a file lock serializes them,
   * and only a finished {@code npm ci} (its marker file) counts as installed, so no JVM starts the
   * server from a half-written {@code node_modules}.
   */
  private static synchronized Path install() {
    byte[] lock = resource("package-lock.json");
    String parent = System.getProperty(CACHE_DIR_PROPERTY,
        Paths.get(System.getProperty("user.home"), ".cache", "medallion").toString());
    Path dir = Paths.get(parent, "kinesalite-" + sha256(lock).substring(0, 12));
    try {
      Files.createDirectories(dir);
      try (FileChannel channel = FileChannel.open(dir.resolve(".install.lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = channel.lock()) {
        for (String file : FILES) {
          Path tmp = Files.createTempFile(dir, file, ".tmp");
          Files.write(tmp, resource(file));
          Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        }
        Path installed = dir.resolve(".installed");
        if (!Files.exists(installed)) {
          npmCi(dir);
          Files.writeString(installed, "npm ci finished\n");
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the kinesalite install directory " + dir
          + ": " + e.getMessage() + ". Make it writable or set -D" + CACHE_DIR_PROPERTY
          + "=<a writable directory>", e);
    }
  }

  private static void npmCi(Path dir) throws IOException {
    Path log = dir.resolve("npm-ci.log");
    Process npm;
    try {
      npm = new ProcessBuilder(List.of("npm", "ci", "--no-audit", "--no-fund"))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run npm to install kinesalite (" + e.getMessage()
          + "). Install Node.js and npm (18 or newer) and put them on the PATH.", e);
    }
    try {
      if (!npm.waitFor(NPM_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        npm.destroyForcibly();
        throw new IllegalStateException("'npm ci' in " + dir + " did not finish within "
            + NPM_TIMEOUT_MS / 1000 + " s (is the npm registry reachable?). Its output:\n"
            + tail(Files.readString(log)));
      }
    } catch (InterruptedException e) {
      npm.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while installing kinesalite", e);
    }
    if (npm.exitValue() != 0) {
      throw new IllegalStateException("'npm ci --no-audit --no-fund' in " + dir + " failed with exit"
          + " code " + npm.exitValue() + " (check that the npm registry is reachable, or"
          + " configure npm's registry/proxy). Its output:\n" + tail(Files.readString(log)));
    }
  }

  /** Reads the child's output until it says {@code LISTENING <port>}; keeps draining it after. */
  private static int awaitPort(Process process) {
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> drain(process.getInputStream(), lines), "kinesalite-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    try {
      while (System.currentTimeMillis() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          if (line.startsWith("LISTENING ")) {
            return Integer.parseInt(line.substring("LISTENING ".length()).trim());
          }
          output.append(line).append('\n');
        } else if (!process.isAlive() && lines.isEmpty()) {
          throw new IllegalStateException("kinesalite exited with code " + process.exitValue()
              + " before listening. Its output:\n" + tail(output.toString()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while starting kinesalite", e);
    }
    throw new IllegalStateException("kinesalite did not listen within " + START_TIMEOUT_MS / 1000
        + " s. Its output:\n" + tail(output.toString()));
  }

  /**
   * Hands the child's start-up lines to {@link #awaitPort}; once it listens, whatever it still
   * prints (a crash's stack trace) goes to the test's output, where surefire's report keeps it.
   */
  private static void drain(InputStream in, BlockingQueue<String> lines) {
    boolean listening = false;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (listening) {
          System.err.println("[kinesalite] " + line);
        } else {
          lines.offer(line); // dropped when full: the start-up's tail is enough
          listening = line.startsWith("LISTENING ");
        }
      }
      if (listening) {
        System.err.println("[kinesalite] (its output closed: the server stopped)");
      }
    } catch (IOException e) {
      // The child is gone.
    }
  }

  private static String tail(String text) {
    return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
  }

  private static byte[] resource(String name) {
    try (InputStream in = KinesisServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + RESOURCES + name + " is missing from the"
            + " classpath: the medallion jar is incomplete");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }


}
