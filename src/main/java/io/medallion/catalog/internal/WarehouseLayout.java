package io.medallion.catalog.internal;

import io.medallion.table.TableName;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The directory layout of a warehouse: {@code <root>/<schema>/<table>}, one Delta table per table
 * directory, and one marker file {@code <root>/<schema>/_schema.properties} per schema holding the
 * schema's properties. Markers (not directories) define which schemas exist, because object stores
 * such as S3 have no directories.
 *
 * <p>Names are validated as {@link io.medallion.table.TableName} parts (letters, digits, {@code _}
 * and {@code -}) and lower-cased before they become path segments, so no name can leave the root.
 * Internal: no compatibility promise.
 */
public final class WarehouseLayout {
  /** The schema marker's file name; it cannot clash with a table directory (names have no dot). */
  public static final String SCHEMA_MARKER = "_schema.properties";

  private static final String DELTA_LOG = "_delta_log";

  private final Path root;
  private final FileSystem fs;

  private WarehouseLayout(Path root, FileSystem fs) {
    this.root = root;
    this.fs = fs;
  }

  /** Opens the layout rooted at {@code warehouse}, qualified against its file system. */
  public static WarehouseLayout open(String warehouse, Configuration conf) {
    Path path = new Path(warehouse);
    try {
      FileSystem fs = path.getFileSystem(conf);
      return new WarehouseLayout(fs.makeQualified(path), fs);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the warehouse file system for " + warehouse, e);
    }
  }

  /** Whether {@code part} is a valid schema or table name part. */
  public static boolean isValidPart(String part) {
    return TableName.isValidPart(part);
  }

  /** The lower-cased part, or an {@link IllegalArgumentException} naming it. */
  public static String checkPart(String part, String what, String fullName) {
    if (!isValidPart(part)) {
      throw CatalogErrors.invalidPart(fullName, what, part);
    }
    return part.toLowerCase(Locale.ROOT);
  }

  public Path root() {
    return root;
  }

  public Path schemaDir(String schema) {
    return new Path(root, schema);
  }

  public Path tableDir(String schema, String table) {
    return new Path(schemaDir(schema), table);
  }

  private Path marker(String schema) {
    return new Path(schemaDir(schema), SCHEMA_MARKER);
  }

  public boolean schemaExists(String schema) {
    return exists(marker(schema));
  }

  /** Whether {@code dir} holds a Delta table (has a {@code _delta_log}). */
  public boolean isDeltaTable(Path dir) {
    return exists(new Path(dir, DELTA_LOG));
  }

  /** Schemas in name order. */
  public List<String> schemas() {
    List<String> schemas = new ArrayList<>();
    for (FileStatus status : list(root)) {
      String name = status.getPath().getName();
      if (status.isDirectory() && isValidPart(name) && schemaExists(name)) {
        schemas.add(name);
      }
    }
    return schemas;
  }

  /** Tables of {@code schema} in name order: directories that hold a Delta table. */
  public List<String> tables(String schema) {
    List<String> tables = new ArrayList<>();
    for (FileStatus status : list(schemaDir(schema))) {
      String name = status.getPath().getName();
      if (status.isDirectory() && isValidPart(name) && isDeltaTable(status.getPath())) {
        tables.add(name);
      }
    }
    return tables;
  }

  /** Everything under the schema directory except the marker (tables and any leftovers). */
  public List<String> schemaEntries(String schema) {
    List<String> entries = new ArrayList<>();
    for (FileStatus status : list(schemaDir(schema))) {
      if (!status.getPath().getName().equals(SCHEMA_MARKER)) {
        entries.add(status.getPath().getName());
      }
    }
    return entries;
  }

  public Map<String, String> readSchemaProperties(String schema) {
    Properties props = new Properties();
    try (Reader in = new InputStreamReader(fs.open(marker(schema)), StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read schema marker " + marker(schema), e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    new TreeMap<>(props).forEach((k, v) -> map.put((String) k, (String) v));
    return map;
  }

  /**
   * Writes the schema marker. With {@code create}, fails if it exists (returns false); on S3 the
   * check and the write are two requests, so two concurrent creators may both succeed.
   */
  public boolean writeSchemaProperties(String schema, Map<String, String> properties,
      boolean create) {
    Properties props = new Properties();
    props.putAll(properties);
    try (Writer out = new OutputStreamWriter(fs.create(marker(schema), !create),
        StandardCharsets.UTF_8)) {
      props.store(out, "medallion WarehouseCatalog schema");
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (create && schemaExists(schema)) {
        return false;
      }
      throw new UncheckedIOException("Cannot write schema marker " + marker(schema), e);
    }
  }

  /** Deletes {@code path} recursively; false if it did not exist. */
  public boolean delete(Path path) {
    try {
      return fs.delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path, e);
    }
  }

  /** Renames a directory: atomic on local and HDFS file systems, a copy then a delete on S3. */
  public void rename(Path from, Path to) {
    try {
      if (!fs.rename(from, to)) {
        throw new IOException("the file system refused the rename");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot rename " + from + " to " + to, e);
    }
  }

  public boolean exists(Path path) {
    try {
      return fs.exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + path, e);
    }
  }

  private List<FileStatus> list(Path dir) {
    try {
      List<FileStatus> statuses = new ArrayList<>(List.of(fs.listStatus(dir)));
      statuses.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
      return statuses;
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
  }
}
