package io.medallion.internal;

import org.apache.spark.sql.SparkSession;

/**
 * Makes Spark mask the credentials of the options medallion passes to it wherever Spark prints a
 * plan as text (explain, the plan descriptions of its event log and UI), in case a plan still holds
 * one: {@code spark.sql.redaction.string.regex}, a runtime setting, is set on the session unless the
 * user set it. (medallion also keeps credentials out of the plans it creates; and when it creates
 * the session itself, {@code spark.redaction.regex} of reference.conf covers the option names.)
 */
public final class SparkRedaction {
  /** Credential assignments as they appear in plan text: JAAS, option maps, URLs with a password. */
  static final String CREDENTIALS =
      "(?i)(password|passwd|secret|token)\\s*=\\s*\"[^\"]*\""
          + "|(?i)(sasl\\.jaas\\.config|ssl\\.keystore\\.key|ssl\\.key\\.password|ssl\\.keystore\\.password"
          + "|ssl\\.truststore\\.password|awsSecretKey|awsAccessKey|secret\\.key|access\\.key)\\s*(->|=|:)\\s*[^,)\\s]*"
          + "|://[^/@\\s:]+:[^/@\\s]+@";

  /**
   * {@link #CREDENTIALS}, behind a look-ahead on the first two characters every one of its
   * alternatives can start with (pa, se, to, sa, ss, aw, ac, :/, in any case). It matches exactly
   * the same text, but most positions of a plan fail the two character classes at once instead of
   * trying a dozen case-insensitive words: Spark runs this over the text of every query's plan (for
   * its SQL execution events, and again on each adaptive re-plan), and without the look-ahead that
   * was 7% of all CPU in the incremental gold tests.
   */
  public static final String STRING_REGEX = "(?=[pPsStTaA:][aAeEoOsSwWcC/])(?:" + CREDENTIALS + ")";

  private static final String KEY = "spark.sql.redaction.string.regex";

  private SparkRedaction() {}

  /** Sets the string redaction of the session, unless the user has set one. */
  public static void apply(SparkSession spark) {
    if (spark.conf().getOption(KEY).isEmpty()) {
      spark.conf().set(KEY, STRING_REGEX);
    }
  }
}
