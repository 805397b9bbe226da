package io.medallion.testkit;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a class's {@code main} in a child JVM with this JVM's classpath and its Spark-relevant
 * flags ({@code --add-opens}, {@code -Djdk.reflect...}, {@code -XX:...}): for tests that kill a
 * process mid-stream and check what a restart recovers.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code main} with {@code args}, output (stdout and stderr) to {@code log}. */
  public static Process start(Class<?> main, File log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect") || arg.startsWith("-XX:")) {
        cmd.add(arg);
      }
    }
    cmd.add("-Xmx1g");
    // The child loads the classes this JVM loaded and verified, from the same class path: checking
    // their bytecode again costs each child ~1.5 of its ~21 CPU s (docs/architecture.md, "Test suite
    // time"). The job jar's own JVMs (the ITs) keep verification: a bad relocation shows there.
    cmd.add("-XX:+UnlockDiagnosticVMOptions");
    cmd.add("-XX:-BytecodeVerificationRemote");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }
}
