package io.medallion.config;

import io.medallion.MedallionException;

/**
 * A mistake in a pipeline or environment definition, found at start-up before any data moves.
 * The message names the file (when there is one), the config path, what is wrong and what is
 * expected.
 */
public final class ConfigurationException extends MedallionException {
  private static final long serialVersionUID = 1L;
  private final String origin;
  private final String path;

  /**
   * @param origin the file (or "code" for pipelines built in Java) the mistake is in
   * @param path the config path, e.g. {@code pipeline.silver.orders.keys}
   * @param problem what is wrong and how to fix it
   */
  public ConfigurationException(String origin, String path, String problem) {
    super(origin + ": " + path + ": " + problem);
    this.origin = origin;
    this.path = path;
  }

  /** The file the mistake is in, or a description such as {@code "pipeline built in code"}. */
  public String origin() {
    return origin;
  }

  /** The config path of the mistake. */
  public String path() {
    return path;
  }
}
