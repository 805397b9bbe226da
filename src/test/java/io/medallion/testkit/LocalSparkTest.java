package io.medallion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The test kit's check of the JVM flags Spark needs on Java 17. */
class LocalSparkTest {
  @Test
  void thisJvmHasEveryOpen() {
    assertThat(LocalSpark.missingOpens()).isEmpty();
  }

  @Test
  void aMissingOpenFailsWithTheExactArgLine() {
    assertThatThrownBy(() -> LocalSpark.checkJvmFlags(List.of("java.base/sun.nio.ch")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not started with --add-opens for java.base/sun.nio.ch")
        .hasMessageContaining("IllegalAccessError ... sun.nio.ch.DirectBuffer")
        .hasMessageContaining("<argLine>" + LocalSpark.ARG_LINE + "</argLine>");
  }
}
