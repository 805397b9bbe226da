package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report test's wait for the Chromium install that {@code .ci/run} runs in the background. */
class HeadlessChromiumTest {
  @TempDir Path dir;

  @Test
  void theWaitEndsWhenTheInstallWritesItsStatusAndAFailedInstallNamesItsLog() throws Exception {
    Path status = dir.resolve("status");
    Thread install = new Thread(() -> {
      try {
        Thread.sleep(1500);
        Files.writeString(status, "0\n");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    install.start();
    HeadlessChromium.awaitInstall(status); // reads the status, so it cannot return before the install wrote it
    assertThat(Files.readString(status)).isEqualTo("0\n");
    install.join();

    Files.writeString(status, "100\n");
    assertThatThrownBy(() -> HeadlessChromium.awaitInstall(status))
        .hasMessageContaining("failed with exit status 100")
        .hasMessageContaining(dir.resolve("install.log").toString())
        .hasMessageContaining("apt-get update && apt-get install -y chromium");
  }
}
