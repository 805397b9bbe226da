package io.medallion.table.internal.cdc;

import io.medallion.table.CdcSpec;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A folder of snapshot versions: each subfolder {@code v=<n>} or {@code <n>} ({@code n} a whole
 * number, leading zeros allowed) holds the full snapshot of version n; with time versions each
 * subfolder is named by the time of its snapshot ({@code 2026-12-01}, {@code
 * snapshot_date=2026-12-01T06:30:00Z}, see {@link SnapshotVersions#parseFolderName}), and its version
 * is that time in microseconds since the epoch. Names starting with {@code _}
 * or {@code .} ({@code _SUCCESS}, {@code _temporary}, {@code .staging}) are ignored; any other name,
 * or a file at the top, is an error (a typo would otherwise hide a snapshot). A folder that does not
 * exist yet holds no versions.
 */
public final class SnapshotFolder {
  private SnapshotFolder() {}

  /** The folder's versions, ascending, with their paths; {@code where} is the config path for errors. */
  public static SortedMap<Long, String> versions(SparkSession spark, CdcSpec.FromSnapshot source, String where) {
    String root = source.path().orElseThrow();
    SortedMap<Long, String> out = new TreeMap<>();
    try {
      Path dir = new Path(root);
      FileSystem fs = dir.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus f : fs.listStatus(dir)) {
        String name = f.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        OptionalLong version = SnapshotVersions.parseFolderName(name, source.versionType());
        if (!f.isDirectory() || version.isEmpty()) {
          throw CdcErrors.notASnapshotVersion(where, root, name, f.isDirectory(), source.timeVersions());
        }
        long v = version.getAsLong();
        String before = out.put(v, f.getPath().toString());
        if (before != null) {
          throw CdcErrors.snapshotVersionTwice(where, root, SnapshotVersions.label(v, source.timeVersions()),
              new Path(before).getName(), name);
        }
      }
    } catch (IOException e) {
      throw CdcErrors.snapshotFolderUnreadable(where, root, e);
    }
    return out;
  }

  /** The snapshot in {@code versionPath}, read with the source's format, schema and options. */
  public static Dataset<Row> read(SparkSession spark, CdcSpec.FromSnapshot source, String versionPath) {
    DataFrameReader reader = spark.read().format(source.format().orElseThrow());
    for (Map.Entry<String, String> o : source.options().entrySet()) {
      reader = reader.option(o.getKey(), o.getValue());
    }
    if (source.schema().isPresent()) {
      reader = reader.schema(source.schema().get());
    }
    return reader.load(versionPath);
  }

  /**
   * The snapshots' columns: the schema if given, else those of the newest version; fails when
   * neither exists (nothing to read the columns from). The folder is listed in both cases, so that
   * {@code validate} fails on a subfolder whose name is not a version, as the run would.
   */
  public static StructType schema(SparkSession spark, CdcSpec.FromSnapshot source, String where) {
    SortedMap<Long, String> versions = versions(spark, source, where);
    if (source.schema().isPresent()) {
      return StructType.fromDDL(source.schema().get());
    }
    if (versions.isEmpty()) {
      throw CdcErrors.noSnapshotYet(where, source.path().orElseThrow());
    }
    return read(spark, source, versions.get(versions.lastKey())).schema();
  }
}
