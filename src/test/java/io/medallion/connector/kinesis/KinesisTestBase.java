package io.medallion.connector.kinesis;

import io.medallion.testkit.KinesisServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One kinesalite per test class, and a fresh temporary directory per test. */
abstract class KinesisTestBase {
  static KinesisServer kinesis;

  @TempDir Path dir;

  @BeforeAll
  static void startKinesis() {
    kinesis = KinesisServer.start();
  }

  @AfterAll
  static void stopKinesis() {
    kinesis.close();
  }
}
