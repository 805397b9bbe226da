package io.medallion.cli;

import io.medallion.platform.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for {@code spark-submit} and Databricks JAR tasks. See {@link Cli} for commands.
 *
 * <p>On Databricks a failure is rethrown (the task fails with the message and the trace lands in
 * the driver log) and the JVM is never exited. Elsewhere a failure prints one paragraph to stderr,
 * writes the stack trace to a file named in that paragraph (and to the log at DEBUG), and exits with
 * status 1 (2 for a usage mistake).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    boolean databricks = Platform.runsOnDatabricks(System.getenv());
    try {
      new Cli(System.out).execute(args);
    } catch (Exception | Error e) { // Exception: Spark's checked ones (AnalysisException), thrown undeclared
      if (databricks) {
        throw e;
      }
      LOG.debug("medallion failed", e);
      System.out.flush();
      System.err.println();
      System.err.println("medallion: " + Cli.describe(e) + traceFile(e));
      System.err.flush();
      System.exit(e instanceof UsageException ? 2 : 1);
    }
  }

  private static String traceFile(Throwable e) {
    if (e instanceof UsageException || e instanceof io.medallion.pipeline.ConfigurationException) {
      return "";
    }
    try {
      Path file = Files.createTempFile("medallion-error-", ".log");
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
        e.printStackTrace(w);
      }
      return "\n(Stack trace: " + file + ")";
    } catch (IOException io) {
      return "";
    }
  }
}
