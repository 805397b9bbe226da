package io.medallion.bench;

import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckWithLastConstraintFilterable;
import io.medallion.quality.Action;
import io.medallion.quality.Expectation;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;
import scala.util.matching.Regex;

/**
 * The 20 row rules of the expectations benchmark, each as a medallion {@link Expectation} and as
 * the equivalent Deequ constraint. The input generator ({@code bench/generate-expectations-data.py})
 * breaks each of them in about 0.3 to 2 % of the rows.
 *
 * <p>Null semantics: a medallion rule whose expression is NULL passes unless it says
 * {@code nullIsViolation()} (as in DLT). The Deequ constraints are written to mean the same: Deequ's
 * {@code isContainedIn}, {@code isPositive} and numeric {@code isContainedIn} let NULL through;
 * {@code satisfies} counts a NULL predicate as non-compliant, so those predicates say what a NULL
 * means explicitly; {@code hasPattern} counts NULL as a mismatch, so those constraints are filtered
 * to non-NULL values. The benchmark checks once per run that every Deequ metric equals the SQL count.
 */
final class Rules {
  private Rules() {}

  /** The declared schema of the input (no inference pass). */
  static final String DDL =
      "order_id BIGINT, customer_id STRING, email STRING, country STRING, currency STRING, status STRING,"
          + " sku STRING, quantity INT, unit_price DOUBLE, discount DOUBLE, amount DOUBLE,"
          + " order_ts TIMESTAMP, ship_date DATE";

  private static final double MIN_COMPLIANCE = 0.95;
  private static final String[] COUNTRIES =
      {"DE", "FR", "GB", "US", "NL", "BE", "AT", "CH", "SE", "PL", "ES", "IT", "DK", "NO", "IE"};
  private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF", "SEK", "PLN"};
  private static final String[] STATUSES = {"placed", "paid", "shipped", "delivered", "cancelled", "returned"};

  /**
   * One rule.
   *
   * @param expectation the medallion rule (name, SQL, action, null semantics)
   * @param deequ adds the equivalent constraint to a Deequ check
   * @param deequKind the Deequ method used, for the report
   * @param deequWhere the filter of the Deequ constraint, if any: its metric is a share of the rows
   *     the filter keeps
   */
  record Rule(Expectation expectation, UnaryOperator<Check> deequ, String deequKind, Optional<String> deequWhere) {
    String name() {
      return expectation.name();
    }

    Action action() {
      return expectation.action();
    }

    String expression() {
      return expectation.expression();
    }

    /** A SQL expression that is true exactly when a row violates the rule (never NULL). */
    String violatedSql() {
      boolean nullViolates = expectation.nullResult() == io.medallion.quality.NullResult.VIOLATION;
      return "NOT coalesce((" + expectation.expression() + "), " + !nullViolates + ")";
    }
  }

  static final List<Rule> ALL =
      List.of(
          // quarantine (6)
          rule(Action.QUARANTINE, "q_has_order_id", "order_id IS NOT NULL", false,
              c -> c.isComplete("order_id", none(), none()), "isComplete"),
          rule(Action.QUARANTINE, "q_has_customer", "customer_id IS NOT NULL", false,
              c -> c.isComplete("customer_id", none(), none()), "isComplete"),
          rule(Action.QUARANTINE, "q_valid_currency", "currency IN (" + sqlList(CURRENCIES) + ")", true,
              c -> satisfies(c, "currency IS NOT NULL AND currency IN (" + sqlList(CURRENCIES) + ")",
                  "q_valid_currency"), "satisfies"),
          rule(Action.QUARANTINE, "q_quantity_range", "quantity BETWEEN 1 AND 1000", false,
              c -> c.isContainedIn("quantity", 1, 1000, true, true, none(), none()), "isContainedIn (range)"),
          rule(Action.QUARANTINE, "q_positive_amount", "amount > 0", true,
              c -> satisfies(c, "amount IS NOT NULL AND amount > 0", "q_positive_amount"), "satisfies"),
          rule(Action.QUARANTINE, "q_has_order_ts", "order_ts IS NOT NULL", false,
              c -> c.isComplete("order_ts", none(), none()), "isComplete"),
          // drop (6)
          rule(Action.DROP, "d_email_format", "email RLIKE '^[a-z0-9._%+-]+@[a-z0-9.-]+\\\\.[a-z]{2,}$'", false,
              c -> hasPattern(c, "email", "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$"), "hasPattern + where",
              "email IS NOT NULL"),
          rule(Action.DROP, "d_valid_country", "country IN (" + sqlList(COUNTRIES) + ")", false,
              c -> c.isContainedIn("country", COUNTRIES, atLeast(), none()), "isContainedIn"),
          rule(Action.DROP, "d_valid_status", "status IN (" + sqlList(STATUSES) + ")", false,
              c -> c.isContainedIn("status", STATUSES, atLeast(), none()), "isContainedIn"),
          rule(Action.DROP, "d_unit_price_positive", "unit_price > 0", false,
              c -> c.isPositive("unit_price", atLeast(), none()), "isPositive"),
          rule(Action.DROP, "d_discount_range", "discount BETWEEN 0 AND 0.9", false,
              c -> c.isContainedIn("discount", 0.0, 0.9, true, true, none(), none()), "isContainedIn (range)"),
          rule(Action.DROP, "d_ship_after_order", "ship_date >= to_date(order_ts)", false,
              c -> satisfies(c, "ship_date IS NULL OR order_ts IS NULL OR ship_date >= to_date(order_ts)",
                  "d_ship_after_order"), "satisfies"),
          // warn (8)
          rule(Action.WARN, "w_has_email", "email IS NOT NULL", false,
              c -> c.isComplete("email", none(), none()), "isComplete"),
          rule(Action.WARN, "w_has_country", "country IS NOT NULL", false,
              c -> c.isComplete("country", none(), none()), "isComplete"),
          rule(Action.WARN, "w_customer_format", "customer_id RLIKE '^C[0-9]{7}$'", false,
              c -> hasPattern(c, "customer_id", "^C[0-9]{7}$"), "hasPattern + where", "customer_id IS NOT NULL"),
          rule(Action.WARN, "w_sku_format", "sku RLIKE '^SKU-[0-9]{6}$'", false,
              c -> hasPattern(c, "sku", "^SKU-[0-9]{6}$"), "hasPattern"),
          rule(Action.WARN, "w_amount_reasonable", "amount < 10000", false,
              c -> satisfies(c, "amount IS NULL OR amount < 10000", "w_amount_reasonable"), "satisfies"),
          rule(Action.WARN, "w_not_future", "order_ts < TIMESTAMP '2026-01-01 00:00:00'", false,
              c -> satisfies(c, "order_ts IS NULL OR order_ts < TIMESTAMP '2026-01-01 00:00:00'",
                  "w_not_future"), "satisfies"),
          rule(Action.WARN, "w_shipped_has_date",
              "status NOT IN ('shipped','delivered','returned') OR ship_date IS NOT NULL", false,
              c -> satisfies(c,
                  "status IS NULL OR status NOT IN ('shipped','delivered','returned') OR ship_date IS NOT NULL",
                  "w_shipped_has_date"), "satisfies"),
          rule(Action.WARN, "w_amount_consistent",
              "abs(amount - quantity * unit_price * (1 - coalesce(discount, 0))) < 0.01", false,
              c -> satisfies(c,
                  "coalesce(abs(amount - quantity * unit_price * (1 - coalesce(discount, 0))) < 0.01, true)",
                  "w_amount_consistent"), "satisfies"));

  private static Rule rule(
      Action action, String name, String sql, boolean nullIsViolation, UnaryOperator<Check> deequ, String kind) {
    Expectation e = Expectation.of(name, sql, action);
    return new Rule(nullIsViolation ? e.nullIsViolation() : e, deequ, kind, Optional.empty());
  }

  /**
   * A rule whose Deequ constraint is filtered: Deequ's {@code hasPattern} counts NULL as a mismatch,
   * so a user who lets NULL through (as the medallion rule does) adds {@code .where("c IS NOT NULL")}.
   */
  private static Rule rule(
      Action action, String name, String sql, boolean nullIsViolation,
      Function<Check, CheckWithLastConstraintFilterable> deequ, String kind, String where) {
    Expectation e = Expectation.of(name, sql, action);
    return new Rule(nullIsViolation ? e.nullIsViolation() : e, c -> deequ.apply(c).where(where), kind,
        Optional.of(where));
  }

  /** The Deequ check a user would write: one check, the 20 constraints, each at least 95 % compliant. */
  static Check deequCheck() {
    Check check =
        new Check(com.amazon.deequ.checks.CheckLevel$.MODULE$.Warning(), "orders rules",
            JavaConverters.asScalaBuffer(new java.util.ArrayList<com.amazon.deequ.constraints.Constraint>()).toList());
    for (Rule r : ALL) {
      check = r.deequ().apply(check);
    }
    return check;
  }

  private static Check satisfies(Check c, String predicate, String name) {
    return c.satisfies(predicate, name, atLeast(), none(), emptyList(), none());
  }

  private static CheckWithLastConstraintFilterable hasPattern(Check c, String column, String regex) {
    return c.hasPattern(column, new Regex(regex, emptyList()),
        atLeast(), none(), none(), none());
  }

  private static Function1<Object, Object> atLeast() {
    return v -> ((Double) v) >= MIN_COMPLIANCE;
  }

  private static scala.collection.immutable.List<String> emptyList() {
    return JavaConverters.asScalaBuffer(new java.util.ArrayList<String>()).toList();
  }

  private static <T> Option<T> none() {
    return Option.empty();
  }

  private static String sqlList(String[] values) {
    StringBuilder b = new StringBuilder();
    for (String v : values) {
      b.append(b.length() == 0 ? "" : ",").append('\'').append(v).append('\'');
    }
    return b.toString();
  }
}
