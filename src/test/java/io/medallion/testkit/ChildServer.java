package io.medallion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The base of the test kit's servers ({@link S3Server}, {@link SqsServer}, {@link KinesisServer},
 * and for its ports {@link KafkaBroker}): a free port on 127.0.0.1, a child process with its output
 * in a log, a shutdown hook, waiting for the port with the log in the error, and stopping
 * (politely, then forcibly) with the working directory deleted.
 */
public abstract class ChildServer implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Thread shutdownHook;
  private final Path workDir;

  /** A started child: {@code workDir} (may be null) is deleted when it stops. */
  ChildServer(String name, Launched launched) {
    this.name = name;
    this.process = launched.process;
    this.shutdownHook = launched.hook;
    this.workDir = launched.workDir;
  }

  /** The server's name in messages, e.g. {@code s3proxy}. */
  final String name() {
    return name;
  }

  /** Stops the child (its data is lost) and deletes its working directory. */
  @Override
  public void close() {
    stop(process, shutdownHook, workDir);
  }

  /** A child process just started, with the hook that kills it when the JVM exits. */
  static final class Launched {
    final Process process;
    final Thread hook;
    final Path workDir;
    final Path log;

    private Launched(Process process, Thread hook, Path workDir, Path log) {
      this.process = process;
      this.hook = hook;
      this.workDir = workDir;
      this.log = log;
    }

    /** Stops the child again (for a start-up that failed after the launch). */
    void abort() {
      stop(process, hook, workDir);
    }
  }

  /**
   * Starts {@code command} in {@code workDir}; its output goes to {@code log} (null: kept on the
   * process's input stream for the caller), and a shutdown hook kills it if the JVM exits first.
   * With {@code ownsDir}, {@code workDir} is deleted when the child stops.
   */
  static Launched launch(String name, List<String> command, Path workDir, Path log, boolean ownsDir) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
      if (log != null) {
        pb.redirectOutput(log.toFile());
      }
      Process process = pb.start();
      Thread hook = new Thread(() -> stop(process, null, null), name + "-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      return new Launched(process, hook, ownsDir ? workDir : null, log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + " (" + String.join(" ", command) + ") in "
          + workDir + ": " + e.getMessage(), e);
    }
  }

  /** A port free on 127.0.0.1 at the time of the call. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the child listens on 127.0.0.1:{@code port}; fails with the child's log (with
   * {@code secret} masked, if not null) when it exits first or {@code timeoutMs} pass.
   */
  static void awaitPort(String name, Launched child, int port, long timeoutMs, String secret) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (!child.process.isAlive()) {
        throw new IllegalStateException(name + " exited with code " + child.process.exitValue()
            + " before listening on 127.0.0.1:" + port + ". Its output:\n" + output(child.log, secret));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        sleep(100, "starting " + name);
      }
    }
    throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " within "
        + timeoutMs / 1000 + " s. Its output:\n" + output(child.log, secret));
  }

  /** The last 8,000 characters of a child's log, with {@code secret} (if not null) masked. */
  static String output(Path log, String secret) {
    if (log == null) {
      return "(not logged)";
    }
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      if (secret != null) {
        text = text.replace(secret, "****");
      }
      return text.length() > 8000 ? "..." + text.substring(text.length() - 8000) : text;
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /**
   * Stops {@code process} (politely, then forcibly after 10 s), removes its shutdown hook and
   * deletes {@code workDir}. Any of them may be null.
   */
  static void stop(Process process, Thread hook, Path workDir) {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to: nothing to remove.
      }
    }
    if (workDir != null) {
      try (Stream<Path> paths = Files.walk(workDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // Best effort: a temp directory.
      }
    }
  }

  /**
   * Cleans up after a failed start: kills {@code child} (with its work folder) or, when it never
   * launched, deletes {@code workDir}; returns {@code e} as an unchecked exception to throw.
   */
  static RuntimeException startFailed(String name, Launched child, Path workDir, Exception e) {
    if (child != null) {
      child.abort();
    } else {
      stop(null, null, workDir);
    }
    return e instanceof RuntimeException r ? r
        : new UncheckedIOException("Cannot start " + name, (IOException) e);
  }

  /** Sleeps; an interruption becomes an IllegalStateException saying what was interrupted. */
  static void sleep(long millis, String doing) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while " + doing, e);
    }
  }
}
