package io.medallion.stage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.types.AtomicType;
import scala.collection.JavaConverters;

/**
 * The shape of an analyzed gold query that can be refreshed group by group: row-wise operators
 * (projections, filters such as HAVING, ORDER BY) over one GROUP BY aggregate, which reads one
 * input through projections and filters only, with deterministic expressions and the aggregates
 * COUNT, SUM, MIN, MAX, AVG (COUNT and SUM also DISTINCT). Each grouping expression must be a
 * column of the result: those columns identify a group in the gold table.
 *
 * <p>Because a group is always recomputed from all of its input rows, the result of a group
 * depends on nothing but its rows; that is what makes recomputing only the groups the changed
 * rows fall into equal to a full recompute.
 */
final class AggregateShape {
  private static final Set<String> AGGREGATES = Set.of("Count", "Sum", "Min", "Max", "Average");
  private static final Set<String> DISTINCT_OK = Set.of("Count", "Sum");
  private static final Set<String> TIME_DEPENDENT =
      Set.of("CurrentTimestamp", "CurrentDate", "Now", "LocalTimestamp", "CurrentBatchTimestamp");
  private static final Set<String> ROW_WISE = Set.of("Project", "Filter", "SubqueryAlias", "View", "Sort");
  private static final Set<String> BELOW_AGGREGATE = Set.of("Project", "Filter", "SubqueryAlias", "View", "Generate");

  /** The nodes above the aggregate, the root first. */
  final List<LogicalPlan> above;
  final Aggregate aggregate;
  /** The grouping expressions, over the aggregate's child. */
  final List<Expression> keys;
  /** The result column of each grouping expression. */
  final List<String> keyColumns;

  private AggregateShape(List<LogicalPlan> above, Aggregate aggregate, List<Expression> keys, List<String> keyColumns) {
    this.above = above;
    this.aggregate = aggregate;
    this.keys = keys;
    this.keyColumns = keyColumns;
  }

  /** Thrown (and caught by the planner) when the query is not of this shape; the message says why. */
  static final class Unsupported extends Exception {
    Unsupported(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The shape of an analyzed plan, or {@link Unsupported} with the reason it has none. */
  static AggregateShape of(LogicalPlan root) throws Unsupported {
    checkTree(root);
    List<LogicalPlan> above = new ArrayList<>();
    LogicalPlan node = root;
    while (ROW_WISE.contains(node.nodeName()) && node.children().size() == 1) {
      above.add(node);
      node = node.children().head();
    }
    if (!(node instanceof Aggregate aggregate)) {
      throw new Unsupported(node.nodeName().equals("Distinct") || node.nodeName().equals("Deduplicate")
          ? "it is a SELECT DISTINCT, not a GROUP BY aggregate"
          : "it is not a GROUP BY aggregate (its top operator is " + node.nodeName() + ")");
    }
    List<Expression> keys = list(aggregate.groupingExpressions());
    if (keys.isEmpty()) {
      throw new Unsupported("it aggregates without GROUP BY (one global group)");
    }
    for (NamedExpression e : list(aggregate.aggregateExpressions())) {
      checkAggregates((Expression) e);
    }
    checkBelow(aggregate.child());
    List<String> columns = new ArrayList<>();
    for (Expression key : keys) {
      if (!(key.dataType() instanceof AtomicType)) {
        throw new Unsupported("its GROUP BY key " + key.sql() + " is of type " + key.dataType().simpleString());
      }
      columns.add(column(root, above, aggregate, key));
    }
    return new AggregateShape(above, aggregate, keys, columns);
  }

  /** Why the query's result can change while its inputs do not (time, randomness), if it can. */
  static java.util.Optional<String> volatility(LogicalPlan node) {
    try {
      for (Expression e : list(node.expressions())) {
        checkVolatile(e);
      }
    } catch (Unsupported u) {
      return java.util.Optional.of(u.getMessage());
    }
    for (LogicalPlan child : list(node.children())) {
      java.util.Optional<String> r = volatility(child);
      if (r.isPresent()) {
        return r;
      }
    }
    return java.util.Optional.empty();
  }

  private static void checkTree(LogicalPlan node) throws Unsupported {
    String n = node.nodeName();
    if (n.equals("Join")) {
      throw new Unsupported("it joins tables (incremental refresh covers an aggregate over one input)");
    } else if (n.equals("Window")) {
      throw new Unsupported("it has a window function");
    } else if (n.equals("Union")) {
      throw new Unsupported("it has a UNION");
    } else if (n.endsWith("Limit") || n.equals("Tail") || n.equals("Offset")) {
      throw new Unsupported("it has a LIMIT");
    } else if (n.equals("Expand")) {
      throw new Unsupported("it has GROUPING SETS, ROLLUP or CUBE");
    }
    for (Expression e : list(node.expressions())) {
      checkVolatile(e);
      checkExpression(e);
    }
    for (LogicalPlan child : list(node.children())) {
      checkTree(child);
    }
  }

  private static void checkExpression(Expression e) throws Unsupported {
    if (e instanceof SubqueryExpression) {
      throw new Unsupported("it has a subquery in an expression");
    }
    for (Expression c : list(e.children())) {
      checkExpression(c);
    }
  }

  private static void checkVolatile(Expression e) throws Unsupported {
    String n = e.getClass().getSimpleName();
    if (TIME_DEPENDENT.contains(n)) {
      throw new Unsupported("it calls the time-dependent function " + e.prettyName() + "()");
    }
    if (!e.deterministic() && list(e.children()).stream().allMatch(Expression::deterministic)) {
      throw new Unsupported("it calls the non-deterministic function " + e.prettyName() + "()");
    }
    for (Expression c : list(e.children())) {
      checkVolatile(c);
    }
  }

  private static void checkAggregates(Expression e) throws Unsupported {
    if (e instanceof AggregateExpression agg) {
      String fn = agg.aggregateFunction().getClass().getSimpleName();
      if (!AGGREGATES.contains(fn) || (agg.isDistinct() && !DISTINCT_OK.contains(fn))) {
        throw new Unsupported("it uses the aggregate " + agg.aggregateFunction().prettyName()
            + (agg.isDistinct() ? "(DISTINCT ...)" : "()")
            + " (refreshed incrementally: COUNT, SUM, MIN, MAX, AVG, COUNT DISTINCT, SUM DISTINCT)");
      }
      if (agg.filter().isDefined()) {
        checkExpression(agg.filter().get());
      }
      return;
    }
    for (Expression c : list(e.children())) {
      checkAggregates(c);
    }
  }

  private static void checkBelow(LogicalPlan node) throws Unsupported {
    if (node.children().isEmpty()) {
      return; // the input relation
    }
    String n = node.nodeName();
    if (n.equals("Aggregate") || n.equals("Distinct") || n.equals("Deduplicate")) {
      throw new Unsupported("it aggregates an aggregate (nested GROUP BY or DISTINCT)");
    }
    if (!BELOW_AGGREGATE.contains(n)) {
      throw new Unsupported("it has a " + n + " operator below the aggregate");
    }
    for (LogicalPlan child : list(node.children())) {
      checkBelow(child);
    }
  }

  /** The result column that carries a grouping expression, through the row-wise nodes above. */
  private static String column(LogicalPlan root, List<LogicalPlan> above, Aggregate aggregate, Expression key)
      throws Unsupported {
    ExprId id = null;
    for (NamedExpression e : list(aggregate.aggregateExpressions())) {
      boolean same = e instanceof Alias a ? a.child().semanticEquals(key) : ((Expression) e).semanticEquals(key);
      if (same) {
        id = e.toAttribute().exprId();
        break;
      }
    }
    for (int i = above.size() - 1; i >= 0 && id != null; i--) {
      if (above.get(i) instanceof Project p) {
        ExprId next = null;
        for (NamedExpression e : list(p.projectList())) {
          Expression inner = e instanceof Alias a ? a.child() : (Expression) e;
          if (inner instanceof Attribute attr && attr.exprId().equals(id)) {
            next = e.toAttribute().exprId();
            break;
          }
        }
        id = next;
      }
    }
    if (id != null) {
      for (Attribute out : list(root.output())) {
        if (out.exprId().equals(id)) {
          return out.name();
        }
      }
    }
    throw new Unsupported("its GROUP BY key " + key.sql() + " is not a column of the result (select it as it is)");
  }

  static <T> List<T> list(scala.collection.Seq<T> seq) {
    return JavaConverters.seqAsJavaList(seq);
  }
}
