package io.medallion.quality;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A check of a whole batch of a table, evaluated on each write: every micro-batch of a streaming
 * table, the whole input of a batch table. Its action is {@link Action#FAIL} (nothing of the batch
 * is committed and the run fails) or {@link Action#WARN} (the batch is written and the failure is
 * recorded in the event log and the run's log). Row counts are those of the rows entering the
 * table's expectations (after the table's SQL, before drops).
 */
public sealed interface DatasetCheck {
  /** Identifies the check in the event log; unique within its table. */
  String name();

  /** {@link Action#FAIL} or {@link Action#WARN}. */
  Action action();

  /** The check's type as written in config ({@code row-count}, {@code unique}, ...). */
  String type();

  /** The batch has at least {@code min} and at most {@code max} rows (either may be absent). */
  record RowCount(String name, Action action, OptionalLong min, OptionalLong max) implements DatasetCheck {
    public RowCount {
      Checks.common(name, action);
      if (min.isEmpty() && max.isEmpty()) {
        throw QualityErrors.rowCountWithoutBounds(name);
      }
      if (min.isPresent() && max.isPresent() && min.getAsLong() > max.getAsLong()) {
        throw QualityErrors.minAboveMax(name, min.getAsLong(), max.getAsLong());
      }
      if (min.orElse(0) < 0) {
        throw QualityErrors.negativeMin(name);
      }
    }

    @Override
    public String type() {
      return "row-count";
    }
  }

  /**
   * At most {@code max} (a share between 0 and 1) of the batch's rows are dropped or quarantined by
   * the table's expectations, e.g. 0.05 fails a batch in which more than 5% of rows are rejected.
   */
  record RejectedShare(String name, Action action, double max) implements DatasetCheck {
    public RejectedShare {
      Checks.common(name, action);
      Checks.share(name, max);
    }

    @Override
    public String type() {
      return "rejected-share";
    }
  }

  /** At most {@code max} (a share between 0 and 1) of the batch's rows have a NULL {@code column}. */
  record NullShare(String name, Action action, String column, double max) implements DatasetCheck {
    public NullShare {
      Checks.common(name, action);
      Checks.share(name, max);
      if (column == null || column.isBlank()) {
        throw QualityErrors.checkWithoutColumn("null-share", name, "a column, e.g. column = email");
      }
    }

    @Override
    public String type() {
      return "null-share";
    }
  }

  /**
   * No two rows of the batch share the same values of {@code columns} (rows kept in the target
   * only: dropped and quarantined rows are not counted). This is the one check that costs an
   * aggregation of its own (over the batch already in memory).
   */
  record Unique(String name, Action action, List<String> columns) implements DatasetCheck {
    public Unique {
      Checks.common(name, action);
      columns = List.copyOf(columns);
      if (columns.isEmpty()) {
        throw QualityErrors.checkWithoutColumn("unique", name, "columns, e.g. columns = [order_id]");
      }
    }

    @Override
    public String type() {
      return "unique";
    }
  }

  /**
   * The newest value of the timestamp {@code column} in the batch is at most {@code maxAge} old
   * when the batch is checked. An empty batch passes (there is nothing stale in it).
   */
  record Freshness(String name, Action action, String column, Duration maxAge) implements DatasetCheck {
    public Freshness {
      Checks.common(name, action);
      if (column == null || column.isBlank()) {
        throw QualityErrors.checkWithoutColumn("freshness", name, "a column, e.g. column = ingested_at");
      }
      if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
        throw QualityErrors.nonPositiveMaxAge(name);
      }
    }

    @Override
    public String type() {
      return "freshness";
    }
  }

  /** Shared argument checks. */
  final class Checks {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,128}");

    private Checks() {}

    static void common(String name, Action action) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw QualityErrors.badRuleName("check", name, "orders_not_empty");
      }
      if (action != Action.FAIL && action != Action.WARN) {
        throw QualityErrors.checkAction(name, action == null ? "missing" : action.key());
      }
    }

    static void share(String name, double max) {
      if (!(max >= 0 && max <= 1)) {
        throw QualityErrors.shareOutOfRange(name, max);
      }
    }
  }
}
