package io.medallion.source.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.MedallionException;
import io.medallion.internal.Secrets;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.Platform;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An admin client on a {@link KafkaSource}'s cluster: checks before a run that the cluster answers
 * and the topics exist (Spark's source would otherwise wait on a missing topic and an AvailableNow
 * run would end with nothing read), and commits processed offsets to a consumer group.
 *
 * <p>Every call is bounded by {@code kafka.default.api.timeout.ms} of the source's options
 * (default {@value #DEFAULT_TIMEOUT_MS} ms).
 */
final class KafkaAdmin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaAdmin.class);
  static final long DEFAULT_TIMEOUT_MS = 30_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Admin admin;
  private final TableRef ref;
  private final KafkaSource source;
  private final long timeoutMs;
  private long committedBatch = -1;

  private KafkaAdmin(Admin admin, TableRef ref, KafkaSource source, long timeoutMs) {
    this.admin = admin;
    this.ref = ref;
    this.source = source;
    this.timeoutMs = timeoutMs;
  }

  static KafkaAdmin open(TableRef ref, KafkaSource source, Platform platform, Map<String, String> processEnv) {
    try {
      Class.forName("org.apache.kafka.clients.admin.Admin");
    } catch (ClassNotFoundException e) {
      throw SourceReadErrors.kafkaClientMissing(ref);
    }
    Map<String, Object> p = KafkaInput.adminProperties(source, platform, processEnv);
    p.putIfAbsent("default.api.timeout.ms", String.valueOf(DEFAULT_TIMEOUT_MS));
    long timeout = Long.parseLong(String.valueOf(p.get("default.api.timeout.ms")));
    p.putIfAbsent("request.timeout.ms", String.valueOf(Math.min(timeout, 15_000)));
    p.put("client.id", "medallion-" + ref.toString().replace('.', '-'));
    return new KafkaAdmin(Admin.create(p), ref, source, timeout);
  }

  /**
   * Fails fast, naming the problem and the fix, when the cluster does not answer, rejects the
   * credentials, or a subscribed topic does not exist.
   */
  void preflight() {
    try {
      admin.describeCluster().nodes().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
      if (source.subscription().kind() == KafkaSource.Subscription.Kind.SUBSCRIBE) {
        Set<String> wanted = new TreeSet<>(List.of(source.subscription().value().split(",")));
        Set<String> existing = admin.listTopics().names().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
        wanted.removeAll(existing);
        if (!wanted.isEmpty()) {
          throw SourceReadErrors.missingTopics(ref, wanted, source.bootstrapServers(),
              existing.isEmpty() ? "" : first(existing, 10));
        }
      }
    } catch (MedallionException e) {
      throw e;
    } catch (java.util.concurrent.TimeoutException e) {
      throw unreachable(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String type = cause.getClass().getSimpleName();
      if (type.contains("Authentication") || type.contains("Authorization")) {
        throw SourceReadErrors.kafkaRejected(ref, source.bootstrapServers(), cause);
      }
      if (type.equals("TimeoutException")) {
        throw unreachable(cause);
      }      throw SourceReadErrors.kafkaUnreachable(ref, source.bootstrapServers(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SourceReadErrors.interrupted(ref, e);
    }
  }

  private MedallionException unreachable(Throwable cause) {
    return SourceReadErrors.kafkaTimeout(ref, source.bootstrapServers(), timeoutMs, cause);
  }

  /**
   * Commits the end offsets of a micro-batch ({@code {"topic":{"0":42}}}, as Spark reports them:
   * the next offset to read, which is what Kafka's committed offset means).
   */
  void commit(String group, String endOffsetJson) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = parseOffsets(endOffsetJson);
    if (!offsets.isEmpty()) {
      admin.alterConsumerGroupOffsets(group, offsets).all().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
    }
  }

  static Map<TopicPartition, OffsetAndMetadata> parseOffsets(String json) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return offsets;
    }
    JsonNode root = JSON.readTree(json);
    for (Iterator<Map.Entry<String, JsonNode>> topics = root.fields(); topics.hasNext(); ) {
      Map.Entry<String, JsonNode> topic = topics.next();
      for (Iterator<Map.Entry<String, JsonNode>> parts = topic.getValue().fields(); parts.hasNext(); ) {
        Map.Entry<String, JsonNode> part = parts.next();
        long offset = part.getValue().asLong(-1);
        if (offset >= 0) {
          offsets.put(new TopicPartition(topic.getKey(), Integer.parseInt(part.getKey())), new OffsetAndMetadata(offset));
        }
      }
    }
    return offsets;
  }

  /**
   * A listener committing the end offsets of each finished micro-batch of the query named
   * {@code queryName} to {@code group}. Failures are logged, never fatal: Spark's checkpoint, not
   * the group, decides where the stream resumes.
   */
  StreamingQueryListener committer(String queryName, String group) {
    return new StreamingQueryListener() {
      @Override
      public void onQueryStarted(QueryStartedEvent event) {}

      @Override
      public void onQueryProgress(QueryProgressEvent event) {
        if (queryName.equals(event.progress().name())) {
          commitProgress(group, event.progress());
        }
      }

      @Override
      public void onQueryIdle(QueryIdleEvent event) {}

      @Override
      public void onQueryTerminated(QueryTerminatedEvent event) {}
    };
  }

  /**
   * Commits the end offsets of the Kafka sources of a micro-batch's progress, unless a later batch
   * was committed already (listener events may arrive after the final synchronous commit); logs
   * failures.
   */
  synchronized void commitProgress(String group, StreamingQueryProgress progress) {
    if (progress == null || progress.batchId() <= committedBatch) {
      return;
    }
    committedBatch = progress.batchId();
    for (SourceProgress s : progress.sources()) {
      if (s.description() != null && s.description().startsWith("Kafka") && s.endOffset() != null) {
        try {
          commit(group, s.endOffset());
        } catch (Exception e) {
          LOG.warn("{}: could not commit offsets to consumer group {} ({}); the stream is unaffected",
              ref, group, Secrets.redact(String.valueOf(e.getMessage())));
        }
      }
    }
  }

  private static String first(Set<String> names, int n) {
    List<String> out = new ArrayList<>(names);
    return out.size() <= n ? out.toString() : out.subList(0, n) + " and " + (out.size() - n) + " more";
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
