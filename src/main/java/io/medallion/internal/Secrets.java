package io.medallion.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Masks secret values wherever medallion writes text: error messages, the event log, the CLI.
 * Every value read ({@code io.medallion.source.SecretRef}s are read in {@code source.internal}) is
 * remembered for the life of the JVM so that {@link #redact} catches it even inside a message built
 * by Spark or Kafka.
 */
public final class Secrets {
  /** What a secret value is replaced with. */
  public static final String MASK = "***";

  private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();
  private static final Set<Pattern> SHORT_VALUES = ConcurrentHashMap.newKeySet();
  private static final int SHORT = 4;
  private static final Pattern CREDENTIAL_OPTION = Pattern.compile(
      "(?i)password|passwd|secret|token(?![._-]?endpoint)|jaas|credential|private|keystore\\.key|ssl\\.key\\b|access[._-]?key|api[._-]?key|session[._-]?key|sas[._-]?key");
  private static final Pattern URL_CREDENTIALS = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/@\\s:]+:[^/@\\s]+@");

  private static final Pattern SECRET_COLUMN = Pattern.compile(
      "(?i).*(password|passwd|pwd|secret|token|api_?key|access_?key|credential|private_?key|ssn|card_?number).*");

  private Secrets() {}

  /**
   * True for a column whose name says it holds secrets or personal numbers (password, token,
   * api_key, credential, ssn, card_number, ...): the values of such columns are masked ({@value
   * #MASK}) in the rows medallion's error messages show.
   */
  public static boolean isSecretColumn(String name) {
    return name != null && SECRET_COLUMN.matcher(name).matches();
  }

  /** Makes {@link #redact} mask {@code value} from now on (values under 4 characters are not masked). */
  public static void remember(String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    if (value.length() < SHORT) {
      SHORT_VALUES.add(Pattern.compile("(?<![\\p{Alnum}])" + Pattern.quote(value) + "(?![\\p{Alnum}])"));
    } else {
      KNOWN.add(value);
    }
  }

  /**
   * True for an option whose value is a credential: passwords, secrets, tokens, JAAS configs,
   * private keys (PEM, e.g. Kafka's {@code ssl.keystore.key}), access keys and credentials.
   * Such options must come from a secret reference, never from the pipeline config.
   */
  public static boolean isCredentialOption(String key) {
    return key != null && CREDENTIAL_OPTION.matcher(key).find();
  }

  /**
   * True when {@code value} is a URL carrying credentials ({@code scheme://user:password@host}) or
   * holds a PEM private key.
   */
  public static boolean carriesCredentials(String value) {
    return value != null && (URL_CREDENTIALS.matcher(value).find() || value.contains("PRIVATE KEY-----"));
  }

  /** {@code text} with every secret value read so far replaced by {@value #MASK}. */
  public static String redact(String text) {
    if (text == null || KNOWN.isEmpty() && SHORT_VALUES.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : KNOWN) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
    }
    for (Pattern secret : SHORT_VALUES) {
      out = secret.matcher(out).replaceAll(MASK);
    }
    return out;
  }

  /**
   * {@code error} itself when no message in its cause chain contains a secret value; otherwise a
   * copy of the chain whose messages are {@link #redact}ed (same classes named, same stack traces).
   */
  public static Throwable scrub(Throwable error) {
    if (error == null || KNOWN.isEmpty() && SHORT_VALUES.isEmpty() || !leaks(error)) {
      return error;
    }
    Throwable cause = error.getCause() == null || error.getCause() == error ? null : scrub(error.getCause());
    Redacted copy = new Redacted(error.getClass().getName() + ": " + redact(error.getMessage()), cause);
    copy.setStackTrace(error.getStackTrace());
    return copy;
  }

  private static boolean leaks(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.equals(redact(m))) {
        return true;
      }
    }
    return false;
  }

  /** An error whose message had a secret in it, rewritten. */
  static final class Redacted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Redacted(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
