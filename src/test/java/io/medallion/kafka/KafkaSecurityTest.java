package io.medallion.kafka;

import static io.medallion.kafka.KafkaBronzeTest.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.source.KafkaSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.source.SecretRef;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableName;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SASL authentication against a real broker, secrets kept out of logs, errors and the event log,
 * and clear errors in bounded time for a missing topic, unreachable brokers and a wrong password.
 */
@ExtendWith(MedallionExtension.class)
class KafkaSecurityTest extends KafkaTestBase {

  @BeforeAll
  static void createTopic() {
    kafka.createTopic("secure", 2);
    kafka.send("secure", events(0, 100));
  }

  static KafkaSource sasl(Path passwordFile) {
    return KafkaSource.json(kafka.saslBootstrapServers(), List.of("secure"), KafkaBronzeTest.SCHEMA)
        .withSecurity(KafkaSource.Security.sasl("SASL_PLAINTEXT", "PLAIN", kafka.saslUser(),
            SecretRef.parse("file:" + passwordFile)));
  }

  @Test
  void saslRunKeepsThePasswordOutOfLogsAndTheEventLog(Lakehouse lake) throws Exception {
    Path secret = Files.writeString(lake.root().resolve("kafka-password"), kafka.saslPassword() + "\n");
    PipelineDefinition p = pipeline(sasl(secret));
    Environment env = lake.environment();

    String logs = capturingInfoLogs(() -> lake.run(p, env));

    TableName table = env.tableName(p, EVENTS);
    assertThat(lake.table(table).count()).isEqualTo(100);
    assertThat(logs).contains("Kafka").doesNotContain(kafka.saslPassword());
    TableName eventLog = env.eventLogTable(p).orElseThrow();
    List<String> events = lake.table(eventLog).select(functions.to_json(functions.struct("*"))).as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(events).isNotEmpty().noneMatch(e -> e.contains(kafka.saslPassword()));
    assertThat(p.toString()).doesNotContain(kafka.saslPassword()).contains("file:");
  }

  @Test
  void wrongPasswordFailsClearlyWithoutPrintingIt(Lakehouse lake) throws Exception {
    String wrong = "not-the-password-" + System.nanoTime();
    Path secret = Files.writeString(lake.root().resolve("wrong-password"), wrong);
    PipelineDefinition p = pipeline(sasl(secret));

    long start = System.nanoTime();
    MedallionException e = catchThrowableOfType(() -> lake.run(p, lake.environment()), MedallionException.class);

    assertThat(elapsedSeconds(start)).isLessThan(60);
    assertThat(e.getMessage()).contains("rejected", "security", "bronze.events").doesNotContain(wrong);
    assertThat(stackTrace(e)).doesNotContain(wrong);
  }

  @Test
  void missingTopicFailsNamingIt(Lakehouse lake) {
    KafkaSource source = KafkaSource.json(kafka.bootstrapServers(), List.of("secure", "no_such_topic"), KafkaBronzeTest.SCHEMA);

    long start = System.nanoTime();
    MedallionException e = catchThrowableOfType(() -> lake.run(pipeline(source), lake.environment()), MedallionException.class);

    assertThat(elapsedSeconds(start)).isLessThan(30);
    assertThat(e.getMessage()).contains("[no_such_topic] do not exist", "existing topics: [secure]", "source.subscribe");
  }

  @Test
  void unreachableBrokersFailWithinTheTimeout(Lakehouse lake) {
    KafkaSource source = KafkaSource.json("127.0.0.1:9", List.of("secure"), KafkaBronzeTest.SCHEMA)
        .withOption("kafka.default.api.timeout.ms", "3000");

    long start = System.nanoTime();
    MedallionException e = catchThrowableOfType(() -> lake.run(pipeline(source), lake.environment()), MedallionException.class);

    assertThat(elapsedSeconds(start)).isLessThan(20);
    assertThat(e.getMessage()).contains("127.0.0.1:9 did not answer within 3000 ms", "bootstrap-servers");
  }

  private static long elapsedSeconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000_000L;
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** Runs {@code action} with the root logger at INFO, returning everything logged meanwhile. */
  private static String capturingInfoLogs(Supplier<?> action) {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    StringWriter out = new StringWriter();
    WriterAppender appender = WriterAppender.newBuilder().setName("capture").setTarget(out)
        .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build()).build();
    appender.start();
    LoggerConfig root = config.getRootLogger();
    Level before = root.getLevel();
    root.addAppender(appender, Level.INFO, null);
    root.setLevel(Level.INFO);
    context.updateLoggers();
    try {
      action.get();
    } finally {
      root.removeAppender("capture");
      root.setLevel(before);
      context.updateLoggers();
      appender.stop();
    }
    return out.toString();
  }
}
