package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcTestSupport.dump;
import static io.medallion.table.cdc.CdcTestSupport.engine;
import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableName;
import io.medallion.table.internal.cdc.CdcEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random change streams (inserts, updates, deletes, re-inserts, redelivered duplicates), shuffled
 * and cut into random batches, give the same SCD1 and SCD2 tables as in-order delivery computed by
 * a plain-Java model, the SCD1 table also when its superseded stored changes are removed between
 * batches. Each seed owns its own key range; the seeds' batches are applied together
 * (batch i of every seed in one apply), so many seeds cost a few Delta commits.
 */
class CdcPropertyTest {
  static final StructType SCHEMA = StructType.fromDDL("id INT, v STRING, op STRING, seq BIGINT");
  static final int SEEDS = 60;
  static final int BATCHES = 3;

  @TempDir static Path warehouse;

  record Event(int id, String v, String op, long seq) {
    Row row() {
      return RowFactory.create(id, v, op, seq);
    }
  }

  /** One seed's in-order history of a few keys. */
  static List<Event> stream(Random r, int seed) {
    List<Event> out = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      int id = seed * 100 + k;
      long seq = 0;
      int n = 1 + r.nextInt(7);
      for (int i = 0; i < n; i++) {
        seq += 1 + r.nextInt(3);
        boolean delete = r.nextInt(10) < 3;
        // a small value set, so that updates repeating the current value happen too
        out.add(new Event(id, delete ? null : "v" + r.nextInt(3), delete ? "D" : "U", seq));
      }
    }
    return out;
  }

  /** SCD1 in order: the last change per key, if it is an upsert. */
  static List<String> modelScd1(List<Event> events) {
    TreeMap<Integer, Event> last = new TreeMap<>();
    for (Event e : sorted(events)) {
      last.put(e.id(), e);
    }
    List<String> out = new ArrayList<>();
    last.values().stream().filter(e -> e.op().equals("U")).forEach(e -> out.add(e.id() + "|" + e.v()));
    Collections.sort(out);
    return out;
  }

  /** SCD2 in order: a new row when v changes or after a delete; a delete closes the open row. */
  static List<String> modelScd2(List<Event> events) {
    List<String> out = new ArrayList<>();
    Event open = null;
    Integer key = null;
    for (Event e : sorted(events)) {
      if (key == null || key != e.id()) {
        if (open != null) {
          out.add(open.id() + "|" + open.v() + "|" + open.seq() + "|null");
        }
        open = null;
        key = e.id();
      }
      if (e.op().equals("D")) {
        if (open != null) {
          out.add(open.id() + "|" + open.v() + "|" + open.seq() + "|" + e.seq());
          open = null;
        }
      } else if (open == null || !open.v().equals(e.v())) {
        if (open != null) {
          out.add(open.id() + "|" + open.v() + "|" + open.seq() + "|" + e.seq());
        }
        open = e;
      }
    }
    if (open != null) {
      out.add(open.id() + "|" + open.v() + "|" + open.seq() + "|null");
    }
    Collections.sort(out);
    return out;
  }

  static List<Event> sorted(List<Event> events) {
    List<Event> s = new ArrayList<>(events);
    s.sort(Comparator.comparingInt(Event::id).thenComparingLong(Event::seq));
    return s;
  }

  /**
   * Once as the test session plans it (these small batches are broadcast-joined), and once with
   * broadcast joins off, so that every join is a sort-merge join: the stored changes' semi-join on
   * the batch's keys (repeats included) and the diff's join on the keys and {@code __START_AT},
   * which reads both folds co-partitioned on the keys alone.
   */
  @ParameterizedTest(name = "broadcast joins {0}")
  @ValueSource(booleans = {true, false})
  void shuffledBatchesEqualInOrderDelivery(boolean broadcastJoins) {
    SparkSession spark = CdcTestSupport.spark(warehouse, "cdcp");
    String suffix = "";
    if (!broadcastJoins) {
      spark = spark.cloneSession();
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
      spark.conf().set("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
      suffix = "_smj";
    }
    List<Event> all = new ArrayList<>();
    List<List<Row>> batches = new ArrayList<>();
    for (int b = 0; b < BATCHES; b++) {
      batches.add(new ArrayList<>());
    }
    for (int seed = 0; seed < SEEDS; seed++) {
      Random r = new Random(seed);
      List<Event> events = stream(r, seed);
      all.addAll(events);
      List<Event> delivered = new ArrayList<>(events);
      for (Event e : events) {
        if (r.nextInt(5) == 0) {
          delivered.add(e); // redelivered
        }
      }
      Collections.shuffle(delivered, r);
      int cuts = 1 + r.nextInt(BATCHES);
      for (int i = 0; i < delivered.size(); i++) {
        int batch = Math.min(cuts - 1, i * cuts / delivered.size());
        batches.get(batch).add(delivered.get(i).row());
      }
    }
    CdcSpec.Builder base = CdcSpec.builder(List.of("id"), List.of("seq"))
        .applyAsDeletes("op = 'D'").exceptColumnList(List.of("op", "seq"));
    TableName scd1 = TableName.of("cdcp", "s", "scd1" + suffix);
    TableName scd2 = TableName.of("cdcp", "s", "scd2" + suffix);
    CdcSpec scd1Spec = base.build(); // before scdType2(), which changes the builder
    CdcEngine e1 = engine(spark, scd1, scd1Spec, SCHEMA);
    CdcEngine e2 = engine(spark, scd2, base.scdType2().build(), SCHEMA);
    long removed = 0;
    for (int b = 0; b < BATCHES; b++) {
      if (!batches.get(b).isEmpty()) {
        e1.apply(spark.createDataFrame(batches.get(b), SCHEMA), "prop", b);
        e2.apply(spark.createDataFrame(batches.get(b), SCHEMA), "prop", b);
      }
      if (b == BATCHES / 2) { // SCD1's superseded stored changes removed between batches, as maintain does
        removed = CdcEngine.removeSupersededChanges(spark, scd1, scd1Spec).getAsLong();
      }
    }
    assertThat(removed).as("superseded changes removed").isPositive();
    assertThat(dump(spark, scd1)).containsExactlyElementsOf(modelScd1(all));
    assertThat(dump(spark, scd2)).containsExactlyElementsOf(modelScd2(all));
  }
}
