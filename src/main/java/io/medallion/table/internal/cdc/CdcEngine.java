package io.medallion.table.internal.cdc;

import static io.medallion.table.internal.cdc.CdcColumns.cols;
import static io.medallion.table.internal.cdc.CdcColumns.quote;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.medallion.table.CdcSpec;
import io.medallion.table.TableSpec;
import io.medallion.table.TableName;
import io.medallion.table.Txn;
import io.medallion.table.internal.ColumnRange;
import io.medallion.table.internal.DeltaWriter;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.LatestVersion;
import java.time.Instant;
import io.medallion.internal.SqlExpressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Applies batches of change rows to a Delta table as SCD type 1 or 2 (DLT's AUTO CDC semantics).
 *
 * <p><b>How.</b> Every applied change is kept in a companion Delta table, {@code
 * <table>__cdc_changes} in the same schema (keys, sequence, the target's columns and the operation).
 * A batch: (1) checks its changes (NULL keys/sequences/operations, conflicting same-sequence
 * changes, also against the stored ones) and fails before any write; (2) drops changes already
 * stored (redeliveries); (3) replays, for the keys it touches, the stored changes with and without
 * the new ones in sequence order ({@link CdcFold}) and MERGEs only the difference into the target
 * (into a table without data files it appends, in key ranges: see {@link #insert});
 * (4) appends the new changes to the companion. The target is therefore always the in-order replay
 * of every change: out-of-order and late changes, deletes before inserts (tombstones) and SCD2
 * history splits need no special cases.
 *
 * <p><b>Idempotence per (table, batch).</b> With a batch id the MERGE carries Delta's {@code
 * spark.databricks.delta.write.txnAppId}/{@code txnVersion} (set on a cloned session, so other
 * stages are not affected) and the append is idempotent per the same pair ({@link
 * DeltaWriter#append(Dataset, TableName, boolean, Txn)}: the replay check answered from the
 * table's checksum, or by Delta's options): a replayed micro-batch commits nothing. Without them a rerun is still harmless: its changes are
 * all stored already, so it changes nothing; a crash between the MERGE and the append is repaired
 * by the rerun, whose replay yields the same rows.
 */
public final class CdcEngine {
  public static final String START = "__START_AT";
  public static final String END = "__END_AT";
  static final String OP = "__op";
  static final String TIE = "__tie";
  private static final String CO_PARTITION_ON_ALL_KEYS = "spark.sql.requireAllClusterKeysForCoPartition";
  static final String APPLIED = "__applied_at";
  static final String BATCH = "__batch_id";
  static final String ACTION = "__action";
  private static final String IS_TRUNCATE = "__is_truncate";
  private static final String IS_DELETE = "__is_delete";
  private static final String TXN_APP_ID = "spark.databricks.delta.write.txnAppId";
  private static final String TXN_VERSION = "spark.databricks.delta.write.txnVersion";

  private final SparkSession spark;
  private final TableName target;
  private final TableName changes;
  private final CdcSpec spec;
  private final String where;
  private final CdcColumns c;

  private CdcEngine(SparkSession spark, TableName target, CdcSpec spec, StructType input, String where) {
    this.spark = spark;
    this.target = target;
    this.changes = changesTable(target);
    this.spec = spec;
    this.where = where;
    this.c = CdcColumns.resolve(spec, input, where);
  }

  /**
   * Checks {@code spec} against the input's columns and creates the target and its companion table
   * if needed. {@code where} names the spec in errors (the config path of the {@code cdc} block).
   */
  public static CdcEngine prepare(SparkSession spark, TableName target, CdcSpec spec, StructType input,
      String where, TableSpec layout) {
    CdcEngine engine = new CdcEngine(spark, target, spec, input, where);
    checkConditions(spark, spec, input, where);
    DeltaTables.ensureTable(spark, target, engine.targetSchema(), layout);
    DeltaTables.ensureTable(spark, engine.changes, engine.changesSchema(), TableSpec.defaults());
    return engine;
  }

  /**
   * Fails when the existing {@code target} was written as the other SCD type than {@code spec}'s
   * (its {@code __START_AT}/{@code __END_AT} columns say which): type 1 rows have no history to
   * become type 2 rows, and type 2 history rows are several per key where type 1 keeps one, so
   * neither can be changed in place (adding the history columns would leave every row without a
   * start). By analysis of the table's columns: no Spark job.
   */
  public static void checkScdType(SparkSession spark, TableName target, CdcSpec spec, String where) {
    if (!DeltaTables.exists(spark, target)) {
      return;
    }
    java.util.Set<String> columns = new java.util.HashSet<>();
    for (String name : spark.read().table(target.quoted()).schema().fieldNames()) {
      columns.add(name.toUpperCase(java.util.Locale.ROOT));
    }
    boolean history = columns.contains(START) && columns.contains(END);
    if (history != spec.scd2()) {
      throw CdcErrors.scdTypeChanged(where, target.toString(), history ? 2 : 1, spec.scd2() ? 2 : 1);
    }
  }

  /**
   * Checks that {@code apply-as-deletes} and {@code apply-as-truncates} parse, resolve over the
   * input (every column they name exists) and are conditions (BOOLEAN), by analysis only: no Spark
   * job. A string column such as {@code Op} alone would otherwise fail the first batch with Spark's
   * type error about an internal column.
   */
  public static void checkConditions(SparkSession spark, CdcSpec spec, StructType input, String where) {
    Dataset<Row> empty = spark.createDataFrame(List.<Row>of(), input);
    Map<String, Optional<String>> conditions = new LinkedHashMap<>();
    conditions.put("apply-as-deletes", spec.applyAsDeletes());
    conditions.put("apply-as-truncates", spec.applyAsTruncates());
    conditions.forEach((option, condition) -> condition.ifPresent(text -> {
      SqlExpressions.parseError(text).ifPresent(problem -> {
        throw CdcErrors.conditionDoesNotParse(where, option, text, problem);
      });
      org.apache.spark.sql.types.DataType type;
      try {
        type = empty.select(expr(text)).schema().fields()[0].dataType();
      } catch (Exception e) { // AnalysisException: checked in Java, undeclared by Scala
        throw CdcErrors.conditionDoesNotResolve(where, option, text, e, List.of(input.fieldNames()));
      }
      if (!(type instanceof org.apache.spark.sql.types.BooleanType)) {
        throw CdcErrors.conditionNotBoolean(where, option, text, type.sql());
      }
    }));
  }

  /** Only checks {@code spec} against the input's columns (for {@code validate}). */
  public static void check(CdcSpec spec, StructType input, String where) {
    CdcColumns.resolve(spec, input, where);
  }

  /** The target's columns for this input, after checking {@code spec} against it. */
  public static StructType targetSchema(CdcSpec spec, StructType input, String where) {
    return new CdcEngine(null, TableName.of("x", "x", "x"), spec, input, where).targetSchema();
  }

  /** The companion table holding the applied changes (and so the tombstones) of {@code target}. */
  public static TableName changesTable(TableName target) {
    return TableName.of(target.catalog(), target.schema(), target.table() + "__cdc_changes");
  }

  /** The target's schema: the kept columns, plus {@code __START_AT}/{@code __END_AT} for SCD2. */
  public StructType targetSchema() {
    StructType s = new StructType();
    for (String t : c.target) {
      s = s.add(c.input.apply(t));
    }
    if (spec.scd2()) {
      s = s.add(START, c.sequenceType).add(END, c.sequenceType);
    }
    return s;
  }

  private StructType changesSchema() {
    StructType s = new StructType();
    for (String t : c.stored) {
      s = s.add(c.input.apply(t));
    }
    return s.add(OP, DataTypes.StringType).add(APPLIED, DataTypes.TimestampType).add(BATCH, DataTypes.LongType);
  }

  /**
   * Applies one batch. {@code batchId} >= 0 makes the writes idempotent per ({@code appId},
   * batch); -1 for a batch run. Throws, with nothing written, on bad changes.
   *
   * <p>Spark actions per batch: one pass over the batch (kept: {@link KeptRows}) joined with the
   * stored changes for every check and count, the MERGE (whose metrics give the row counts) and the
   * append of the new changes; a batch of redeliveries stops after the first. The stored changes of
   * the batch's keys are kept as well for the MERGE, which folds them twice (before and after the
   * batch); the MERGE's condition carries the new changes' key range ({@link #keyRange}), so Delta looks for matches
   * only in the target's files that can hold them.
   */
  public CdcResult apply(Dataset<Row> batch, String appId, long batchId) {
    return apply(batch, appId, batchId, LatestVersion.of(spark, changes));
  }

  /**
   * {@link #apply(Dataset, String, long)} with the stored changes' latest version already taken by
   * the caller ({@link #changesTable}), as snapshot CDC takes it to derive the batch.
   */
  CdcResult apply(Dataset<Row> batch, String appId, long batchId, LatestVersion companion) {
    Dataset<Row> classified = null;
    Dataset<Row> storedOfBatch = null;
    Dataset<Row> touched = null;
    try {
      // one version of the companion for every read of this batch: its log brought up to date and
      // its files' statistics parsed once
      // the stored changes the pass needs are those of the batch's keys: within the batch's key
      // range, a read that skips the companion's files outside it when their ranges differ (its
      // first batch is stored in key ranges, below), so that the pass reads what the batch's keys
      // need, not every change ever stored (docs/cdc.md, "The stored changes a batch reads")
      List<ColumnRange> ranges = batchRanges(batch, companion);
      Dataset<Row> storedOfKeys = ranges.isEmpty() ? companion.read() : companion.read(ranges);
      Dataset<Row> incoming = normalize(batch);
      // the companion is read once, for the batch's keys only (NULL keys included: a truncate's);
      // the duplicate check and the folds use that part, not the whole companion. Kept rows
      // (KeptRows), not caches: their plans are one leaf, which does not name the companion, so
      // (1) Spark analyzes the folds, the diff and the MERGE's source over that leaf instead of
      // over the companion's read, its join and the batch's plan again for every step (0.2 s of
      // driver time per batch in bench/run-cdc.sh; docs/cdc.md), and (2) the append to the companion
      // at the end does not make Spark re-plan them (every cached plan that reads a table is
      // re-planned when the table is written: Delta file listings and snapshot jobs). Unlike local
      // checkpoints they keep their lineage: a block lost with an executor is computed again.
      // The batch's keys as they come, repeats included: a semi-join only asks whether a key is
      // there, so making them distinct first only cost a shuffle
      storedOfBatch = KeptRows.of(storedOfKeys.as("s").join(batch.select(cols(c.keys)).as("b"),
          joinOnNullSafe("s", "b", c.keys), "left_semi"));
      classified = KeptRows.of(classify(incoming, storedOfBatch));
      Column isNew = not(col("__seen"));
      Column[] example = cols(List.of(changesEventNames()));
      List<Column> aggs = checks();
      int first = aggs.size();
      aggs.add(sum(when(isNew, 1).otherwise(0)));
      aggs.add(sum(when(isNew.and(col(OP).equalTo("U")), 1).otherwise(0)));
      aggs.add(sum(when(isNew.and(col(OP).equalTo("D")), 1).otherwise(0)));
      aggs.add(sum(when(isNew.and(col(OP).equalTo("T")), 1).otherwise(0)));
      aggs.add(min(when(col("__same_id").gt(1).or(col("__seen").and(not(col("__same")))), struct(example))));
      aggs.add(count(lit(1)));
      // the range of each range-comparable key over the new changes (truncates aside)
      Column isNewChange = isNew.and(col(OP).notEqual("T"));
      for (String k : c.rangeKeys) {
        aggs.add(min(when(isNewChange, col(quote(k)))));
        aggs.add(max(when(isNewChange, col(quote(k)))));
      }
      Row counts = classified.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
      failOnNulls(counts);
      if (!counts.isNullAt(first + 4)) {
        throw conflictError(counts.getStruct(first + 4));
      }
      long total = counts.isNullAt(first) ? 0 : counts.getLong(first);
      long incomingCount = counts.getLong(first + 5);
      if (total == 0) {
        return CdcResult.nothing(incomingCount);
      }
      Dataset<Row> fresh = classified.where(isNew).select(example);
      long truncates = counts.getLong(first + 3);
      // a truncate touches every key ever stored: then the whole companion is read
      Dataset<Row> realStored = (truncates > 0 ? companion.read() : storedOfBatch).where(col(OP).notEqual("T")).select(eventColumns());
      Dataset<Row> realFresh = fresh.where(col(OP).notEqual("T"));
      Dataset<Row> keys = (truncates > 0 ? realStored.select(cols(c.keys)).union(realFresh.select(cols(c.keys)))
          : realFresh.select(cols(c.keys))).distinct();
      // the stored changes of the touched keys feed both folds. Without a truncate they are the
      // batch's part of the companion, already kept: its keys beyond the new changes' (keys of
      // redeliveries only) fold to the same rows before and after, so they add nothing to the diff
      Dataset<Row> before;
      if (truncates > 0) {
        touched = KeptRows.of(realStored.as("r").join(keys.as("k"), joinOn("r", "k", c.keys), "left_semi"));
        before = touched;
      } else {
        before = realStored;
      }
      Dataset<Row> after = before.union(realFresh.select(eventColumns()));
      if (spec.applyAsTruncates().isPresent()) {
        Dataset<Row> allTruncates = companion.read().where(col(OP).equalTo("T")).select(eventColumns());
        before = before.union(truncatesAsDeletes(keys, allTruncates));
        after = after.union(truncatesAsDeletes(keys, allTruncates.union(fresh.where(col(OP).equalTo("T")).select(eventColumns()))));
      }
      List<String> on = new ArrayList<>(c.keys);
      if (spec.scd2()) {
        on.add(START);
      }
      Dataset<Row> diff = CdcFold.diff(CdcFold.fold(before, c, spec.scd2()), CdcFold.fold(after, c, spec.scd2()), on);
      // none when the write was skipped as already committed for (appId, batchId)
      java.util.OptionalLong empty = emptyAt();
      // a truncate touches every stored key: no range then
      String range = truncates > 0 ? "" : keyRange(counts, first + 6).stream().map(r -> r.sql("t"))
          .collect(Collectors.joining(" AND "));
      // a first batch large enough for several files is written in key ranges (insert, below)
      int rangeFiles = empty.isPresent() ? rangeFiles(total) : 0;
      Applied applied = (empty.isPresent() ? insert(diff, empty, rangeFiles, appId, batchId) : merge(diff, on, range, appId, batchId))
          .orElse(new Applied(0, 0, 0));
      long updated = applied.updated();
      long deleted = applied.deleted();
      long inserted = applied.inserted();
      // released before the append, as caches would have to be (cached plans that read the
      // companion are re-planned when it is written)
      if (touched != null) {
        KeptRows.release(touched);
        touched = null;
      }
      KeptRows.release(storedOfBatch);
      storedOfBatch = null;
      Dataset<Row> changed = fresh.withColumn(APPLIED, current_timestamp()).withColumn(BATCH, lit(batchId))
          .select(changesColumns());
      if (rangeFiles > 0) {
        // a first batch (often a full load of every key) is stored in key ranges, as the target's
        // rows are (insert): the files' key ranges then differ, and a later batch reads only the
        // files within its own key range
        changed = changed.repartitionByRange(rangeFiles, cols(c.keys)).sortWithinPartitions(cols(c.keys));
      }
      DeltaWriter.append(changed, changes, false, batchId < 0 ? Txn.NONE : new Txn(appId, batchId));
      return new CdcResult(counts.getLong(first + 1), counts.getLong(first + 2), truncates, incomingCount - total,
          inserted, updated, deleted, spec.scd2() ? inserted : 0);
    } finally {
      if (classified != null) {
        KeptRows.release(classified);
      }
      if (touched != null) {
        KeptRows.release(touched);
      }
      if (storedOfBatch != null) {
        KeptRows.release(storedOfBatch);
      }
    }
  }

  /**
   * The target-only ranges {@code t.k >= lower AND t.k <= upper} of each range-comparable key, from
   * the batch's aggregates starting at {@code at} (a min and a max per key, widened by {@link
   * KeyRange} so that later batches reuse the compiled plan); empty without such keys. Every row
   * the MERGE changes has its keys in these ranges (the diff covers only the keys of the new
   * changes), so the condition changes no match, and Delta skips the target's files whose
   * statistics lie outside it when it looks for matches.
   */
  private List<ColumnRange> keyRange(Row aggregates, int at) {
    List<ColumnRange> ranges = new ArrayList<>();
    for (int i = 0; i < c.rangeKeys.size(); i++) {
      String k = c.rangeKeys.get(i);
      if (aggregates.isNullAt(at + 2 * i) || aggregates.isNullAt(at + 2 * i + 1)) {
        return List.of();
      }
      ranges.add(KeyRange.of(k, aggregates.get(at + 2 * i), aggregates.get(at + 2 * i + 1), c.input.apply(k).dataType()));
    }
    return ranges;
  }

  /**
   * The range of each range-comparable key over the batch's rows, for a read of the stored changes
   * that skips the companion's files outside it: one Spark job over the batch's keys, run only when
   * the companion's files can be told apart by such a key ({@link LatestVersion#rangesCanSkipFiles},
   * from its checksum: no job). Empty, and every file read, when they cannot, when the batch has no
   * rows, or when a key of it is NULL (a truncate's, which needs every stored truncate, or one the
   * checks fail on).
   */
  private List<ColumnRange> batchRanges(Dataset<Row> batch, LatestVersion companion) {
    if (c.rangeKeys.stream().noneMatch(k -> companion.rangesCanSkipFiles(k, c.input.apply(k).dataType()))) {
      return List.of();
    }
    Column anyNull = lit(false);
    for (String k : c.keys) {
      anyNull = anyNull.or(col(quote(k)).isNull());
    }
    List<Column> aggs = new ArrayList<>();
    for (String k : c.rangeKeys) {
      aggs.add(min(col(quote(k))));
      aggs.add(max(col(quote(k))));
    }
    Row found = batch.agg(max(anyNull), aggs.toArray(Column[]::new)).first();
    if (found.isNullAt(0) || found.getBoolean(0)) {
      return List.of();
    }
    return keyRange(found, 1);
  }

  /**
   * Forgets deleted keys whose delete was applied more than the tombstone retention before {@code
   * now}: after that an older change of such a key that arrives late is applied again (as DLT
   * does). Returns the number of keys forgotten.
   */
  public long expireTombstones(Instant now) {
    Column cutoff = lit(java.sql.Timestamp.from(now.minus(spec.tombstoneRetention())));
    Dataset<Row> stored = DeltaTables.readLatest(spark, changes);
    // A key has expired only if a delete of it was applied before the cutoff. Almost every run
    // finds no such stored row: a filtered scan, which Parquet's statistics mostly answer from the
    // files' footers, settles it without the grouping below (a shuffle of every stored change).
    if (stored.where(col(OP).equalTo("D").and(col(APPLIED).lt(cutoff))).isEmpty()) {
      return 0;
    }
    Dataset<Row> latest = stored.where(col(OP).notEqual("T"))
        .groupBy(cols(c.keys))
        .agg(max_by(col(OP), c.sequenceColumn()).as("__last_op"), max(col(APPLIED)).as("__last_applied"));
    // Not cached: almost every run finds none, and caching plans and materializes the query first.
    // The MERGE computes the keys again; nothing else writes the changes table in between (it is
    // written only by this table's runs, which the table's lock keeps to one at a time).
    Dataset<Row> expired = latest.where(col("__last_op").equalTo("D")
        .and(col("__last_applied").lt(cutoff))).select(cols(c.keys));
    long n = expired.count();
    if (n > 0) {
      String view = view("expire");
      expired.createOrReplaceTempView(view);
      try {
        spark.sql("MERGE INTO " + changes.quoted() + " t USING " + quote(view) + " s ON " + on("t", "s", c.keys)
            + " WHEN MATCHED THEN DELETE");
      } finally {
        spark.catalog().dropTempView(view);
      }
    }
    return n;
  }

  /**
   * Removes from {@code target}'s companion the changes no later batch can need: for SCD type 1
   * without ignore-null options, every stored change of a key but its newest (by sequence), whose
   * applied time becomes the newest applied time of the key's changes (so tombstones expire exactly
   * when they would have). Truncates are kept. One MERGE, one commit (nothing when nothing is
   * superseded); Delta's conflict checks fail it, and keep everything, if a batch appends to the
   * companion meanwhile.
   *
   * <p>Why this is exact: an SCD1 key's row is its newest change, so every later replay (before or
   * after a batch) gives the same rows from the newest change alone; a late change older than it
   * stays superseded. What changes: a redelivered change that was removed counts again as a new
   * change in the batch's metrics (the table does not change), and a different change at a removed
   * change's sequence is not reported as a conflict (it is superseded all the same).
   *
   * @return the changes removed; empty (nothing read or written) for SCD type 2 and for specs with
   *     an ignore-null option, whose replays need every change, and when the companion does not exist
   */
  public static java.util.OptionalLong removeSupersededChanges(SparkSession spark, TableName target, CdcSpec spec) {
    CdcSpec applied = spec.snapshots() ? CdcSnapshots.changeSpec(spec) : spec;
    TableName changes = changesTable(target);
    if (applied.scd2() || applied.ignoreNullUpdates() || !applied.ignoreNullUpdatesColumnList().isEmpty()
        || !applied.ignoreNullUpdatesExceptColumnList().isEmpty() || !DeltaTables.exists(spark, changes)) {
      return java.util.OptionalLong.empty();
    }
    Dataset<Row> stored = spark.read().table(changes.quoted());
    List<String> keys = storedNames(target, stored.schema(), applied.keys());
    List<String> sequence = storedNames(target, stored.schema(), applied.sequenceBy());
    Column seq = sequence.size() == 1 ? col(quote(sequence.get(0))) : struct(cols(sequence));
    List<String> id = new ArrayList<>(keys);
    id.addAll(sequence);
    // the newest change of each key stays (its applied time raised to the key's newest); the rest goes
    Dataset<Row> superseded = stored.where(col(OP).notEqual("T"))
        .withColumn("__rank", org.apache.spark.sql.functions.row_number()
            .over(Window.partitionBy(cols(keys)).orderBy(seq.desc())))
        .withColumn("__last_applied", max(col(APPLIED)).over(Window.partitionBy(cols(keys))))
        .where(col("__rank").gt(1).or(col("__last_applied").gt(col(APPLIED))));
    List<Column> source = new ArrayList<>(List.of(cols(id)));
    source.add(col("__rank"));
    source.add(col("__last_applied"));
    superseded = superseded.select(source.toArray(Column[]::new));
    String view = view(target, "compact");
    try {
      if (superseded.isEmpty()) {
        return java.util.OptionalLong.of(0);
      }
      superseded.createOrReplaceTempView(view);
      Row metrics = spark.sql("MERGE INTO " + changes.quoted() + " t USING " + quote(view) + " s ON "
              + on("t", "s", id) + " AND t." + OP + " <> 'T'"
              + " WHEN MATCHED AND s.__rank > 1 THEN DELETE"
              + " WHEN MATCHED THEN UPDATE SET t." + APPLIED + " = s.__last_applied")
          .first();
      return java.util.OptionalLong.of(metrics.<Long>getAs("num_deleted_rows"));
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /** {@code names} spelled as in {@code schema} (matched case-insensitively, as the engine resolves them). */
  private static List<String> storedNames(TableName target, StructType schema, List<String> names) {
    List<String> has = List.of(schema.fieldNames());
    List<String> out = new ArrayList<>();
    for (String n : names) {
      out.add(has.stream().filter(f -> f.equalsIgnoreCase(n)).findFirst().orElseThrow(() ->
          CdcErrors.storedChangesLackColumn(target.toString(), changesTable(target).toString(), n, has)));
    }
    return out;
  }

  /**
   * Projects a batch to the stored columns, its operation and the two condition flags (kept for
   * {@link #checks()}), without duplicates.
   */
  private Dataset<Row> normalize(Dataset<Row> batch) {
    Column deletes = spec.applyAsDeletes().map(org.apache.spark.sql.functions::expr).orElse(lit(false));
    Column truncates = spec.applyAsTruncates().map(org.apache.spark.sql.functions::expr).orElse(lit(false));
    List<Column> select = new ArrayList<>(List.of(cols(c.stored)));
    select.add(truncates.as(IS_TRUNCATE));
    select.add(deletes.as(IS_DELETE));
    Dataset<Row> raw = batch.select(select.toArray(Column[]::new));
    Column op = when(col(IS_TRUNCATE).eqNullSafe(lit(true)), "T").when(col(IS_DELETE), "D").otherwise("U");
    // partitioned by key and sequence before the duplicates go: that one shuffle also serves
    // classify's count of the changes per key and sequence, where Spark shuffled once by every
    // column for the duplicates and again by key and sequence for the count
    List<String> id = new ArrayList<>(c.keys);
    id.addAll(c.sequence);
    return raw.withColumn(OP, op).repartition(cols(id)).distinct();
  }

  /**
   * The bad-input checks, each the smallest offending change as JSON (NULL when none), its NULL
   * columns written as {@code null} so that the one at fault shows, and the values of
   * secret-looking columns masked ({@link io.medallion.internal.Secrets#isSecretColumn}).
   */
  private List<Column> checks() {
    Column[] shown = c.stored.stream().map(n -> io.medallion.internal.Secrets.isSecretColumn(n)
        ? when(col(quote(n)).isNotNull(), lit(io.medallion.internal.Secrets.MASK)).as(n) : col(quote(n)))
        .toArray(Column[]::new);
    Column row = to_json(struct(shown), java.util.Map.of("ignoreNullFields", "false"));
    Column isTruncate = col(IS_TRUNCATE).eqNullSafe(lit(true));
    List<Column> checks = new ArrayList<>();
    checks.add(min(when(col(IS_TRUNCATE).isNull(), row)));
    checks.add(min(when(not(isTruncate).and(col(IS_DELETE).isNull()), row)));
    for (String k : c.keys) {
      checks.add(min(when(not(isTruncate).and(col(quote(k)).isNull()), row)));
    }
    for (String s : c.sequence) {
      checks.add(min(when(col(quote(s)).isNull(), row)));
    }
    return checks;
  }

  private void failOnNulls(Row found) {
    String table = target.toString();
    if (!found.isNullAt(0)) {
      throw CdcErrors.nullOperation(where, table, "apply-as-truncates", spec.applyAsTruncates().orElse(""), found.getString(0));
    }
    if (!found.isNullAt(1)) {
      throw CdcErrors.nullOperation(where, table, "apply-as-deletes", spec.applyAsDeletes().orElse(""), found.getString(1));
    }
    for (int i = 0; i < c.keys.size(); i++) {
      if (!found.isNullAt(2 + i)) {
        throw CdcErrors.nullKey(where, table, c.keys.get(i), found.getString(2 + i));
      }
    }
    for (int i = 0; i < c.sequence.size(); i++) {
      if (!found.isNullAt(2 + c.keys.size() + i)) {
        throw CdcErrors.nullSequence(where, table, c.sequence.get(i), found.getString(2 + c.keys.size() + i));
      }
    }
  }

  /** The stored columns and the operation: a change as the companion table keeps it (before its batch columns). */
  private String[] changesEventNames() {
    List<String> out = new ArrayList<>(c.stored);
    out.add(OP);
    return out.toArray(String[]::new);
  }

  /**
   * The incoming changes with {@code __seen} (already stored), {@code __same} (identical to the
   * stored one) and {@code __same_id} (how many incoming changes share its key and sequence).
   */
  private Dataset<Row> classify(Dataset<Row> incoming, Dataset<Row> stored) {
    List<String> id = new ArrayList<>(c.keys);
    id.addAll(c.sequence);
    Dataset<Row> s = stored.select(eventColumns()).as("s");
    Dataset<Row> i = incoming.withColumn("__same_id", count(lit(1)).over(Window.partitionBy(cols(id)))).as("i");
    Column join = lit(true);
    for (String n : id) {
      join = join.and(col("i." + quote(n)).eqNullSafe(col("s." + quote(n))));
    }
    List<Column> iEvent = new ArrayList<>();
    List<Column> sEvent = new ArrayList<>();
    for (String n : changesEventNames()) {
      iEvent.add(col("i." + quote(n)).as(n));
      sEvent.add(col("s." + quote(n)).as(n));
    }
    List<Column> out = new ArrayList<>();
    for (String n : incoming.columns()) {
      out.add(col("i." + quote(n)).as(n));
    }
    out.add(col("i.__same_id").as("__same_id"));
    out.add(col("s." + OP).isNotNull().as("__seen"));
    out.add(struct(iEvent.toArray(Column[]::new)).eqNullSafe(struct(sEvent.toArray(Column[]::new))).as("__same"));
    return i.join(s, join, "left").select(out.toArray(Column[]::new));
  }

  private RuntimeException conflictError(Row r) {
    String key = c.keys.stream().map(k -> k + "=" + r.getAs(k)).collect(Collectors.joining(", "));
    String seq = c.sequence.stream().map(s -> s + "=" + r.getAs(s)).collect(Collectors.joining(", "));
    return CdcErrors.conflict(target.toString(), key, seq);
  }

  /** Each truncate as a delete of every key in {@code keys} at the truncate's sequence. */
  private Dataset<Row> truncatesAsDeletes(Dataset<Row> keys, Dataset<Row> truncates) {
    List<Column> out = new ArrayList<>();
    for (String n : c.stored) {
      if (c.keys.contains(n)) {
        out.add(col("k." + quote(n)).as(n));
      } else if (c.sequence.contains(n)) {
        out.add(col("t." + quote(n)).as(n));
      } else {
        out.add(lit(null).cast(c.input.apply(n).dataType()).as(n));
      }
    }
    out.add(lit("D").as(OP));
    out.add(lit(1).as(TIE));
    return keys.as("k").crossJoin(truncates.as("t")).select(out.toArray(Column[]::new));
  }

  private Column[] eventColumns() {
    return eventColumns(c);
  }

  /**
   * A change's columns for {@link CdcFold}: the stored columns, {@code __op}, and {@code __tie}: 0,
   * and 1 for a truncate (its deletes win at an equal sequence, {@link #truncatesAsDeletes}; a
   * truncate row itself is never folded). The tie is an expression of {@code __op}, not the literal
   * 0: Spark folds a literal into the plan of the fold before the batch (one input) but not into
   * the fold after it (a union with the new changes), so the two folds' plans differed and each
   * was compiled to classes of its own; as an expression both folds generate the same code, which
   * Spark compiles once (docs/performance.md, "The same pipeline compiled once").
   */
  static Column[] eventColumns(CdcColumns c) {
    List<Column> out = new ArrayList<>(List.of(cols(c.stored)));
    out.add(col(OP));
    out.add(when(col(OP).equalTo("T"), 1).otherwise(0).as(TIE));
    return out.toArray(Column[]::new);
  }

  private Column[] changesColumns() {
    List<Column> out = new ArrayList<>(List.of(cols(c.stored)));
    out.add(col(OP));
    out.add(col(APPLIED));
    out.add(col(BATCH));
    return out.toArray(Column[]::new);
  }

  private static Column joinOnNullSafe(String left, String right, List<String> columns) {
    Column join = lit(true);
    for (String k : columns) {
      join = join.and(col(left + "." + quote(k)).eqNullSafe(col(right + "." + quote(k))));
    }
    return join;
  }

  private static Column joinOn(String left, String right, List<String> columns) {
    Column join = lit(true);
    for (String k : columns) {
      join = join.and(col(left + "." + quote(k)).equalTo(col(right + "." + quote(k))));
    }
    return join;
  }

  /**
   * The target's version when it has no data files (its first batch, or everything deleted), from
   * that version's checksum (no Spark job; {@code Snapshot.numOfFiles} would rebuild the table's
   * state); empty when it has files or no checksum says (the MERGE then decides, as before).
   */
  private java.util.OptionalLong emptyAt() {
    org.apache.spark.sql.delta.DeltaLog log = DeltaTables.deltaLog(spark, target);
    if (log == null) {
      return java.util.OptionalLong.empty();
    }
    org.apache.spark.sql.delta.Snapshot snapshot = log.update(false, scala.Option.empty(), scala.Option.empty());
    scala.Option<org.apache.spark.sql.delta.VersionChecksum> checksum = snapshot.checksumOpt();
    return checksum.isDefined() && checksum.get().numFiles() == 0
        ? java.util.OptionalLong.of(snapshot.version()) : java.util.OptionalLong.empty();
  }

  /**
   * The MERGE of {@link #merge} into a table without rows, as an append: no row can match, so the
   * MERGE would insert every non-delete row of the diff, and so does this, in one commit with the
   * same (app id, batch) replay check. With {@code ranges} > 0 ({@link #rangeFiles}) the rows are
   * written in that many key ranges, one file each, sorted by key (a table's first batch is often
   * a full load of every key; the MERGE would scatter them by the hash of its join), so that a
   * later MERGE whose changes fall on some keys rewrites only the files holding those keys.
   * Returns the rows inserted, or empty when the (app id, batch) was already committed.
   */
  private java.util.Optional<Applied> insert(Dataset<Row> diff, java.util.OptionalLong before, int ranges,
      String appId, long batchId) {
    List<Column> columns = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField f : targetSchema().fields()) {
      columns.add(col(quote(f.name())));
    }
    Column[] keys = cols(c.keys);
    Dataset<Row> rows = diff.where(col(ACTION).notEqual("D")).select(columns.toArray(Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // range bounds are sampled from the rows: persisted, so the folds run once
      DeltaWriter.append(ranges > 0 ? rows.repartitionByRange(ranges, keys).sortWithinPartitions(keys) : rows, target, false,
          batchId < 0 ? Txn.NONE : new Txn(appId, batchId));
      java.util.OptionalLong after = DeltaTables.version(spark, target);
      if (after.equals(before)) {
        return java.util.Optional.empty(); // already committed for (appId, batchId)
      }
      return java.util.Optional.of(new Applied(DeltaTables.rowsWrittenSince(spark, target, before), 0, 0));
    } finally {
      rows.unpersist();
    }
  }

  /** The fewest key ranges a first batch written in ranges is split into ({@link #rangeFiles(long, long, long)}). */
  public static final int MIN_RANGES = 8;

  /**
   * The number of key ranges (one file each, in the target and in the stored changes) a first batch
   * of {@code changes} new changes is written in; 0 for none ({@link #rangeFiles(long, long, long)},
   * with Spark's size estimate of a stored change and adaptive execution's advisory partition
   * size, {@code spark.sql.adaptive.advisoryPartitionSizeInBytes}).
   */
  private int rangeFiles(long changes) {
    Object advisory = spark.sessionState().conf().getConf(
        org.apache.spark.sql.internal.SQLConf.ADVISORY_PARTITION_SIZE_IN_BYTES());
    return rangeFiles(changes, changesSchema().defaultSize(), ((Number) advisory).longValue());
  }

  /**
   * The key ranges a first batch is written in: none (0) when its {@code changes} of {@code
   * rowBytes} each come to at most {@code advisory} bytes, since one file holds them and the
   * range's sampling job and shuffle would be a fixed cost for nothing (the crm demo's first run
   * took 3-6 s longer with them); else one range per {@code advisory} bytes, and at least {@link
   * #MIN_RANGES}, so that a later batch whose changes fall on some keys (recent ids, a hot set)
   * rewrites about an eighth of the table or less (docs/cdc.md, "How many ranges"). The number
   * does not depend on the cluster's cores, as adaptive execution's coalescing of the ranges did
   * (three files, so half the table rewritten, for the benchmark's first batch on 2 cores). The
   * upper cap only guards the conversion to {@code int}.
   */
  static int rangeFiles(long changes, long rowBytes, long advisory) {
    double bytes = (double) changes * rowBytes;
    if (bytes <= advisory) {
      return 0;
    }
    return (int) Math.max(MIN_RANGES, Math.min(Integer.MAX_VALUE / 2, Math.ceil(bytes / advisory)));
  }

  /** Rows a batch's write inserted, updated and deleted in the target. */
  private record Applied(long inserted, long updated, long deleted) {}

  /**
   * MERGEs the diff into the target; returns Delta's row counts, or empty when Delta skipped the
   * MERGE as already committed for this (app id, batch). {@code range} ({@link #keyRange}) is added
   * to the match condition when not empty.
   */
  private java.util.Optional<Applied> merge(Dataset<Row> delta, List<String> on, String range, String appId,
      long batchId) {
    String view = view("merge");
    delta.createOrReplaceTempView(view);
    // Settings go on a clone of the session, so concurrent stages never see them: the txn confs,
    // and a join co-partitioned on the keys alone. Both folds come out hash-partitioned by the
    // keys (their windows), so the diff's join on the keys (and __START_AT) needs no shuffle of its
    // own: two Spark jobs fewer per batch (docs/cdc.md, "Shuffles a batch does not need")
    SparkSession session = spark.cloneSession();
    session.conf().set(CO_PARTITION_ON_ALL_KEYS, "false");
    if (batchId >= 0) {
      session.conf().set(TXN_APP_ID, appId);
      session.conf().set(TXN_VERSION, batchId);
    }
    List<String> columns = new ArrayList<>(c.target);
    if (spec.scd2()) {
      columns.add(START);
      columns.add(END);
    }
    String set = columns.stream().map(n -> "t." + quote(n) + " = s." + quote(n)).collect(Collectors.joining(", "));
    String names = columns.stream().map(CdcColumns::quote).collect(Collectors.joining(", "));
    String values = columns.stream().map(n -> "s." + quote(n)).collect(Collectors.joining(", "));
    try {
      return session.sql("MERGE INTO " + target.quoted() + " t USING " + quote(view) + " s ON " + on("t", "s", on)
          + (range.isEmpty() ? "" : " AND " + range)
          + " WHEN MATCHED AND s." + ACTION + " = 'D' THEN DELETE"
          + " WHEN MATCHED THEN UPDATE SET " + set
          + " WHEN NOT MATCHED AND s." + ACTION + " <> 'D' THEN INSERT (" + names + ") VALUES (" + values + ")")
          .collectAsList().stream().findFirst()
          .map(r -> new Applied(r.<Long>getAs("num_inserted_rows"), r.<Long>getAs("num_updated_rows"),
              r.<Long>getAs("num_deleted_rows")));
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  private static String on(String t, String s, List<String> columns) {
    return columns.stream().map(n -> t + "." + quote(n) + " = " + s + "." + quote(n)).collect(Collectors.joining(" AND "));
  }

  private String view(String what) {
    return view(target, what);
  }

  private static String view(TableName target, String what) {
    return ("__medallion_cdc_" + what + "_" + target.catalog() + "_" + target.schema() + "_" + target.table())
        .replace('-', '_');
  }
}
