package io.medallion.connector.files.internal;

import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Partition columns from Hive-style {@code key=value} folders under the source root, as Auto
 * Loader infers them: {@code <root>/year=2024/month=01/f.json} gives {@code year} and
 * {@code month}. Their names come from {@code cloudFiles.partitionColumns} or, by default, from the
 * files sampled at the first start (when those disagree on the keys, there are none); their types
 * are strings unless {@code cloudFiles.inferColumnTypes} (then int, bigint, double, date or string,
 * as Spark infers partition values), and {@code cloudFiles.schemaHints} pin them. Each file's values
 * come from its own path, so a file in a folder that did not exist at the first start is read with
 * its values; a file without the folder has NULL there.
 */
final class Partitions {
  private static final Logger LOG = LoggerFactory.getLogger(Partitions.class);
  static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  private Partitions() {}

  /** The {@code key=value} folders of a file below the root, in path order. */
  static Map<String, String> of(String root, String file) {
    String rootPath = new Path(root).toUri().getPath();
    String filePath = new Path(file).toUri().getPath();
    String rel = filePath.startsWith(rootPath) ? filePath.substring(rootPath.length()) : filePath;
    String[] parts = rel.split("/");
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < parts.length - 1; i++) { // the last part is the file's name
      int eq = parts[i].indexOf('=');
      if (eq > 0) {
        out.put(unescape(parts[i].substring(0, eq)), unescape(parts[i].substring(eq + 1)));
      }
    }
    return out;
  }

  private static String unescape(String s) {
    try {
      return s.indexOf('%') < 0 ? s : new URI("file:///" + s.replace(" ", "%20")).getPath().substring(1);
    } catch (java.net.URISyntaxException e) {
      return s;
    }
  }

  /**
   * The partition columns of the sampled files: the named ones, or the keys every sampled file has
   * (none when the files disagree), typed as described in the class comment.
   */
  static StructType infer(String root, List<String> files, List<String> named, boolean inferTypes) {
    List<Map<String, String>> all = files.stream().map(f -> of(root, f)).toList();
    List<String> names = named;
    if (names == null) {
      names = all.isEmpty() ? List.of() : new ArrayList<>(all.get(0).keySet());
      for (Map<String, String> m : all) {
        if (!new ArrayList<>(m.keySet()).equals(names)) {
          LOG.warn("cloudFiles {}: the files' key=value folders differ ({} and {}); no partition columns"
              + " are inferred (name them with cloudFiles.partitionColumns)", root, names, m.keySet());
          return new StructType();
        }
      }
    }
    StructType out = new StructType();
    for (String name : names) {
      DataType type = null;
      for (Map<String, String> m : all) {
        String v = m.get(name);
        if (v != null && !v.equals(DEFAULT_PARTITION)) {
          type = widen(type, inferTypes ? typeOf(v) : DataTypes.StringType);
        }
      }
      out = out.add(new StructField(name, type == null ? DataTypes.StringType : type, true, Metadata.empty()));
    }
    return out;
  }

  private static DataType typeOf(String v) {
    if (v.matches("-?\\d{1,18}")) {
      long l = Long.parseLong(v);
      return l == (int) l ? DataTypes.IntegerType : DataTypes.LongType;
    }
    if (v.matches("-?\\d+\\.\\d+([eE][-+]?\\d+)?")) {
      return DataTypes.DoubleType;
    }
    try {
      LocalDate.parse(v);
      return DataTypes.DateType;
    } catch (DateTimeParseException e) {
      return DataTypes.StringType;
    }
  }

  private static DataType widen(DataType a, DataType b) {
    if (a == null || a.equals(b)) {
      return b;
    }
    List<DataType> numeric = List.of(DataTypes.IntegerType, DataTypes.LongType, DataTypes.DoubleType);
    if (numeric.contains(a) && numeric.contains(b)) {
      return numeric.get(Math.max(numeric.indexOf(a), numeric.indexOf(b)));
    }
    return DataTypes.StringType;
  }

  /** One file's partition values, cast to the columns' types (NULL when missing or not castable). */
  static InternalRow values(String root, String file, StructType partitions, String timeZone) {
    if (partitions.isEmpty()) {
      return InternalRow.empty();
    }
    Map<String, String> kv = of(root, file);
    Object[] values = new Object[partitions.length()];
    for (int i = 0; i < values.length; i++) {
      StructField f = partitions.fields()[i];
      String v = kv.get(f.name());
      if (v == null) {
        for (Map.Entry<String, String> e : kv.entrySet()) {
          if (e.getKey().equalsIgnoreCase(f.name())) {
            v = e.getValue();
          }
        }
      }
      if (v != null && !v.equals(DEFAULT_PARTITION)) {
        values[i] = new Cast(Literal.create(v, DataTypes.StringType), f.dataType(), Option.apply(timeZone))
            .eval(InternalRow.empty());
      }
    }
    return new GenericInternalRow(values);
  }

  /** The columns of {@code a}, then those of {@code b}. */
  static StructType concat(StructType a, StructType b) {
    StructType out = a;
    for (StructField f : b.fields()) {
      out = out.add(f);
    }
    return out;
  }

  /** The schema's columns without the partition columns. */
  static StructType without(StructType schema, StructType partitions) {
    List<String> names = Arrays.asList(partitions.fieldNames());
    return new StructType(Arrays.stream(schema.fields()).filter(f -> !names.contains(f.name()))
        .toArray(StructField[]::new));
  }
}
