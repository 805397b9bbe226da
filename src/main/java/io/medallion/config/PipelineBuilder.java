package io.medallion.config;

import io.medallion.pipeline.GoldTable;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.Layer;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.SourceDefinition;
import io.medallion.pipeline.TableDefinition;
import io.medallion.pipeline.TableRef;
import io.medallion.pipeline.Trigger;
import io.medallion.pipeline.WriteMode;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableSpec;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.quality.Action;
import io.medallion.quality.DatasetCheck;
import io.medallion.quality.Expectation;
import io.medallion.quality.QualityRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds a {@link PipelineDefinition} in code; start with {@link #pipeline}.
 * Whatever is not set takes the default of {@code reference.conf}, exactly as in a pipeline file,
 * and {@link #build()} runs the same checks. Mistakes throw {@link ConfigurationException} with
 * the config path a file would have ({@code pipeline.silver.orders.from}).
 *
 * <p>A builder is mutable and not thread-safe; the definition it builds is immutable.
 */
public final class PipelineBuilder {
  private final String name;
  private final String origin;
  private final TableAssembler assembler = new TableAssembler(Defaults.reference());
  private final List<TableDefinition> tables = new ArrayList<>();
  private String schema;

  /**
   * Starts a pipeline built in code, with the defaults of {@code reference.conf} for everything not
   * set (the same a pipeline file gets):
   *
   * <pre>{@code
   * PipelineDefinition p = PipelineBuilder.pipeline("retail")
   *     .schema("sales")
   *     .bronze("orders", FileSource.of("/landing/orders", "json"))
   *     .silver("orders", s -> s.from("bronze.orders").keys("order_id").sequenceBy("updated_at"))
   *     .gold("daily_revenue", "SELECT ... FROM {silver.orders} GROUP BY ...")
   *     .build();
   * }</pre>
   */
  public static PipelineBuilder pipeline(String name) {
    return new PipelineBuilder(name);
  }

  PipelineBuilder(String name) {
    this.name = name;
    this.origin = PipelineDefinition.codeOrigin(name);
  }

  /** The schema all tables live in, in each layer's catalog (required). */
  public PipelineBuilder schema(String schema) {
    this.schema = schema;
    return this;
  }

  /** Adds a bronze table filled from {@code source}, with default execution, trigger and layout. */
  public PipelineBuilder bronze(String table, SourceDefinition source) {
    return bronze(table, source, b -> {});
  }

  /** Adds a bronze table filled from {@code source}; {@code options} sets what differs from the defaults. */
  public PipelineBuilder bronze(String table, SourceDefinition source, Consumer<BronzeOptions> options) {
    TableRef ref = ref(Layer.BRONZE, table);
    BronzeOptions o = new BronzeOptions(assembler.spec(Layer.BRONZE), assembler.expectationAction());
    apply(ref, options, o);
    wrap(ref, () -> tables.add(assembler.bronze(ref, assembler.withDefaultOptions(source), o.execution, o.trigger,
        o.spec(), o.quality())));
    return this;
  }

  /**
   * Adds a silver table; {@code definition} must set {@link SilverOptions#from} and may set the
   * rest, e.g. {@code s -> s.from("bronze.orders").keys("order_id").sequenceBy("updated_at")}.
   */
  public PipelineBuilder silver(String table, Consumer<SilverOptions> definition) {
    TableRef ref = ref(Layer.SILVER, table);
    SilverOptions o = new SilverOptions(assembler.spec(Layer.SILVER), assembler.expectationAction());
    apply(ref, definition, o);
    if (o.cdc.isPresent()) {
      wrap(ref, () -> tables.add(cdcSilver(ref, o, o.cdc.get())));
      return this;
    }
    if (o.from == null) {
      throw ConfigErrors.silverWithoutFrom(origin, ref);
    }
    wrap(ref, () -> tables.add(assembler.silver(ref, o.from, o.sql, o.keys, o.sequenceBy, o.mode, o.execution,
        o.trigger, o.spec(), o.quality(), Optional.empty(), o.alsoFrom)));
    return this;
  }

  /** A CDC target: the checks a {@code cdc} block gets from {@code PipelineReader}, in code. */
  private SilverTable cdcSilver(TableRef ref, SilverOptions o, CdcSpec cdc) {
    if (!o.keys.isEmpty() && !o.keys.equals(cdc.keys())) {
      throw ConfigErrors.cdcRepeated("keys", o.keys, cdc.keys());
    }
    Optional<String> sequenceBy = cdc.sequenceBy().stream().findFirst();
    if (o.sequenceBy.isPresent() && !o.sequenceBy.equals(sequenceBy)) {
      throw ConfigErrors.cdcRepeated("sequenceBy", List.of(o.sequenceBy.get()), cdc.sequenceBy());
    }
    if (o.mode.isPresent()) {
      throw ConfigErrors.cdcWithMode(o.mode.get());
    }
    boolean folder = cdc.fromSnapshot().map(CdcSpec.FromSnapshot::isFolder).orElse(false);
    if (folder && (o.from != null || o.sql.isPresent())) {
      throw ConfigErrors.snapshotFolderReadsNoTable(o.from != null ? "from" : "sql");
    }
    if (!folder && o.from == null) {
      throw ConfigErrors.silverWithoutFrom(origin, ref);
    }
    Optional<Execution> execution = o.execution;
    if (cdc.snapshots()) {
      if (execution.equals(Optional.of(Execution.STREAMING))) {
        throw ConfigErrors.snapshotStreaming();
      }
      execution = Optional.of(Execution.BATCH);
    }
    return assembler.silver(ref, o.from, o.sql, cdc.keys(), sequenceBy, o.mode, execution, o.trigger, o.spec(),
        o.quality(), Optional.of(cdc), o.alsoFrom);
  }

  /** Adds a gold table computed by {@code sql} (tables named as {@code {layer.table}}). */
  public PipelineBuilder gold(String table, String sql) {
    return gold(table, sql, g -> {});
  }

  /** Adds a gold table computed by {@code sql}; {@code options} sets its comment and layout. */
  public PipelineBuilder gold(String table, String sql, Consumer<GoldOptions> options) {
    TableRef ref = ref(Layer.GOLD, table);
    GoldOptions o = new GoldOptions(assembler.spec(Layer.GOLD), assembler.expectationAction());
    apply(ref, options, o);
    wrap(ref, () -> tables.add(assembler.gold(ref, sql, o.spec(), o.quality(), o.refresh)));
    return this;
  }

  /**
   * The validated definition.
   *
   * @throws ConfigurationException for a bad name or schema, a bad SQL placeholder, an upsert
   *     without keys, a reference to a table that is not defined, or a cycle
   */
  public PipelineDefinition build() {
    return PipelineDefinition.of(name, schema, tables);
  }

  private TableRef ref(Layer layer, String table) {
    try {
      return new TableRef(layer, table);
    } catch (IllegalArgumentException e) {
      throw ConfigErrors.at(origin, "pipeline." + layer.key() + "." + table, e.getMessage());
    }
  }

  private <O> void apply(TableRef ref, Consumer<O> options, O o) {
    wrap(ref, () -> options.accept(o));
  }

  private void wrap(TableRef ref, Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      throw ConfigErrors.at(origin, "pipeline." + ref, e.getMessage());
    }
  }

  /** What every table has: comment, partitioning, properties, expectations and checks. */
  public abstract static class Options<T extends Options<T>> {
    private Optional<String> comment;
    private List<String> partitionBy;
    private final Map<String, String> properties;
    private List<String> clusterBy;
    private final Map<String, String> constraints;
    private boolean changeDataFeed;
    private final Map<String, String> columnComments;
    private List<String> zOrderBy;
    private final List<Expectation> expectations = new ArrayList<>();
    private final List<DatasetCheck> checks = new ArrayList<>();
    private final Action expectAction;

    Options(TableSpec defaults, Action expectAction) {
      this.expectAction = expectAction;
      comment = defaults.comment();
      partitionBy = defaults.partitionBy();
      properties = new LinkedHashMap<>(defaults.properties());
      clusterBy = defaults.clusterBy();
      constraints = new LinkedHashMap<>(defaults.constraints());
      changeDataFeed = defaults.changeDataFeed();
      columnComments = new LinkedHashMap<>(defaults.columnComments());
      zOrderBy = defaults.zOrderBy();
    }

    abstract T self();

    /** The table comment. */
    public T comment(String comment) {
      this.comment = Optional.of(comment);
      return self();
    }

    /** The partition columns (replacing the default, none). */
    public T partitionBy(String... columns) {
      this.partitionBy = List.of(columns);
      return self();
    }

    /** One Delta table property, e.g. {@code property("delta.appendOnly", "true")}. */
    public T property(String key, String value) {
      properties.put(key, value);
      return self();
    }

    /** Liquid clustering columns (Delta {@code CLUSTER BY}); a clustered table has no partitions. */
    public T clusterBy(String... columns) {
      this.clusterBy = List.of(columns);
      return self();
    }

    /** A Delta CHECK constraint, e.g. {@code constraint("positive_amount", "amount > 0")}. */
    public T constraint(String name, String expression) {
      constraints.put(name, expression);
      return self();
    }

    /** Records the table's change data feed (lets incremental gold tables read its updates and deletes). */
    public T changeDataFeed() {
      this.changeDataFeed = true;
      return self();
    }

    /** A column comment. */
    public T columnComment(String column, String comment) {
      columnComments.put(column, comment);
      return self();
    }

    /** The columns {@code medallion maintain} Z-orders an unclustered table by. */
    public T zOrderBy(String... columns) {
      this.zOrderBy = List.of(columns);
      return self();
    }

    /** A rule that warns: violating rows are kept and counted (DLT's {@code expect}). */
    public T expect(String name, String expression) {
      return expect(Expectation.of(name, expression, expectAction));
    }

    /** A rule whose violating rows are left out and counted (DLT's {@code expect_or_drop}). */
    public T expectOrDrop(String name, String expression) {
      return expect(Expectation.of(name, expression, Action.DROP));
    }

    /** A rule whose violating rows go to {@code <table>_quarantine} with the reasons. */
    public T expectOrQuarantine(String name, String expression) {
      return expect(Expectation.of(name, expression, Action.QUARANTINE));
    }

    /** A rule that fails the update when a row violates it (DLT's {@code expect_or_fail}). */
    public T expectOrFail(String name, String expression) {
      return expect(Expectation.of(name, expression, Action.FAIL));
    }

    /** Any rule, e.g. {@code Expectation.of("valid", "x > 0", Action.DROP).nullIsViolation()}. */
    public T expect(Expectation expectation) {
      expectations.add(expectation);
      return self();
    }

    /**
     * Several rules with one action, as DLT's {@code expect_all}, {@code expect_all_or_drop} and
     * {@code expect_all_or_fail}; {@code rules} maps rule names to expressions (keep its order
     * with a {@link java.util.LinkedHashMap}).
     */
    public T expectAll(String group, Action action, Map<String, String> rules) {
      rules.forEach((name, expr) -> expectations.add(Expectation.of(name, expr, action).inGroup(group)));
      return self();
    }

    /** A dataset check of each batch, e.g. {@code new DatasetCheck.RejectedShare("few_bad", Action.FAIL, 0.05)}. */
    public T check(DatasetCheck check) {
      checks.add(check);
      return self();
    }

    TableSpec spec() {
      return new TableSpec(comment, partitionBy, properties, clusterBy, constraints, changeDataFeed, columnComments,
          zOrderBy);
    }

    QualityRules quality() {
      return new QualityRules(expectations, checks);
    }
  }

  /** How a streaming-capable table runs: execution and trigger (shared by bronze and silver). */
  public abstract static class StreamingOptions<T extends StreamingOptions<T>> extends Options<T> {
    Optional<Execution> execution = Optional.empty();
    Optional<Trigger> trigger = Optional.empty();

    StreamingOptions(TableSpec defaults, Action expectAction) {
      super(defaults, expectAction);
    }

    /** Streaming (incremental, the default) or batch (recomputed on every run). */
    public T execution(Execution execution) {
      this.execution = Optional.of(execution);
      return self();
    }

    /** When a streaming table processes data; a batch table takes no trigger. */
    public T trigger(Trigger trigger) {
      this.trigger = Optional.of(trigger);
      return self();
    }
  }

  /** The options of a bronze table. */
  public static final class BronzeOptions extends StreamingOptions<BronzeOptions> {
    BronzeOptions(TableSpec defaults, Action expectAction) {
      super(defaults, expectAction);
    }

    @Override
    BronzeOptions self() {
      return this;
    }
  }

  /** The definition of a silver table: what it reads, how, and how rows are applied. */
  public static final class SilverOptions extends StreamingOptions<SilverOptions> {
    private TableRef from;
    private List<TableRef> alsoFrom = List.of();
    private Optional<String> sql = Optional.empty();
    private List<String> keys = List.of();
    private Optional<String> sequenceBy = Optional.empty();
    private Optional<WriteMode> mode = Optional.empty();
    private Optional<CdcSpec> cdc = Optional.empty();

    SilverOptions(TableSpec defaults, Action expectAction) {
      super(defaults, expectAction);
    }

    @Override
    SilverOptions self() {
      return this;
    }

    /** The table read incrementally, as {@code layer.table}, e.g. {@code "bronze.orders"} (required). */
    public SilverOptions from(String table) {
      this.from = TableRef.parse(table);
      this.alsoFrom = List.of();
      return this;
    }

    /**
     * Several tables read incrementally alike, e.g. {@code from("bronze.customers_cdc",
     * "bronze.customers_full")}: a streaming table reads the new rows of each, and its {@link #sql}
     * (then required) unions them. {@code from = [a, b]} in config.
     */
    public SilverOptions from(String table, String... more) {
      from(table);
      this.alsoFrom = java.util.Arrays.stream(more).map(TableRef::parse).toList();
      return this;
    }

    /** The SELECT computing the rows; it must read {@code {<from>}}. Default {@code SELECT * FROM {<from>}}. */
    public SilverOptions sql(String sql) {
      this.sql = Optional.of(sql);
      return this;
    }

    /** The columns identifying a row (required for upsert, the default mode). */
    public SilverOptions keys(String... columns) {
      this.keys = List.of(columns);
      return this;
    }

    /** The column ordering versions of a row: the latest wins. */
    public SilverOptions sequenceBy(String column) {
      this.sequenceBy = Optional.of(column);
      return this;
    }

    /** Upsert by keys (the default) or append. */
    public SilverOptions mode(WriteMode mode) {
      this.mode = Optional.of(mode);
      return this;
    }

    /**
     * Applies the rows as change events (AUTO CDC, SCD type 1 or 2) instead of upserting them: the
     * Java form of a {@code cdc} block, e.g. {@code s.from("bronze.cdc").cdc(CdcSpec.builder(List.of("id"),
     * List.of("seq")).applyAsDeletes("op = 'D'").scdType2().build())}. The table's keys and sequence
     * are the spec's ({@link #keys} and {@link #sequenceBy} may repeat them, not differ). With {@link
     * CdcSpec.FromSnapshot#fromTable()} the {@code from} table is re-read whole on each run; with
     * {@link CdcSpec.FromSnapshot#folder} the table reads a folder of snapshot versions and takes no
     * {@code from} or {@code sql}. Snapshot tables run in batch.
     */
    public SilverOptions cdc(CdcSpec spec) {
      this.cdc = Optional.of(java.util.Objects.requireNonNull(spec, "spec"));
      return this;
    }
  }

  /** The options of a gold table (always batch: its layout and how it is refreshed). */
  public static final class GoldOptions extends Options<GoldOptions> {
    private Optional<GoldTable.Refresh> refresh = Optional.empty();

    GoldOptions(TableSpec defaults, Action expectAction) {
      super(defaults, expectAction);
    }

    /** {@code AUTO} (the default): skip or refresh incrementally where possible; {@code FULL}: always recompute. */
    public GoldOptions refresh(GoldTable.Refresh mode) {
      this.refresh = Optional.of(mode);
      return this;
    }

    @Override
    GoldOptions self() {
      return this;
    }
  }
}
