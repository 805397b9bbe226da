package io.medallion.quality;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A row-level data-quality rule: a SQL boolean expression every row of a table should satisfy,
 * and what to do with a row that does not.
 *
 * @param name identifies the rule in metrics, the event log and quarantine reasons; unique within
 *     its table ({@code [A-Za-z0-9_]}, 1 to 128 characters)
 * @param expression a SQL boolean expression over the table's columns, e.g. {@code amount > 0}
 * @param action what happens to a violating row
 * @param nullResult what a NULL result means; {@link NullResult#PASS} by default, as in DLT
 * @param group the group the rule was declared in (DLT's {@code expect_all*}), if any
 */
public record Expectation(String name, String expression, Action action, NullResult nullResult, Optional<String> group) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,128}");

  /**
   * @throws IllegalArgumentException for a bad name, an empty expression or a missing action
   */
  public Expectation {
    if (name == null || !NAME.matcher(name).matches()) {
      throw QualityErrors.badRuleName("expectation", name, "valid_amount");
    }
    if (expression == null || expression.isBlank()) {
      throw QualityErrors.expectationWithoutExpression(name);
    }
    if (action == null || nullResult == null || group == null) {
      throw QualityErrors.expectationWithoutAction(name);
    }
    expression = expression.strip();
  }

  /** A rule with the given action whose NULL result passes (DLT's semantics). */
  public static Expectation of(String name, String expression, Action action) {
    return new Expectation(name, expression, action, NullResult.PASS, Optional.empty());
  }

  /** A copy in which a NULL result is a violation, as {@code false} is. */
  public Expectation nullIsViolation() {
    return new Expectation(name, expression, action, NullResult.VIOLATION, group);
  }

  /**
   * Where the rule is declared within its table's config: {@code expectations.<name>}, or
   * {@code expectation-groups.<group>.rules.<name>}.
   */
  public String configKey() {
    return group.map(g -> "expectation-groups." + g + ".rules." + name).orElse("expectations." + name);
  }

  /** A copy that belongs to a group. */
  public Expectation inGroup(String groupName) {
    return new Expectation(name, expression, action, nullResult, Optional.of(groupName));
  }
}
