package io.medallion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import scala.Option;

/**
 * A real Kafka broker for tests: one KRaft node (broker and controller) in this JVM, bound to
 * {@code 127.0.0.1}, with its log in a temporary directory.
 *
 * <pre>
 * try (KafkaBroker kafka = KafkaBroker.start()) {
 *   kafka.createTopic("orders", 2);
 *   kafka.send("orders", List.of("{\"id\":1}", "{\"id\":2}"));
 *   ... source { type = kafka, bootstrap-servers = kafka.bootstrapServers(), subscribe = [orders] }
 * }
 * </pre>
 *
 * <p>Two listeners: {@link #bootstrapServers()} (PLAINTEXT) and {@link #saslBootstrapServers()}
 * (SASL_PLAINTEXT with mechanism PLAIN, user {@link #saslUser()} and a password generated per
 * broker, {@link #saslPassword()}), so tests can exercise authentication. {@link #stop()} and
 * {@link #restart()} keep the data and the ports. Topics are never created automatically.
 *
 * <p>Needs {@code org.apache.kafka:kafka_2.12} (3.4.x, the version Spark 3.5's Kafka client
 * matches) on the test class path.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String USER = "medallion";

  private final Path dir;
  private final int port;
  private final int saslPort;
  private final int controllerPort;
  private final String password;
  private KafkaRaftServer server;

  private KafkaBroker(Path dir, int port, int saslPort, int controllerPort, String password) {
    this.dir = dir;
    this.port = port;
    this.saslPort = saslPort;
    this.controllerPort = controllerPort;
    this.password = password;
  }

  /** Starts a broker on free ports; about 2 seconds. */
  public static KafkaBroker start() {
    try {
      Path dir = Files.createTempDirectory("medallion-kafka-");
      byte[] secret = new byte[12];
      RANDOM.nextBytes(secret);
      KafkaBroker broker =
          new KafkaBroker(dir, ChildServer.freePort(), ChildServer.freePort(), ChildServer.freePort(), HexFormat.of().formatHex(secret));
      broker.format();
      broker.startServer();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:port} of the PLAINTEXT listener. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** {@code 127.0.0.1:port} of the SASL_PLAINTEXT listener (mechanism PLAIN). */
  public String saslBootstrapServers() {
    return "127.0.0.1:" + saslPort;
  }

  /** The user the SASL listener accepts. */
  public String saslUser() {
    return USER;
  }

  /** The password of {@link #saslUser()}; generated per broker, never printed by the kit. */
  public String saslPassword() {
    return password;
  }

  /** Creates a topic with {@code partitions} partitions and waits until it exists. */
  public void createTopic(String topic, int partitions) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Sends string values without keys (spread over partitions by the producer) and flushes. */
  public void send(String topic, List<String> values) {
    try (KafkaProducer<String, String> producer = producer()) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, value));
      }
      producer.flush();
    }
  }

  /** Sends keyed string values to one partition and flushes. */
  public void send(String topic, int partition, Map<String, String> keyedValues) {
    try (KafkaProducer<String, String> producer = producer()) {
      keyedValues.forEach((k, v) -> producer.send(new ProducerRecord<>(topic, partition, k, v)));
      producer.flush();
    }
  }

  /** A producer of string keys and values for this broker (the caller closes it). */
  public KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p);
  }

  /** The end offset (next offset to be written) of each partition of a topic. */
  public Map<Integer, Long> endOffsets(String topic) {
    try (Admin admin = admin()) {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int i = 0; i < partitions; i++) {
        request.put(new TopicPartition(topic, i), OffsetSpec.latest());
      }
      return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet().stream()
          .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
    }
  }

  /** The offsets a consumer group committed, by partition of {@code topic} (empty if none). */
  public Map<Integer, Long> committedOffsets(String group, String topic) {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the offsets of group " + group + ": " + e.getMessage(), e);
    }
  }

  /** An admin client for this broker (the caller closes it). */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(p);
  }

  /** Stops the broker, keeping its data; {@link #restart()} brings it back on the same ports. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts a stopped broker again with its data and ports. */
  public synchronized void restart() {
    stop();
    startServer();
  }

  /** Stops the broker and deletes its data. */
  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: the directory is in the temporary directory.
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", sasl " + saslBootstrapServers() + "]";
  }

  private synchronized void startServer() {
    KafkaConfig config = KafkaConfig.fromProps(properties(), false);
    server = new KafkaRaftServer(config, Time.SYSTEM, Option.empty());
    server.startup();
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        last = e;
      }
    }
    throw new IllegalStateException("the Kafka broker did not become ready in 60 s", last);
  }

  private void format() throws IOException {
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    String meta = "version=1\ncluster.id=" + Uuid.randomUuid() + "\nnode.id=1\n";
    Files.writeString(logs.resolve("meta.properties"), meta, StandardCharsets.UTF_8);
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
        + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("sasl.enabled.mechanisms", "PLAIN");
    p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + password + "\";");
    p.put("log.dirs", dir.resolve("logs").toString());
    p.put("num.partitions", "2");
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "2");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.flush.interval.messages", "100000");
    p.put("controlled.shutdown.enable", "false");
    return p;
  }
}
