package io.medallion.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless, for tests of pages: the DOM after scripts ran, and every
 * console message. Missing Chromium fails the test under {@code CI=true} ({@code .ci/run} installs
 * it) and skips it elsewhere, saying how to install it. While {@code .ci/run} installs it in the
 * background, {@value #INSTALL_STATUS} names the file where the install writes its exit status when
 * it ends, and the test waits for it (at most {@value #INSTALL_WAIT_MINUTES} minutes).
 */
final class HeadlessChromium {
  static final String INSTALL = "apt-get update && apt-get install -y chromium";
  static final String INSTALL_STATUS = "MEDALLION_CHROMIUM_INSTALL_STATUS";
  static final long INSTALL_WAIT_MINUTES = 15;

  /** What the page became: its DOM after load, and the console lines it printed. */
  record Page(String dom, List<String> console) {}

  private final String binary;

  private HeadlessChromium(String binary) {
    this.binary = binary;
  }

  /** Chromium, or a failed (CI) or skipped (elsewhere) test. */
  static HeadlessChromium require() throws InterruptedException {
    String status = System.getenv(INSTALL_STATUS);
    if (status != null && find().isEmpty()) {
      awaitInstall(Path.of(status));
    }
    Optional<String> found = find();
    if (found.isEmpty()) {
      String message = "Headless Chromium is needed for this test and is not on the PATH. Install it: " + INSTALL;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " (.ci/run installs it when missing)");
      }
      Assumptions.abort(message);
    }
    return new HeadlessChromium(found.get());
  }

  /** Waits for the background install of {@code .ci/run} to write its exit status; fails if it failed. */
  static void awaitInstall(Path status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(INSTALL_WAIT_MINUTES);
    while (!Files.exists(status)) {
      if (System.nanoTime() > deadline) {
        fail("Chromium's install (.ci/run) has not ended after " + INSTALL_WAIT_MINUTES + " minutes: no exit status in "
            + status + "; its log: " + status.resolveSibling("install.log"));
      }
      Thread.sleep(1000);
    }
    String code;
    try {
      code = Files.readString(status, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!code.equals("0")) {
      fail("Chromium's install (.ci/run: " + INSTALL + ") failed with exit status " + code + "; its log: "
          + status.resolveSibling("install.log"));
    }
  }

  static Optional<String> find() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Optional.of(Path.of(dir, name).toString());
        }
      }
    }
    return Optional.empty();
  }

  /** Loads {@code file} and returns the DOM after its scripts ran, with the console lines. */
  Page load(Path file, Path workDir) throws IOException, InterruptedException {
    Path out = workDir.resolve("dom.html");
    Path err = workDir.resolve("chromium.log");
    run(workDir, out.toFile(), err.toFile(), "--enable-logging=stderr", "--v=0", "--dump-dom", file.toUri().toString());
    List<String> console = new ArrayList<>();
    for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
      if (line.contains(":CONSOLE") || line.contains("Uncaught")) {
        console.add(line);
      }
    }
    return new Page(Files.readString(out, StandardCharsets.UTF_8), console);
  }

  private void run(Path workDir, File out, File err, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary, "--headless=new", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + workDir.resolve("profile")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("Chromium did not finish loading the page within 120 s; its log: " + err);
    }
  }
}
