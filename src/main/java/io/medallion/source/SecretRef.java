package io.medallion.source;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a secret (a Kafka password, a key-store password) is read from at run time. The reference
 * itself is not secret and is what configs, logs and {@link #toString()} show; the value is read
 * only when a stage starts and is masked ({@code ***}) in medallion's errors and event log.
 *
 * <ul>
 *   <li>{@code env:NAME}: the environment variable {@code NAME};
 *   <li>{@code file:/path}: the contents of a file, without a trailing newline (Kubernetes and
 *       EMR secrets mounted as files);
 *   <li>{@code secret:scope/key}: a Databricks secret scope (only on the Databricks Runtime).
 * </ul>
 *
 * @param kind where the value lives
 * @param name the variable name, file path or {@code scope/key}
 */
public record SecretRef(Kind kind, String name) {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SCOPE_KEY = Pattern.compile("[A-Za-z0-9_.@-]+/[A-Za-z0-9_.@/-]+");
  /** The forms a reference may take, for error messages. */
  public static final String FORMS = "env:NAME, file:/path or secret:scope/key";

  /** Where a secret lives. */
  public enum Kind {
    /** An environment variable. */
    ENV,
    /** A file's contents. */
    FILE,
    /** A Databricks secret scope ({@code scope/key}). */
    SCOPE
  }

  public SecretRef {
    if (kind == null || name == null || name.isBlank()) {
      throw SourceErrors.secretWithoutName();
    }
    if (kind == Kind.ENV && !ENV_NAME.matcher(name).matches()) {
      throw SourceErrors.notAnEnvironmentVariable();
    }
    if (kind == Kind.SCOPE && !SCOPE_KEY.matcher(name).matches()) {
      throw SourceErrors.badScopeReference(name);
    }
  }

  /**
   * Parses {@code env:NAME}, {@code file:/path} or {@code secret:scope/key}.
   *
   * @throws IllegalArgumentException for any other text; the message never repeats the text, which
   *     may be a password written where a reference belongs
   */
  public static SecretRef parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    String prefix = colon < 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : text.substring(colon + 1);
    switch (prefix) {
      case "env":
        return new SecretRef(Kind.ENV, rest);
      case "file":
        return new SecretRef(Kind.FILE, rest);
      case "secret":
        return new SecretRef(Kind.SCOPE, rest);
      default:
        throw SourceErrors.secretValueInConfig(FORMS);
    }
  }

  // What an environment variable is conventionally called. Any other text after env: may be the
  // password itself written in the wrong place, so it is never shown.
  private static final Pattern SHOWN_ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

  /** The reference as written in config, e.g. {@code env:KAFKA_PASSWORD}. */
  @Override
  public String toString() {
    return switch (kind) {
      case ENV -> "env:" + (SHOWN_ENV_NAME.matcher(name).matches() ? name : "***");
      case FILE -> "file:" + name;
      case SCOPE -> "secret:" + name;
    };
  }
}
