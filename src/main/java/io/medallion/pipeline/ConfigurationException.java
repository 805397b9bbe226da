package io.medallion.pipeline;

import io.medallion.MedallionException;
import java.util.OptionalInt;

/**
 * A mistake in a pipeline or environment definition, found at start-up before any data moves.
 * The message names the file (when there is one) and line (when known), the config path, what is
 * wrong and what is expected: {@code conf/pipelines/retail.conf:12: pipeline.silver.orders.keys:
 * expected a list ...}.
 */
public final class ConfigurationException extends MedallionException {
  private static final long serialVersionUID = 1L;
  private final String origin;
  private final int line;
  private final String path;
  private final String problem;

  /**
   * @param origin the file (or "code" for pipelines built in Java) the mistake is in
   * @param path the config path, e.g. {@code pipeline.silver.orders.keys}
   * @param problem what is wrong and how to fix it
   */
  public ConfigurationException(String origin, String path, String problem) {
    this(origin, -1, path, problem);
  }

  /**
   * @param origin the file (or "code" for pipelines built in Java) the mistake is in
   * @param line the 1-based line of the mistake in {@code origin}, or a value below 1 when unknown
   * @param path the config path, e.g. {@code pipeline.silver.orders.keys}; empty when the mistake
   *     is not at one path (a syntax error, a missing file)
   * @param problem what is wrong and how to fix it
   */
  public ConfigurationException(String origin, int line, String path, String problem) {
    super(
        origin
            + (line > 0 ? ":" + line : "")
            + (path == null || path.isEmpty() ? "" : ": " + path)
            + ": "
            + problem);
    this.origin = origin;
    this.line = line > 0 ? line : -1;
    this.path = path == null ? "" : path;
    this.problem = problem;
  }

  /** The file the mistake is in, or a description such as {@code "pipeline built in code"}. */
  public String origin() {
    return origin;
  }

  /** The line of the mistake in {@link #origin()}, when known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }

  /** The config path of the mistake; empty when there is none (syntax error, missing file). */
  public String path() {
    return path;
  }

  /** What is wrong and how to fix it: the message without file, line and path. */
  public String problem() {
    return problem;
  }

  /** This exception with a line number, when it has none yet. */
  public ConfigurationException withLine(int newLine) {
    if (this.line > 0 || newLine <= 0) {
      return this;
    }
    ConfigurationException e = new ConfigurationException(origin, newLine, path, problem);
    e.setStackTrace(getStackTrace());
    return e;
  }
}
