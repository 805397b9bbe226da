package io.medallion.quality.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.util.AccumulatorV2;

/**
 * Collects a batch's quarantine rows on the pass that writes the target, up to a cap, so writing
 * the quarantine table needs no second read of the input. Fed by a function evaluated only for
 * quarantined rows; Spark applies the updates of each successful task of the write once. Beyond the
 * cap it only counts, and the caller reads the quarantine rows with a query of their own.
 */
public final class QuarantineCollector extends AccumulatorV2<Row, List<Row>> {
  private static final long serialVersionUID = 1L;

  private final int cap;
  private ArrayList<Row> rows = new ArrayList<>();
  private long overflow;

  public QuarantineCollector(int cap) {
    this.cap = cap;
  }

  /** True when every row added was kept. */
  public boolean complete() {
    return overflow == 0;
  }

  @Override
  public boolean isZero() {
    return rows.isEmpty() && overflow == 0;
  }

  @Override
  public AccumulatorV2<Row, List<Row>> copy() {
    QuarantineCollector c = new QuarantineCollector(cap);
    c.rows = new ArrayList<>(rows);
    c.overflow = overflow;
    return c;
  }

  @Override
  public void reset() {
    rows = new ArrayList<>();
    overflow = 0;
  }

  @Override
  public void add(Row row) {
    if (overflow == 0 && rows.size() < cap) {
      rows.add(row);
    } else {
      overflow++;
    }
  }

  @Override
  public void merge(AccumulatorV2<Row, List<Row>> other) {
    QuarantineCollector o = (QuarantineCollector) other;
    if (overflow > 0 || o.overflow > 0 || rows.size() + o.rows.size() > cap) {
      overflow += o.overflow + o.rows.size();
      return;
    }
    rows.addAll(o.rows);
  }

  @Override
  public List<Row> value() {
    return rows;
  }
}
