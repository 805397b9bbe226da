package io.medallion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The test kit's check of the JVM flags Spark needs on Java 17. */
class LocalSparkTest {
  @Test
  void thisJvmHasEveryOpen() {
    assertThat(LocalSpark.missingOpens()).isEmpty();
  }

  @Test
  void aJvmWithoutTheFlagsIsDetectedBeforeSparkStarts() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Probe.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).startsWith("java.lang.IllegalStateException: Spark cannot start on Java 17 in this JVM")
        .contains("java.base/sun.nio.ch").contains("<argLine>" + LocalSpark.ARG_LINE + "</argLine>");
  }

  /** Starts the kit's session in a JVM without the flags and prints what it throws. */
  public static final class Probe {
    public static void main(String[] args) {
      try {
        LocalSpark.session();
        System.out.println("started");
      } catch (IllegalStateException e) {
        System.out.println(e);
      }
    }
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
