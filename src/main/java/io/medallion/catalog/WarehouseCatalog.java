package io.medallion.catalog;

import io.medallion.catalog.internal.CatalogErrors;
import io.medallion.catalog.internal.WarehouseLayout;
import io.medallion.internal.ActiveSession;
import io.medallion.table.TableName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.NamespaceAlreadyExistsException;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.NonEmptyNamespaceException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.catalyst.catalog.CatalogStorageFormat;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.connector.catalog.CatalogPlugin;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.NamespaceChange;
import org.apache.spark.sql.connector.catalog.StagedTable;
import org.apache.spark.sql.connector.catalog.StagingTableCatalog;
import org.apache.spark.sql.connector.catalog.SupportsNamespaces;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableCatalogCapability;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaTimeTravelSpec;
import org.apache.spark.sql.delta.catalog.DeltaCatalog;
import org.apache.spark.sql.delta.catalog.DeltaTableV2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * A Spark catalog that gives open-source Spark real three-level names, {@code
 * catalog.schema.table}, for Delta tables kept under one warehouse root (a local path or an {@code
 * s3a://} URI). On Databricks, Unity Catalog provides the same names natively: do not use this
 * class there.
 *
 * <h2>Configuration</h2>
 *
 * <pre>
 * spark.sql.catalog.dev_bronze=io.medallion.catalog.WarehouseCatalog
 * spark.sql.catalog.dev_bronze.warehouse=s3a://my-bucket/warehouse/bronze
 * spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension   (MERGE, UPDATE, DELETE, ...)
 * </pre>
 *
 * or, at runtime, {@link #register}. Several catalogs may be registered side by side.
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li>Table {@code <catalog>.<schema>.<table>} is the Delta table at {@code
 *       <warehouse>/<schema>/<table>} ({@link #tableLocation}). Names are case-insensitive and
 *       validated like {@link TableName} (letters, digits, {@code _}, {@code -}), so no name can
 *       leave the warehouse. Exactly one schema level: other shapes fail with "expected
 *       catalog.schema.table".
 *   <li>Schemas exist through a marker file {@code <warehouse>/<schema>/_schema.properties} holding
 *       their comment and properties (object stores have no directories). A schema must exist
 *       before tables are created in it. {@code DROP SCHEMA} fails on a schema holding anything but
 *       its marker unless {@code CASCADE}, which deletes all its tables' data.
 *   <li>Every table is a Delta table ({@code USING delta} or no {@code USING}; another provider
 *       fails), and the catalog owns its location: {@code LOCATION} is rejected, and {@code DROP
 *       TABLE} (with or without {@code PURGE}) deletes the table's directory, data and history, as
 *       for a managed table.
 *   <li>CTAS, RTAS and {@code CREATE OR REPLACE} are atomic: Delta writes the data and the table
 *       in one commit ({@link StagingTableCatalog}). Replacing keeps the table's history.
 *   <li>Loaded tables are Delta's own {@code DeltaTableV2} carrying an external {@code
 *       CatalogTable}, so batch and streaming reads and writes, MERGE/UPDATE/DELETE, {@code
 *       VERSION|TIMESTAMP AS OF}, DESCRIBE HISTORY/DETAIL and ALTER TABLE behave as in Delta.
 * </ul>
 *
 * <h2>Hazards</h2>
 *
 * <ul>
 *   <li>Spark loads a catalog once per session, on first use; changing its warehouse afterwards has
 *       no effect ({@link #register} detects this and fails).
 *   <li>On S3, creating a schema and renaming a table are not atomic (a rename copies every
 *       object), and Delta's default S3 log store is safe for one writing driver per table only.
 *   <li>There is no metastore: whoever can write to the warehouse can create or delete tables.
 *   <li>{@code DeltaTable.forName("a.b.c")} does not parse three-part names in Delta 3.3: use
 *       {@code DeltaTable.forPath(spark, tableLocation(...))} or SQL. Leave Delta's internal {@code
 *       spark.databricks.delta.catalog.update.enabled} off (the default): it would try to write this
 *       catalog's tables into the session catalog.
 * </ul>
 */
public final class WarehouseCatalog implements StagingTableCatalog, SupportsNamespaces {
  /** The catalog option naming the warehouse root: {@code spark.sql.catalog.<name>.warehouse}. */
  public static final String WAREHOUSE_OPTION = "warehouse";

  private static final String DELTA = "delta";

  private String name;
  private String configuredWarehouse;
  private SparkSession spark;
  private WarehouseLayout layout;
  private DeltaCatalog delta;

  /** Called by Spark, which then calls {@link #initialize}. */
  public WarehouseCatalog() {}

  /**
   * Registers catalog {@code catalogName} over {@code warehouseUri} in {@code spark}'s runtime
   * configuration, then loads it, so that a wrong warehouse fails here rather than at first use.
   * For S3, configure the session's Hadoop {@code fs.s3a.*} settings before calling this.
   *
   * <p>Calling it again with the same warehouse does nothing. It works from any thread: the catalog
   * is loaded with {@code spark} as the thread's active session (Spark loads catalogs from the active
   * session's configuration, and a thread may have another one, or none).
   *
   * @throws IllegalStateException if the name is already loaded in this session with another
   *     warehouse or as another catalog class (Spark would keep using the loaded one)
   */
  public static void register(SparkSession spark, String catalogName, String warehouseUri) {
    Objects.requireNonNull(spark, "spark");
    if (!WarehouseLayout.isValidPart(catalogName)) {
      throw CatalogErrors.invalidCatalogName(catalogName);
    }
    if (warehouseUri == null || warehouseUri.isBlank()) {
      throw CatalogErrors.missingWarehouse(catalogName);
    }
    String key = "spark.sql.catalog." + catalogName;
    spark.conf().set(key, WarehouseCatalog.class.getName());
    spark.conf().set(key + "." + WAREHOUSE_OPTION, warehouseUri);
    // Spark loads the catalog from the thread's active session's configuration: this thread may
    // have another one, or none
    CatalogPlugin loaded = ActiveSession.with(spark, () -> spark.sessionState().catalogManager().catalog(catalogName));
    if (!(loaded instanceof WarehouseCatalog)) {
      throw CatalogErrors.notAWarehouseCatalog(catalogName, loaded.getClass().getName());
    }
    String loadedWarehouse = ((WarehouseCatalog) loaded).configuredWarehouse;
    if (!loadedWarehouse.equals(warehouseUri)) {
      throw CatalogErrors.alreadyLoaded(catalogName, loadedWarehouse, warehouseUri);
    }
  }

  /**
   * The location of {@code name}'s table under {@code warehouseUri}: {@code
   * <warehouseUri>/<schema>/<table>}. The catalog part of {@code name} is not used; the URI is
   * not qualified (a catalog over {@code /data/wh} stores tables at {@code file:/data/wh/...}).
   */
  public static String tableLocation(String warehouseUri, TableName name) {
    String root = warehouseUri.endsWith("/")
        ? warehouseUri.substring(0, warehouseUri.length() - 1) : warehouseUri;
    return root + "/" + name.schema() + "/" + name.table();
  }

  @Override
  public void initialize(String name, CaseInsensitiveStringMap options) {
    if (!WarehouseLayout.isValidPart(name)) {
      throw CatalogErrors.invalidCatalogName(name);
    }
    String warehouse = options.get(WAREHOUSE_OPTION);
    if (warehouse == null || warehouse.isBlank()) {
      throw CatalogErrors.missingWarehouse(name);
    }
    this.name = name;
    this.configuredWarehouse = warehouse;
    this.spark = SparkSession.active();
    this.layout = WarehouseLayout.open(warehouse, spark.sessionState().newHadoopConf());
  }

  @Override
  public String name() {
    return name;
  }

  /** The qualified warehouse root, e.g. {@code file:/data/wh} or {@code s3a://bucket/wh}. */
  public String warehouse() {
    return layout.root().toString();
  }

  /**
   * Column {@code DEFAULT} values are accepted; Delta stores them when the table enables its
   * {@code allowColumnDefaults} feature ({@code TBLPROPERTIES
   * ('delta.feature.allowColumnDefaults' = 'supported')}) and rejects them otherwise.
   */
  @Override
  public Set<TableCatalogCapability> capabilities() {
    return Set.of(TableCatalogCapability.SUPPORT_COLUMN_DEFAULT_VALUE);
  }

  // ---- tables ----

  @Override
  public Identifier[] listTables(String[] namespace) throws NoSuchNamespaceException {
    String schema = existingSchema(namespace);
    return layout.tables(schema).stream()
        .map(table -> Identifier.of(new String[] {schema}, table))
        .toArray(Identifier[]::new);
  }

  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    TableName table = tableName(ident);
    Path dir = existingTableDir(table);
    return deltaTable(table, dir, Option.empty());
  }

  /** Time travel to {@code version} ({@code VERSION AS OF}). */
  @Override
  public Table loadTable(Identifier ident, String version) throws NoSuchTableException {
    long v;
    try {
      v = Long.parseLong(version.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "VERSION AS OF '" + version + "': a Delta table version is a whole number", e);
    }
    return timeTravel(ident, new DeltaTimeTravelSpec(Option.empty(), Option.<Object>apply(v),
        Option.apply("sql")));
  }

  /** Time travel to {@code timestamp}, microseconds since the epoch ({@code TIMESTAMP AS OF}). */
  @Override
  public Table loadTable(Identifier ident, long timestamp) throws NoSuchTableException {
    // An exact timestamp literal: no round trip through a string and a time zone.
    Literal at = new Literal(timestamp, DataTypes.TimestampType);
    return timeTravel(ident, new DeltaTimeTravelSpec(Option.apply(at), Option.empty(),
        Option.apply("sql")));
  }

  @Override
  public boolean tableExists(Identifier ident) {
    TableName table = tableName(ident);
    return layout.isDeltaTable(layout.tableDir(table.schema(), table.table()));
  }

  @Override
  public Table createTable(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) throws TableAlreadyExistsException, NoSuchNamespaceException {
    TableName table = tableName(ident);
    Path dir = newTableDir(ident, table);
    delta().createTable(pathIdent(dir), schema, partitions, deltaProperties(table, dir, properties));
    return deltaTable(table, dir, Option.empty());
  }

  @Override
  public StagedTable stageCreate(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) throws TableAlreadyExistsException, NoSuchNamespaceException {
    TableName table = tableName(ident);
    Path dir = newTableDir(ident, table);
    return delta().stageCreate(pathIdent(dir), schema, partitions,
        deltaProperties(table, dir, properties));
  }

  @Override
  public StagedTable stageReplace(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) throws NoSuchNamespaceException, NoSuchTableException {
    TableName table = tableName(ident);
    Path dir = existingTableDir(table);
    return delta().stageReplace(pathIdent(dir), schema, partitions,
        deltaProperties(table, dir, properties));
  }

  @Override
  public StagedTable stageCreateOrReplace(Identifier ident, StructType schema,
      Transform[] partitions, Map<String, String> properties) throws NoSuchNamespaceException {
    TableName table = tableName(ident);
    requireSchema(table.schema());
    Path dir = layout.tableDir(table.schema(), table.table());
    return delta().stageCreateOrReplace(pathIdent(dir), schema, partitions,
        deltaProperties(table, dir, properties));
  }

  /** Applies {@code changes} through Delta (ADD COLUMNS, SET TBLPROPERTIES, ...); not LOCATION. */
  @Override
  public Table alterTable(Identifier ident, TableChange... changes) throws NoSuchTableException {
    TableName table = tableName(ident);
    Path dir = existingTableDir(table);
    for (TableChange change : changes) {
      if (change instanceof TableChange.SetProperty
          && TableCatalog.PROP_LOCATION.equals(((TableChange.SetProperty) change).property())) {
        throw CatalogErrors.locationNotAllowed(table.toString(), dir.toString());
      }
    }
    delta().alterTable(pathIdent(dir), changes);
    return deltaTable(table, dir, Option.empty());
  }

  /** Deletes the table's directory: its data and history are gone. False if there is no table. */
  @Override
  public boolean dropTable(Identifier ident) {
    TableName table = tableName(ident);
    Path dir = layout.tableDir(table.schema(), table.table());
    if (!layout.isDeltaTable(dir)) {
      return false;
    }
    layout.delete(dir);
    DeltaLog.invalidateCache(spark, dir);
    return true;
  }

  /** The same as {@link #dropTable}: dropping always deletes the data. */
  @Override
  public boolean purgeTable(Identifier ident) {
    return dropTable(ident);
  }

  /**
   * Moves the table's directory to the new name (within this catalog; the new schema must exist).
   * Atomic on local and HDFS file systems; on S3 it copies every object, is not atomic and must
   * not run while anything reads or writes the table. Restart streams that use the old name.
   */
  @Override
  public void renameTable(Identifier oldIdent, Identifier newIdent)
      throws NoSuchTableException, TableAlreadyExistsException {
    TableName from = tableName(oldIdent);
    String[] ns = newIdent.namespace();
    if (ns.length == 2 && ns[0].equalsIgnoreCase(name)) {
      // RENAME TO catalog.schema.table: Spark passes the catalog as a namespace level.
      newIdent = Identifier.of(new String[] {ns[1]}, newIdent.name());
    }
    TableName to = tableName(newIdent);
    Path source = existingTableDir(from);
    if (!layout.schemaExists(to.schema())) {
      throw CatalogErrors.noSuchSchemaForRename(to.toString());
    }
    Path target = layout.tableDir(to.schema(), to.table());
    if (layout.exists(target)) {
      throw new TableAlreadyExistsException(newIdent);
    }
    DeltaLog.invalidateCache(spark, source);
    layout.rename(source, target);
    DeltaLog.invalidateCache(spark, target);
  }

  // ---- namespaces ----

  @Override
  public String[][] listNamespaces() {
    return layout.schemas().stream().map(s -> new String[] {s}).toArray(String[][]::new);
  }

  /** Schemas have no children: an existing schema lists none. */
  @Override
  public String[][] listNamespaces(String[] namespace) throws NoSuchNamespaceException {
    if (namespace.length == 0) {
      return listNamespaces();
    }
    existingSchema(namespace);
    return new String[0][];
  }

  @Override
  public boolean namespaceExists(String[] namespace) {
    return namespace.length != 0 && layout.schemaExists(schema(namespace));
  }

  /** The schema's stored properties (comment, owner, ...) plus its {@code location}. */
  @Override
  public Map<String, String> loadNamespaceMetadata(String[] namespace)
      throws NoSuchNamespaceException {
    String schema = existingSchema(namespace);
    Map<String, String> metadata = new LinkedHashMap<>(layout.readSchemaProperties(schema));
    metadata.put(SupportsNamespaces.PROP_LOCATION, layout.schemaDir(schema).toString());
    return metadata;
  }

  @Override
  public void createNamespace(String[] namespace, Map<String, String> properties)
      throws NamespaceAlreadyExistsException {
    String schema = schema(namespace);
    if (properties.containsKey(SupportsNamespaces.PROP_LOCATION)) {
      throw CatalogErrors.schemaLocationNotAllowed(name + "." + schema);
    }
    if (!layout.writeSchemaProperties(schema, properties, true)) {
      throw new NamespaceAlreadyExistsException(new String[] {name, schema});
    }
  }

  @Override
  public void alterNamespace(String[] namespace, NamespaceChange... changes)
      throws NoSuchNamespaceException {
    String schema = existingSchema(namespace);
    Map<String, String> properties = new HashMap<>(layout.readSchemaProperties(schema));
    for (NamespaceChange change : changes) {
      if (change instanceof NamespaceChange.SetProperty) {
        NamespaceChange.SetProperty set = (NamespaceChange.SetProperty) change;
        if (SupportsNamespaces.PROP_LOCATION.equals(set.property())) {
          throw CatalogErrors.schemaLocationNotAllowed(name + "." + schema);
        }
        properties.put(set.property(), set.value());
      } else if (change instanceof NamespaceChange.RemoveProperty) {
        properties.remove(((NamespaceChange.RemoveProperty) change).property());
      }
    }
    layout.writeSchemaProperties(schema, properties, false);
  }

  /**
   * Drops the schema. Without {@code cascade} fails if the schema directory holds anything but its
   * marker; with it, deletes every table in it (data included).
   */
  @Override
  public boolean dropNamespace(String[] namespace, boolean cascade)
      throws NoSuchNamespaceException, NonEmptyNamespaceException {
    String schema = schema(namespace);
    if (!layout.schemaExists(schema)) {
      return false;
    }
    if (!cascade && !layout.schemaEntries(schema).isEmpty()) {
      throw new NonEmptyNamespaceException(new String[] {name, schema});
    }
    List<String> tables = layout.tables(schema);
    layout.delete(layout.schemaDir(schema));
    for (String table : tables) {
      DeltaLog.invalidateCache(spark, layout.tableDir(schema, table));
    }
    return true;
  }

  // ---- helpers ----

  private TableName tableName(Identifier ident) {
    String[] ns = ident.namespace();
    if (ns.length != 1) {
      List<String> parts = new ArrayList<>(List.of(name));
      parts.addAll(Arrays.asList(ns));
      parts.add(ident.name());
      throw CatalogErrors.wrongTableNameParts(name, String.join(".", parts), parts.size());
    }
    return TableName.of(name, ns[0], ident.name());
  }

  private String schema(String[] namespace) {
    String full = name + "." + String.join(".", namespace);
    if (namespace.length != 1) {
      throw CatalogErrors.wrongSchemaLevels(name, full, namespace.length);
    }
    return WarehouseLayout.checkPart(namespace[0], "schema", full);
  }

  private String existingSchema(String[] namespace) throws NoSuchNamespaceException {
    String schema = schema(namespace);
    requireSchema(schema);
    return schema;
  }

  private void requireSchema(String schema) throws NoSuchNamespaceException {
    if (!layout.schemaExists(schema)) {
      throw new NoSuchNamespaceException(new String[] {name, schema});
    }
  }

  private Path existingTableDir(TableName table) throws NoSuchTableException {
    Path dir = layout.tableDir(table.schema(), table.table());
    if (!layout.isDeltaTable(dir)) {
      throw new NoSuchTableException(
          JavaConverters.asScalaBuffer(List.of(name, table.schema(), table.table())).toSeq());
    }
    return dir;
  }

  private Path newTableDir(Identifier ident, TableName table)
      throws NoSuchNamespaceException, TableAlreadyExistsException {
    requireSchema(table.schema());
    Path dir = layout.tableDir(table.schema(), table.table());
    if (layout.isDeltaTable(dir)) {
      throw new TableAlreadyExistsException(ident);
    }
    return dir;
  }

  /** Delta's path identifier, {@code delta.`<location>`}, for the privately held DeltaCatalog. */
  private Identifier pathIdent(Path dir) {
    if (!spark.sessionState().conf().runSQLonFile()) {
      throw CatalogErrors.pathTablesDisabled();
    }
    return Identifier.of(new String[] {DELTA}, dir.toString());
  }

  private Map<String, String> deltaProperties(TableName table, Path dir,
      Map<String, String> properties) {
    Map<String, String> props = new HashMap<>(properties);
    String provider = props.get(TableCatalog.PROP_PROVIDER);
    if (provider != null && !provider.equalsIgnoreCase(DELTA)) {
      throw CatalogErrors.notDelta(table.toString(), provider);
    }
    if (props.containsKey(TableCatalog.PROP_LOCATION)) {
      throw CatalogErrors.locationNotAllowed(table.toString(), dir.toString());
    }
    props.put(TableCatalog.PROP_PROVIDER, DELTA);
    props.remove(TableCatalog.PROP_EXTERNAL);
    props.remove(TableCatalog.PROP_IS_MANAGED_LOCATION);
    return props;
  }

  private Table timeTravel(Identifier ident, DeltaTimeTravelSpec spec)
      throws NoSuchTableException {
    TableName table = tableName(ident);
    return deltaTable(table, existingTableDir(table), Option.apply(spec));
  }

  /**
   * Delta's table with an EXTERNAL CatalogTable: streaming needs one (its V1 fallback), and the
   * name it carries, {@code catalog.schema.table}, appears in plans and errors. The schema is left
   * empty: Delta reads it from the log.
   */
  private DeltaTableV2 deltaTable(TableName table, Path dir, Option<DeltaTimeTravelSpec> travel) {
    CatalogStorageFormat storage = CatalogStorageFormat.apply(
        Option.apply(dir.toUri()), Option.empty(), Option.empty(), Option.empty(), false,
        scala.collection.immutable.Map$.MODULE$.empty());
    CatalogTable catalogTable = CatalogTable.apply(
        new TableIdentifier(table.table(), Option.apply(table.schema()), Option.apply(name)),
        CatalogTableType.EXTERNAL(), storage, new StructType(), Option.apply(DELTA),
        CatalogTable.apply$default$6(), CatalogTable.apply$default$7(),
        CatalogTable.apply$default$8(), CatalogTable.apply$default$9(),
        CatalogTable.apply$default$10(), CatalogTable.apply$default$11(),
        CatalogTable.apply$default$12(), CatalogTable.apply$default$13(),
        CatalogTable.apply$default$14(), CatalogTable.apply$default$15(),
        CatalogTable.apply$default$16(), CatalogTable.apply$default$17(),
        CatalogTable.apply$default$18(), CatalogTable.apply$default$19(),
        CatalogTable.apply$default$20());
    return new DeltaTableV2(spark, dir, Option.apply(catalogTable), Option.empty(), travel,
        scala.collection.immutable.Map$.MODULE$.empty());
  }

  /**
   * Delta's catalog, used through path identifiers only. Created on first use (not while Spark is
   * loading this catalog) with the session catalog as its delegate, which it needs even for paths.
   */
  private synchronized DeltaCatalog delta() {
    if (delta == null) {
      Option<SparkSession> previous = SparkSession.getActiveSession();
      SparkSession.setActiveSession(spark); // DeltaCatalog binds to the active session
      try {
        DeltaCatalog catalog = new DeltaCatalog();
        catalog.setDelegateCatalog(spark.sessionState().catalogManager().v2SessionCatalog());
        delta = catalog;
      } finally {
        if (previous.isDefined()) {
          SparkSession.setActiveSession(previous.get());
        } else {
          SparkSession.clearActiveSession();
        }
      }
    }
    return delta;
  }
}
