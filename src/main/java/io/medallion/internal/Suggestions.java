package io.medallion.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt keys and names: the closest candidate by edit distance. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code input}, if one is close enough to be a likely misspelling:
   * equal ignoring case and {@code _}/{@code -}, within an edit distance of a third of its length
   * (at least 1, at most 3), or one a prefix of the other ({@code landing} for
   * {@code landing-root}). The nearest by edit distance wins.
   */
  public static Optional<String> closest(String input, Collection<String> candidates) {
    if (input == null || input.isEmpty()) {
      return Optional.empty();
    }
    String in = normalize(input);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      String c = normalize(candidate);
      int d = distance(in, c);
      int limit = Math.max(1, Math.min(3, candidate.length() / 3));
      boolean prefix = Math.min(in.length(), c.length()) >= 3 && (c.startsWith(in) || in.startsWith(c));
      if ((d <= limit || prefix) && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code " Did you mean 'x'?"} when a candidate is close, else the empty string. */
  public static String didYouMean(String input, Collection<String> candidates) {
    return closest(input, candidates).map(s -> " Did you mean '" + s + "'?").orElse("");
  }

  private static final java.util.regex.Pattern INTERNAL_QUALIFIER =
      java.util.regex.Pattern.compile("`__medallion_[^`]*`\\.");
  private static final java.util.regex.Pattern INTERNAL_COLUMN =
      java.util.regex.Pattern.compile("(, )?`__medallion_[^`]*`(, )?");

  /**
   * A Spark message as a user should read it: the qualifiers of medallion's own temporary views
   * ({@code `__medallion_in_...`.`amount`} becomes {@code `amount`}) and medallion's own columns
   * are removed from its "Did you mean" lists, so they name the user's columns only.
   */
  public static String userColumnsOnly(String message) {
    String s = INTERNAL_QUALIFIER.matcher(message).replaceAll("");
    return INTERNAL_COLUMN.matcher(s).replaceAll(m -> m.group(1) != null && m.group(2) != null ? ", " : "");
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
