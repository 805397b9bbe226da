package io.medallion.quality;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The data-quality rules of one table: row-level expectations, evaluated together in one
 * projection, and dataset-level checks of each batch.
 *
 * @param expectations row rules in declaration order; names unique within the table
 * @param checks dataset checks in declaration order; names unique within the table
 */
public record QualityRules(List<Expectation> expectations, List<DatasetCheck> checks) {
  private static final QualityRules NONE = new QualityRules(List.of(), List.of());

  /** @throws IllegalArgumentException when two rules or two checks share a name */
  public QualityRules {
    expectations = List.copyOf(expectations);
    checks = List.copyOf(checks);
    Set<String> names = new HashSet<>();
    for (Expectation e : expectations) {
      if (!names.add(e.name().toLowerCase(java.util.Locale.ROOT))) {
        throw QualityErrors.definedTwice("expectation", e.name());
      }
    }
    Set<String> checkNames = new HashSet<>();
    for (DatasetCheck c : checks) {
      if (!checkNames.add(c.name().toLowerCase(java.util.Locale.ROOT))) {
        throw QualityErrors.definedTwice("check", c.name());
      }
    }
  }

  /** No rules. */
  public static QualityRules none() {
    return NONE;
  }

  /** True when the table has neither expectations nor checks. */
  public boolean isEmpty() {
    return expectations.isEmpty() && checks.isEmpty();
  }

  /** True when some expectation has this action. */
  public boolean has(Action action) {
    return expectations.stream().anyMatch(e -> e.action() == action);
  }
}
