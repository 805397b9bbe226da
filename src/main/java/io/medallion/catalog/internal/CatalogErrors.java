package io.medallion.catalog.internal;

/**
 * Every error message of {@link io.medallion.catalog.WarehouseCatalog}, in one place: each says what
 * is wrong, why, and how to fix it. Internal: no compatibility promise.
 */
public final class CatalogErrors {
  private CatalogErrors() {}

  public static IllegalArgumentException missingWarehouse(String catalog) {
    String key = "spark.sql.catalog." + catalog + ".warehouse";
    return new IllegalArgumentException(
        "Catalog '" + catalog + "' (io.medallion.catalog.WarehouseCatalog) has no warehouse:"
            + " set " + key + " to a local path or an s3a:// URI, e.g. --conf " + key
            + "=s3a://my-bucket/warehouse, or call WarehouseCatalog.register(spark, \"" + catalog
            + "\", \"s3a://my-bucket/warehouse\")");
  }

  public static IllegalArgumentException invalidCatalogName(String catalog) {
    return new IllegalArgumentException(
        "Catalog name '" + catalog + "' may only contain letters, digits, '_' and '-'"
            + " (1 to 255 characters): WarehouseCatalog names are the first part of"
            + " catalog.schema.table");
  }

  public static IllegalArgumentException invalidPart(String fullName, String what, String part) {
    return new IllegalArgumentException(
        "Name '" + fullName + "': " + what + " '" + part + "' may only contain letters, digits,"
            + " '_' and '-' (1 to 255 characters)");
  }

  public static IllegalArgumentException wrongTableNameParts(String catalog, String fullName,
      int parts) {
    return new IllegalArgumentException(
        "Table name '" + fullName + "' has " + parts + " part" + (parts == 1 ? "" : "s")
            + ": expected catalog.schema.table (e.g. " + catalog + ".sales.orders); catalog '"
            + catalog + "' has exactly one schema level");
  }

  public static IllegalArgumentException wrongSchemaLevels(String catalog, String fullName,
      int levels) {
    return new IllegalArgumentException(
        "Schema name '" + fullName + "' has " + levels + " levels: expected catalog.schema.table"
            + " (e.g. " + catalog + ".sales.orders); catalog '" + catalog
            + "' has exactly one schema level");
  }

  public static IllegalArgumentException notDelta(String fullName, String provider) {
    return new IllegalArgumentException(
        "Cannot create " + fullName + " with provider '" + provider + "': WarehouseCatalog stores"
            + " only Delta tables; in SQL write USING delta (or omit USING), in DataFrame and stream"
            + " writers set .format(\"delta\")");
  }

  public static IllegalArgumentException locationNotAllowed(String fullName, String expected) {
    return new IllegalArgumentException(
        "Cannot set a LOCATION for " + fullName + ": WarehouseCatalog places every table at"
            + " <warehouse>/<schema>/<table> (here " + expected + "); remove the LOCATION clause,"
            + " or use a path table (delta.`<path>`) for data outside the warehouse");
  }

  public static IllegalArgumentException schemaLocationNotAllowed(String fullName) {
    return new IllegalArgumentException(
        "Cannot set a LOCATION for schema " + fullName + ": WarehouseCatalog places every schema"
            + " at <warehouse>/<schema>; remove the LOCATION clause");
  }

  public static IllegalArgumentException noSuchSchemaForRename(String fullName) {
    return new IllegalArgumentException(
        "Cannot rename to " + fullName + ": its schema does not exist; create it first with"
            + " CREATE SCHEMA");
  }

  public static IllegalStateException pathTablesDisabled() {
    return new IllegalStateException(
        "WarehouseCatalog needs spark.sql.runSQLOnFiles=true (the default): it creates and"
            + " alters tables through Delta's path identifiers");
  }

  public static IllegalStateException alreadyLoaded(String catalog, String loadedWarehouse,
      String requestedWarehouse) {
    return new IllegalStateException(
        "Catalog '" + catalog + "' is already loaded in this SparkSession with warehouse "
            + loadedWarehouse + ": Spark keeps a loaded catalog for the session's lifetime, so "
            + requestedWarehouse + " would be ignored; use another catalog name or a new session"
            + " (spark.newSession())");
  }

  public static IllegalStateException notAWarehouseCatalog(String catalog, String className) {
    return new IllegalStateException(
        "Catalog '" + catalog + "' is already loaded in this SparkSession as " + className
            + ", not as io.medallion.catalog.WarehouseCatalog; use another catalog name");
  }
}
