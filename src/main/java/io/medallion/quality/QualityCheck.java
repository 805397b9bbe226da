package io.medallion.quality;

import io.medallion.internal.DaemonThreads;
import io.medallion.quality.internal.CompiledRules;
import io.medallion.quality.internal.QuarantineSpill;
import io.medallion.quality.internal.RuleTally;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's expectations and checks bound to its columns. It evaluates and never writes: {@link
 * #evaluate} returns the rows to keep; once the caller has written them, {@link Batch#after} gives
 * the batch's metrics and the rows to quarantine (with {@code _errors}).
 *
 * <p>Two ways to evaluate, both with every rule in one projection (a bit set per row) and every
 * count taken from those bits in the same pass, so the number of Spark jobs does not grow with the
 * number of rules:
 * <ul>
 *   <li><b>inline</b> (no fail rules, no failing or unique checks, not staged by the caller): the
 *       counts are taken on the caller's write of the kept rows (the rows observed with {@link
 *       Dataset#observe}, the rest tallied by the executors from each row's violation bits, {@link
 *       RuleTally}), and the quarantine rows are set aside on that same pass, into the caller's
 *       {@link QuarantineSink} when it gives one (the quarantine table's files), else into files under
 *       the table's staging folder ({@link QuarantineSpill}); no extra pass over the input, and no
 *       quarantine row travels through the driver.</li>
 *   <li><b>staged</b> (fail rules, failing or unique checks, or asked for, as upserts do): the
 *       flagged batch is held in memory (spilling to disk), counted in one job, and checked before
 *       anything is returned; a failed rule or check therefore lets the caller commit nothing.</li>
 * </ul>
 */
public final class QualityCheck {
  private static final Logger LOG = LoggerFactory.getLogger(QualityCheck.class);
  private static final ExecutorService OBSERVATIONS =
      Executors.newCachedThreadPool(DaemonThreads.named("medallion-observation"));

  private final CompiledRules rules;
  private final String table;
  private final String target;
  private final String spillRoot;

  private QualityCheck(CompiledRules rules, String table, String target, String spillRoot) {
    this.rules = rules;
    this.table = table;
    this.target = target;
    this.spillRoot = spillRoot;
  }

  /**
   * Binds rules to the columns of {@code planned} (the rows the table receives).
   *
   * @param table the table as the pipeline names it ({@code silver.orders}), for messages
   * @param target the table's three-level name, for messages
   * @param where the config path of the table, for messages ({@code <file>: pipeline.silver.orders})
   * @param spillRoot a folder every executor and the driver reach (the table's checkpoint folder,
   *     say) where a batch's quarantine rows are set aside while the target is written
   * @throws io.medallion.MedallionException if a rule does not resolve against those columns
   */
  public static QualityCheck compile(QualityRules rules, String table, String target, String where,
      Dataset<Row> planned, String spillRoot) {
    return new QualityCheck(CompiledRules.compile(rules, table, where, planned), table, target, spillRoot);
  }

  /**
   * Removes quarantine rows a killed run left in the staging folder; call once when a run starts
   * writing the table.
   */
  public void clearStaging(org.apache.spark.sql.SparkSession spark) {
    if (rules.rules().has(Action.QUARANTINE)) {
      QuarantineSpill.clear(spark, spillRoot);
    }
  }

  /**
   * Starts evaluating one batch.
   *
   * @param batchId the micro-batch id, or -1 for a batch run
   * @param staged evaluate before returning the rows to keep (needed when the caller's write reads
   *     its input more than once, as a MERGE does)
   * @throws QualityException when a fail rule or check stops a staged batch (nothing to commit)
   */
  public Batch evaluate(Dataset<Row> rows, long batchId, boolean staged) {
    return evaluate(rows, batchId, staged, Optional.empty());
  }

  /**
   * Starts evaluating one batch, as {@link #evaluate(Dataset, long, boolean)}; when the batch
   * quarantines on the write ({@link #quarantinesOnTheWrite}), its quarantine rows go to {@code
   * sink} instead of the table's staging folder, and {@link Outcome#inSink} says whether all of them
   * did.
   */
  public Batch evaluate(Dataset<Row> rows, long batchId, boolean staged, Optional<QuarantineSink> sink) {
    if (!staged && rules.rules().isEmpty()) {
      return new Unchecked(rows);
    }
    return !staged && rules.evaluableInline() ? new Inline(rows, batchId, sink) : new Staged(rows, batchId);
  }

  /**
   * Whether a micro-batch evaluated with {@code staged} sets its quarantine rows aside on the
   * caller's write (inline, with quarantine rules): the batch then takes a {@link QuarantineSink}.
   */
  public boolean quarantinesOnTheWrite(boolean staged) {
    return !staged && rules.evaluableInline() && rules.rules().has(Action.QUARANTINE);
  }

  /** The quarantine table's columns for {@code rows}: theirs, then {@code _errors}, {@code _batch_id}, {@code _quarantined_at}. */
  public org.apache.spark.sql.types.StructType quarantineSchema(Dataset<Row> rows) {
    return rules.quarantineSchema(rules.flag(rows));
  }

  /**
   * Where the executors store a micro-batch's quarantine rows while the caller writes the target
   * (the caller's: a quarantine table's files, committed after the target).
   */
  public interface QuarantineSink {
    /**
     * A function run by the write's tasks for each quarantined row, a row of {@link
     * #quarantineSchema}'s columns: it stores the row and answers false.
     */
    UDF1<Row, Boolean> function();

    /** Rows stored by the tasks that succeeded. */
    long rows();
  }

  /** One batch under evaluation. */
  public interface Batch extends AutoCloseable {
    /** The rows to write to the table. */
    Dataset<Row> keep();

    /**
     * What the batch's rules found, once the caller has written {@link #keep()}.
     *
     * @param committed whether the write committed (false: Delta skipped a replayed batch)
     */
    Outcome after(boolean committed);

    /** Releases what the evaluation cached. */
    @Override
    default void close() {}
  }

  /**
   * @param metrics the batch's counts; null when the write was skipped as a replay; {@code rows() <
   *     0} when there are no rules (the rows written are the rows in)
   * @param quarantine the rows to quarantine, with {@code _errors}; empty when there are none to
   *     append (no quarantine rules, or a micro-batch without quarantined rows). Batch runs
   *     ({@code batchId < 0}) always get them, to replace the quarantine table.
   * @param inSink true when every quarantine row of the batch is in the caller's {@link
   *     QuarantineSink} ({@code quarantine} is then empty): the caller commits them
   */
  public record Outcome(QualityMetrics metrics, Optional<Dataset<Row>> quarantine, boolean inSink) {
    /** The rows to quarantine, if any, to be written by the caller; none in a sink. */
    public Outcome(QualityMetrics metrics, Optional<Dataset<Row>> quarantine) {
      this(metrics, quarantine, false);
    }
  }

  /** A batch without rules: written as it is, without {@code observe} (measurable on large batches). */
  private static final class Unchecked implements Batch {
    private final Dataset<Row> rows;

    Unchecked(Dataset<Row> rows) {
      this.rows = rows;
    }

    @Override
    public Dataset<Row> keep() {
      return rows;
    }

    @Override
    public Outcome after(boolean committed) {
      return new Outcome(committed ? new QualityMetrics(-1, 0, 0, 0, List.of(), List.of()) : null, Optional.empty());
    }
  }

  /** Counts and quarantine rows taken on the caller's write. */
  private final class Inline implements Batch {
    private final long batchId;
    private final Dataset<Row> flagged;
    private final boolean quarantine = rules.rules().has(Action.QUARANTINE);
    private final RuleTally tally;
    private final Observation observation = new Observation();
    private final QuarantineSpill spill;
    private final QuarantineSink sink;
    private final Dataset<Row> keep;

    Inline(Dataset<Row> rows, long batchId, Optional<QuarantineSink> sink) {
      this.batchId = batchId;
      this.flagged = rules.flag(rows);
      this.tally = rules.tally(rows.sparkSession());
      Column[] m = rules.untalliedMetrics();
      Dataset<Row> observed = flagged.observe(observation, m[0], Arrays.copyOfRange(m, 1, m.length));
      // Unnamed accumulators (tally: counts; spill: staging file names and counts, the rows stay
      // in the files): Spark reports only named ones, in its event log, UI and status store.
      this.sink = quarantine ? sink.orElse(null) : null;
      this.spill = quarantine && this.sink == null ? new QuarantineSpill(rows.sparkSession(), spillRoot) : null;
      this.keep = this.sink != null ? rules.targetSettingAside(observed, tally, this.sink.function(), batchId, Instant.now())
          : rules.targetCounting(observed, tally, spill);
    }

    @Override
    public Dataset<Row> keep() {
      return keep;
    }

    @Override
    public Outcome after(boolean committed) {
      if (!committed) { // the crash may have come between the two commits: complete the quarantine
        return new Outcome(null, quarantine ? Optional.of(rules.quarantine(flagged, batchId)) : Optional.empty());
      }
      Map<String, Object> observed = await(observation);
      if (observed == null) {
        LOG.warn("{}: Spark did not report the batch's counts; its metrics are not recorded", table);
        return new Outcome(QualityMetrics.none(),
            quarantine ? Optional.of(rules.quarantine(flagged, batchId)) : Optional.empty());
      }
      Map<String, Object> values = new HashMap<>(tally.values());
      values.putAll(observed);
      QualityMetrics metrics = rules.evaluate(values, null, Instant.now()).metrics();
      if (!quarantine || batchId >= 0 && metrics.quarantined() == 0) {
        return new Outcome(metrics, Optional.empty());
      }
      long setAside = sink != null ? sink.rows() : spill.rows();
      if (setAside == metrics.quarantined() && sink != null) {
        return new Outcome(metrics, Optional.empty(), true); // the caller commits its sink's rows
      } else if (setAside == metrics.quarantined()) {
        Dataset<Row> rows = spill.read(flagged.sparkSession(), rules.spillSchema(flagged));
        return new Outcome(metrics, Optional.of(rules.quarantineOfSpilled(rows, batchId)));
      }
      LOG.info("{}: {} quarantined rows counted but {} set aside while writing (a task ran twice?); reading them again",
          table, metrics.quarantined(), setAside);
      return new Outcome(metrics, Optional.of(rules.quarantine(flagged, batchId)));
    }

    @Override
    public void close() {
      if (spill != null) {
        spill.delete();
      }
    }
  }

  /** The flagged batch cached, counted and checked before its rows are returned. */
  private final class Staged implements Batch {
    private final long batchId;
    private final Dataset<Row> flagged;
    private final QualityMetrics metrics;

    Staged(Dataset<Row> rows, long batchId) {
      this.batchId = batchId;
      this.flagged = rules.flag(rows).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Column[] m = rules.metrics();
        Row counts = flagged.agg(m[0], Arrays.copyOfRange(m, 1, m.length)).first();
        long[] duplicates = rules.needsUniquePass() ? rules.duplicates(flagged) : null;
        CompiledRules.Evaluation ev = rules.evaluate(CompiledRules.values(counts), duplicates, Instant.now());
        if (ev.failedRows() > 0 || !ev.failedChecks().isEmpty()) {
          throw failure(ev, flagged, batchId);
        }
        this.metrics = ev.metrics();
      } catch (RuntimeException e) {
        flagged.unpersist(false);
        throw e;
      }
    }

    @Override
    public Dataset<Row> keep() {
      return rules.target(flagged);
    }

    @Override
    public Outcome after(boolean committed) {
      boolean quarantine = rules.rules().has(Action.QUARANTINE)
          && (batchId < 0 || metrics.quarantined() > 0);
      return new Outcome(committed ? metrics : null,
          quarantine ? Optional.of(rules.quarantine(flagged, batchId)) : Optional.empty());
    }

    @Override
    public void close() {
      flagged.unpersist(false);
    }
  }

  private static Map<String, Object> await(Observation observation) {
    CompletableFuture<Map<String, Object>> f =
        CompletableFuture.supplyAsync(() -> {
          try {
            return observation.getAsJava();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        }, OBSERVATIONS);
    try {
      Map<String, Object> values = f.get(30, TimeUnit.SECONDS);
      return values == null || values.isEmpty() ? null : values;
    } catch (Exception e) {
      f.cancel(true);
      return null;
    }
  }

  private QualityException failure(CompiledRules.Evaluation ev, Dataset<Row> flagged, long batchId) {
    String where = "Table " + table + " (" + target + ")";
    String batch = batchId >= 0 ? "batch " + batchId : "this run";
    long rows = ev.metrics().rows();
    StringBuilder msg = new StringBuilder(where).append(": ");
    List<String> problems = new ArrayList<>();
    for (ExpectationMetric e : ev.metrics().expectations()) {
      if (e.action() == Action.FAIL && e.failedRecords() > 0) {
        String expr = rules.rules().expectations().stream()
            .filter(x -> x.name().equals(e.name())).findFirst().orElseThrow().expression();
        problems.add("expectation " + e.name() + " (on-violation = fail, \"" + expr + "\") failed for "
            + e.failedRecords() + " of " + rows + " rows");
      }
    }
    for (CheckResult c : ev.failedChecks()) {
      problems.add("check " + c.name() + " (" + c.type() + ", on-violation = fail) failed: " + c.message());
    }
    String offending = "";
    if (ev.failedRows() > 0) {
      List<Row> sample = rules.failedRows(flagged).limit(1).collectAsList();
      if (!sample.isEmpty()) {
        offending = describe(sample.get(0));
      }
    }
    return QualityErrors.batchFailed(table, msg.toString(), problems, batch, target, offending);
  }

  /** A row as {@code {col=value, ...}} with values of secret-looking columns masked. */
  static String describe(Row row) {
    StringBuilder sb = new StringBuilder("{");
    String[] names = row.schema().fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].startsWith("_source_file") || names[i].equals("_ingest_time")) {
        continue;
      }
      Object v = row.get(i);
      String text = io.medallion.internal.Secrets.isSecretColumn(names[i]) && v != null ? io.medallion.internal.Secrets.MASK
          : String.valueOf(v);
      if (text.length() > 120) {
        text = text.substring(0, 117) + "...";
      }
      sb.append(sb.length() > 1 ? ", " : "").append(names[i]).append('=').append(text);
    }
    return sb.append('}').toString();
  }
}
