package io.medallion.quality.internal;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The counts of a batch's rules, taken on the executors from each row's violation bits during the
 * pass that writes the target ({@link CompiledRules#targetCounting}): dropped, quarantined, failed
 * and warned rows, each expectation's violations and each null-share check's NULLs (the rows
 * themselves are counted by the caller's observation).
 *
 * <p>It replaces a list of 25 aggregates in {@code Dataset.observe}, each updated for every row;
 * here a row without violations costs one comparison. Each task counts into an array of its own
 * and hands it to an (unnamed) accumulator when it ends; the driver keeps one array per partition, so a task Spark runs twice
 * (a retried or recomputed stage, a plan executed twice) is counted once, as observations are.
 */
public final class RuleTally implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int DROPPED = 0;
  private static final int QUARANTINED = 1;
  private static final int FAILED = 2;
  private static final int WARNED = 3;
  /** Flag {@code f}'s count is at {@code FLAGS + f}. */
  private static final int FLAGS = 4;

  private final int expectations;
  private final List<Integer> nullShareChecks;
  private final long[] quarantine;
  private final long[] fail;
  private final long[] drop;
  private final long[] warn;
  private final int width;
  private final CollectionAccumulator<long[]> totals;

  /** Counts of running tasks in this JVM, by tally and task attempt. */
  private static final Map<String, long[]> OPEN = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  /**
   * @param nullShareChecks the check index of each null-share flag, in flag order (after the
   *     expectations)
   * @param quarantine per bit-set column, the bits of the quarantine rules (so for the others)
   */
  RuleTally(SparkSession spark, int expectations, List<Integer> nullShareChecks, long[] quarantine, long[] fail, long[] drop, long[] warn) {
    this.expectations = expectations;
    this.nullShareChecks = List.copyOf(nullShareChecks);
    this.quarantine = quarantine;
    this.fail = fail;
    this.drop = drop;
    this.warn = warn;
    this.width = FLAGS + expectations + nullShareChecks.size();
    // Unnamed: Spark reports only named accumulators in its event log and UI.
    this.totals = new CollectionAccumulator<>();
    spark.sparkContext().register(totals);
  }

  /**
   * A condition that is always true and counts the bits of each row that has any: a row without
   * violations costs a comparison. Non-deterministic, so Spark neither moves nor drops it.
   */
  Column count(int bitColumns) {
    Column clean = functions.lit(true);
    Column[] cols = new Column[bitColumns];
    for (int i = 0; i < bitColumns; i++) {
      cols[i] = functions.col(CompiledRules.BITS + i);
      clean = clean.and(cols[i].equalTo(0L));
    }
    Column counted;
    if (bitColumns == 1) {
      UDF1<Long, Boolean> one = bits -> add(new long[] {bits});
      counted = functions.udf(one, DataTypes.BooleanType).asNondeterministic().apply(cols[0]);
    } else {
      UDF1<Row, Boolean> many = row -> {
        long[] bits = new long[row.length()];
        for (int i = 0; i < bits.length; i++) {
          bits[i] = row.getLong(i);
        }
        return add(bits);
      };
      counted = functions.udf(many, DataTypes.BooleanType).asNondeterministic().apply(functions.struct(cols));
    }
    return clean.or(counted);
  }

  private boolean add(long[] bits) {
    long[] c = counts();
    if (hits(bits, fail)) {
      c[FAILED]++;
    } else if (hits(bits, quarantine)) {
      c[QUARANTINED]++;
    } else if (hits(bits, drop)) {
      c[DROPPED]++;
    } else if (hits(bits, warn)) { // kept, with a warning
      c[WARNED]++;
    }
    for (int col = 0; col < bits.length; col++) {
      for (long b = bits[col]; b != 0; b &= b - 1) {
        c[FLAGS + col * CompiledRules.PER_COLUMN + Long.numberOfTrailingZeros(b)]++;
      }
    }
    return true;
  }

  private static boolean hits(long[] bits, long[] mask) {
    for (int i = 0; i < bits.length; i++) {
      if ((bits[i] & mask[i]) != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * This task's array, kept by task attempt in this JVM (so it never depends on how Spark shares
   * the function between tasks); a task's first counted row registers it to be handed over, and
   * forgotten, when the task ends.
   */
  private long[] counts() {
    TaskContext task = TaskContext.get();
    return OPEN.computeIfAbsent(id + "/" + task.taskAttemptId(), key -> {
      long[] mine = new long[width + 1];
      mine[width] = task.partitionId();
      task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> {
        OPEN.remove(key);
        totals.add(mine);
      });
      return mine;
    });
  }

  /**
   * The batch's counts by the names of {@link CompiledRules#metrics()} ({@code dropped}, ...,
   * {@code v<i>}, {@code c<check>}; not {@code rows}), one array per partition.
   */
  public Map<String, Object> values() {
    Map<Long, long[]> byPartition = new HashMap<>();
    for (long[] c : totals.value()) {
      byPartition.putIfAbsent(c[width], c);
    }
    long[] sum = new long[width];
    for (long[] c : byPartition.values()) {
      for (int i = 0; i < width; i++) {
        sum[i] += c[i];
      }
    }
    Map<String, Object> m = new HashMap<>();
    m.put("dropped", sum[DROPPED]);
    m.put("quarantined", sum[QUARANTINED]);
    m.put("failed", sum[FAILED]);
    m.put("warned", sum[WARNED]);
    for (int i = 0; i < expectations; i++) {
      m.put("v" + i, sum[FLAGS + i]);
    }
    for (int k = 0; k < nullShareChecks.size(); k++) {
      m.put("c" + nullShareChecks.get(k), sum[FLAGS + expectations + k]);
    }
    return m;
  }
}
