package io.medallion.config;

import io.medallion.internal.SqlExpressions;
import io.medallion.internal.Suggestions;
import io.medallion.quality.Action;
import io.medallion.quality.DatasetCheck;
import io.medallion.quality.Expectation;
import io.medallion.quality.NullResult;
import io.medallion.quality.QualityRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a table's {@code expectations}, {@code expectation-groups} and {@code checks} sections.
 *
 * <pre>
 * expectations {
 *   valid_id = "order_id IS NOT NULL"                       # shorthand: on-violation = warn
 *   valid_amount { expr = "amount > 0", on-violation = quarantine, null-result = violation }
 * }
 * expectation-groups {                                      # DLT's expect_all / _or_drop / _or_fail
 *   parsable { on-violation = drop, rules { has_ts = "order_ts IS NOT NULL", has_id = "order_id IS NOT NULL" } }
 * }
 * checks {
 *   enough    { type = row-count, min = 1 }                 # on-violation = fail by default
 *   few_bad   { type = rejected-share, max = 0.05 }
 *   one_each  { type = unique, columns = [order_id] }
 *   known     { type = null-share, column = customer_id, max = 0.01, on-violation = warn }
 *   fresh     { type = freshness, column = order_ts, max-age = 2 days }
 * }
 * </pre>
 */
final class QualityReader {
  static final Set<String> TABLE_KEYS = Set.of("expectations", "expectation-groups", "checks");
  static final Map<String, Action> ACTIONS =
      PipelineReader.choices("warn", Action.WARN, "drop", Action.DROP, "quarantine", Action.QUARANTINE, "fail", Action.FAIL);
  static final Map<String, Action> CHECK_ACTIONS = PipelineReader.choices("fail", Action.FAIL, "warn", Action.WARN);
  static final Map<String, NullResult> NULL_RESULTS = PipelineReader.choices("pass", NullResult.PASS, "violation", NullResult.VIOLATION);
  private static final List<String> CHECK_TYPES = List.of("row-count", "rejected-share", "null-share", "unique", "freshness");
  private static final Set<String> RULE_KEYS = Set.of("expr", "on-violation", "null-result");
  private static final Set<String> GROUP_KEYS = Set.of("on-violation", "null-result", "rules");

  private final Defaults defaults;

  QualityReader(Defaults defaults) {
    this.defaults = defaults;
  }

  QualityRules read(Section table) {
    List<Expectation> rules = new ArrayList<>();
    Map<String, String> paths = new LinkedHashMap<>();
    table.optionalSection("expectations", "named rules: expectations { valid_id = \"order_id IS NOT NULL\" }")
        .ifPresent(s -> {
          for (String name : s.keys()) {
            rules.add(add(paths, s, name, rule(s, name)));
          }
        });
    table.optionalSection(
            "expectation-groups",
            "groups of rules with one action: expectation-groups { parsable { on-violation = drop, rules { ... } } }")
        .ifPresent(groups -> {
          for (String groupName : groups.keys()) {
            Section g = groups.child(groupName, defaults.expectationDefaults(), "a group: " + groupName + " { on-violation = drop, rules { ... } }");
            g.allowOnly(GROUP_KEYS, "an expectation group", Map.of("expr", "a group holds several rules: write them as rules { name = \"expression\" }"));
            Action action = g.choice("on-violation", ACTIONS);
            NullResult nulls = g.choice("null-result", NULL_RESULTS);
            Section r = g.section("rules", "the group's rules: rules { name = \"SQL boolean expression\" }");
            for (String name : r.keys()) {
              String expr = expression(r, name);
              rules.add(add(paths, r, name, expectation(r, name, expr, action, nulls).inGroup(groupName)));
            }
          }
        });
    List<DatasetCheck> checks = new ArrayList<>();
    table.optionalSection("checks", "named dataset checks: checks { enough { type = row-count, min = 1 } }")
        .ifPresent(s -> {
          for (String name : s.keys()) {
            checks.add(check(s.child(name, defaults.checkDefaults(), "a check: " + name + " { type = row-count, min = 1 }"), name));
          }
        });
    return new QualityRules(rules, checks);
  }

  private static Expectation add(Map<String, String> paths, Section s, String name, Expectation e) {
    String previous = paths.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), s.pathOf(name));
    if (previous != null) {
      throw s.error(name, "expectation '" + name + "' is already defined at " + previous + "; every rule of a table needs its own name");
    }
    return e;
  }

  private Expectation rule(Section s, String name) {
    if (!s.isObject(name)) {
      String expr = expression(s, name);
      return expectation(s, name, expr, defaults.expectationAction(), defaults.nullResult());
    }
    Section r = s.child(name, defaults.expectationDefaults(), "a rule: " + name + " { expr = \"...\", on-violation = drop }");
    r.allowOnly(RULE_KEYS, "an expectation", Map.of(
        "action", "the action key is on-violation, e.g. on-violation = drop",
        "expression", "the expression key is expr, e.g. expr = \"amount > 0\""));
    String expr = expression(r, "expr");
    return expectation(s, name, expr, r.choice("on-violation", ACTIONS), r.choice("null-result", NULL_RESULTS));
  }

  private static Expectation expectation(Section s, String name, String expr, Action action, NullResult nulls) {
    try {
      return new Expectation(name, expr, action, nulls, Optional.empty());
    } catch (IllegalArgumentException e) {
      throw s.error(name, e.getMessage());
    }
  }

  /** The SQL expression of a rule, checked to parse (columns are checked when the table is planned). */
  private static String expression(Section s, String key) {
    String expr = s.nonBlank(key, "a SQL boolean expression, e.g. \"amount > 0\"");
    SqlExpressions.parseError(expr).ifPresent(problem -> {
      throw s.error(key, "the expression \"" + expr + "\" does not parse: " + problem
          + " Write a SQL boolean expression, e.g. \"amount > 0 AND status IN ('placed', 'shipped')\".");
    });
    return expr;
  }

  private static DatasetCheck check(Section c, String name) {
    String type = c.string("type", "the check type, one of " + String.join(", ", CHECK_TYPES));
    Action action = c.choice("on-violation", CHECK_ACTIONS);
    try {
      switch (type) {
        case "row-count":
          c.allowOnly(Set.of("type", "on-violation", "min", "max"), "a row-count check", Map.of());
          return new DatasetCheck.RowCount(name, action,
              c.optionalLong("min", "a whole number of rows, e.g. min = 1"),
              c.optionalLong("max", "a whole number of rows, e.g. max = 1000000"));
        case "rejected-share":
          c.allowOnly(Set.of("type", "on-violation", "max"), "a rejected-share check", Map.of());
          return new DatasetCheck.RejectedShare(name, action, c.number("max", "a share between 0 and 1, e.g. max = 0.05"));
        case "null-share":
          c.allowOnly(Set.of("type", "on-violation", "column", "max"), "a null-share check", Map.of());
          return new DatasetCheck.NullShare(name, action,
              c.nonBlank("column", "the column, e.g. column = customer_id"),
              c.number("max", "a share between 0 and 1, e.g. max = 0.01"));
        case "unique":
          c.allowOnly(Set.of("type", "on-violation", "columns"), "a unique check", Map.of("column", "write the key as a list: columns = [order_id]"));
          return new DatasetCheck.Unique(name, action, c.stringList("columns", "a list of key columns, e.g. columns = [order_id]"));
        case "freshness":
          c.allowOnly(Set.of("type", "on-violation", "column", "max-age"), "a freshness check", Map.of());
          return new DatasetCheck.Freshness(name, action,
              c.nonBlank("column", "the timestamp column, e.g. column = order_ts"), c.duration("max-age"));
        default:
          throw c.error("type", "unknown check type '" + type + "': the types are " + String.join(", ", CHECK_TYPES) + "."
              + Suggestions.didYouMean(type, CHECK_TYPES));
      }
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }
}
