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
  public static final String STRING_REGEX =
      "(?i)(password|passwd|secret|token)\\s*=\\s*\"[^\"]*\""
          + "|(?i)(sasl\\.jaas\\.config|ssl\\.keystore\\.key|ssl\\.key\\.password|ssl\\.keystore\\.password"
          + "|ssl\\.truststore\\.password|awsSecretKey|awsAccessKey|secret\\.key|access\\.key)\\s*(->|=|:)\\s*[^,)\\s]*"
          + "|://[^/@\\s:]+:[^/@\\s]+@";

  private static final String KEY = "spark.sql.redaction.string.regex";

  private SparkRedaction() {}

  /** Sets the string redaction of the session, unless the user has set one. */
  public static void apply(SparkSession spark) {
    if (spark.conf().getOption(KEY).isEmpty()) {
      spark.conf().set(KEY, STRING_REGEX);
    }
  }
}
