package io.medallion.table.internal;

import io.medallion.table.TableName;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * A blind append of a few rows held by the driver (the event log's), without a Spark job: the rows
 * are written as one Parquet file into the table's directory by this thread, and that file is
 * committed as an {@code AddFile} in one Delta transaction, as a {@code WRITE} in append mode. The
 * file is what Spark writes for the same rows (standard 3-level lists, microsecond UTC timestamps,
 * snappy), so every reader reads it; its statistics hold the row count only.
 *
 * <p>A Spark write plans a query, generates code, runs a job and collects column statistics (whose
 * first use initialises Scala reflection): several seconds for the JVM's first write, most of the
 * wall time of a run that has nothing else to write. Here it is a file write and a commit.
 *
 * <p>Only for a table whose layout this file matches exactly: the same schema (names, types,
 * nullability, column metadata), no partition columns, a writer protocol of at most 2 (no column
 * mapping, generated or identity columns, CHECK constraints, row tracking or other table features).
 * For any other table {@link #append} writes nothing and returns false, and the caller uses Spark;
 * so it does, with a warning, when anything fails before the commit (the file is removed).
 */
public final class DriverAppend {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DriverAppend.class);

  private DriverAppend() {}

  /**
   * Appends {@code rows} (of {@code schema}) to the existing table {@code name} in one commit.
   *
   * @return false, having written nothing, when the table does not exist or its layout is not one
   *     this writer matches; the caller then writes the rows with Spark
   */
  public static boolean append(SparkSession spark, TableName name, StructType schema, List<Row> rows) {
    MessageType parquet = messageType(schema);
    DeltaLog log = DeltaTables.deltaLog(spark, name);
    if (parquet == null || log == null) {
      return false;
    }
    OptimisticTransaction txn;
    AddFile add;
    Path path = null;
    Configuration conf = null;
    try {
      txn = log.startTransaction();
      Metadata m = txn.metadata();
      if (txn.readVersion() < 0 || !m.schema().equals(schema) || !m.partitionColumns().isEmpty()
          || txn.protocol().minWriterVersion() > 2) {
        return false;
      }
      conf = log.newDeltaHadoopConf();
      String file = "part-00000-" + UUID.randomUUID() + "-c000.snappy.parquet";
      path = new Path(log.dataPath(), file);
      try (ParquetWriter<Group> out = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(path, conf))
          .withConf(conf).withType(parquet).withCompressionCodec(CompressionCodecName.SNAPPY)
          .withWriteMode(ParquetFileWriter.Mode.CREATE).build()) {
        for (Row row : rows) {
          SimpleGroup g = new SimpleGroup(parquet);
          fill(g, schema, row);
          out.write(g);
        }
      }
      FileStatus written = path.getFileSystem(conf).getFileStatus(path);
      add = AddFile.apply(file, scala.collection.immutable.Map$.MODULE$.empty(), written.getLen(),
          written.getModificationTime(), true, "{\"numRecords\":" + rows.size() + "}",
          AddFile.apply$default$7(), AddFile.apply$default$8(), AddFile.apply$default$9(),
          AddFile.apply$default$10(), AddFile.apply$default$11());
    } catch (IOException | RuntimeException | LinkageError e) {
      // Nothing is committed yet: the file (if any) is removed and the caller writes with Spark.
      discard(path, conf);
      LOG.warn("Could not append {} row(s) to {} without a Spark job ({}); appending them with Spark",
          rows.size(), name, io.medallion.internal.Secrets.redact(e.toString()));
      return false;
    }
    List<Action> actions = List.of(add);
    txn.commit(JavaConverters.asScalaBuffer(actions).toSeq(),
        new DeltaOperations.Write(SaveMode.Append, Option.empty(), Option.empty(), Option.empty()));
    return true;
  }

  /** Removes a file no commit references; best effort (VACUUM removes what this cannot). */
  static void discard(Path path, Configuration conf) {
    if (path != null) {
      try {
        path.getFileSystem(conf).delete(path, false);
      } catch (IOException | RuntimeException e) {
        // never referenced by a commit: VACUUM removes it
      }
    }
  }

  /** Spark's Parquet schema for {@code schema}, or null when it has a type this writer does not write. */
  static MessageType messageType(StructType schema) {
    List<Type> fields = fields(schema);
    return fields == null ? null : new MessageType("spark_schema", fields);
  }

  private static List<Type> fields(StructType s) {
    List<Type> out = new ArrayList<>();
    for (StructField f : s.fields()) {
      Type t = type(f.name(), f.dataType());
      if (t == null) {
        return null;
      }
      out.add(t);
    }
    return out;
  }

  private static Type type(String name, DataType t) {
    if (t.equals(DataTypes.StringType)) {
      return Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
    } else if (t.equals(DataTypes.LongType)) {
      return Types.optional(PrimitiveTypeName.INT64).named(name);
    } else if (t.equals(DataTypes.IntegerType)) {
      return Types.optional(PrimitiveTypeName.INT32).named(name);
    } else if (t.equals(DataTypes.BooleanType)) {
      return Types.optional(PrimitiveTypeName.BOOLEAN).named(name);
    } else if (t.equals(DataTypes.DoubleType)) {
      return Types.optional(PrimitiveTypeName.DOUBLE).named(name);
    } else if (t.equals(DataTypes.TimestampType)) {
      return Types.optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(name);
    } else if (t instanceof StructType st) {
      List<Type> children = fields(st);
      return children == null || children.isEmpty() ? null : new GroupType(Type.Repetition.OPTIONAL, name, children);
    } else if (t instanceof ArrayType at) {
      Type element = type("element", at.elementType());
      return element == null ? null : new GroupType(Type.Repetition.OPTIONAL, name, org.apache.parquet.schema.OriginalType.LIST,
          new GroupType(Type.Repetition.REPEATED, "list", element));
    }
    return null;
  }

  private static void fill(Group g, StructType s, Row row) {
    for (int i = 0; i < s.length(); i++) {
      if (!row.isNullAt(i)) {
        put(g, i, s.fields()[i].dataType(), row.get(i));
      }
    }
  }

  private static void put(Group g, int i, DataType t, Object v) {
    if (t.equals(DataTypes.StringType)) {
      g.add(i, v.toString());
    } else if (t.equals(DataTypes.LongType)) {
      g.add(i, ((Number) v).longValue());
    } else if (t.equals(DataTypes.IntegerType)) {
      g.add(i, ((Number) v).intValue());
    } else if (t.equals(DataTypes.BooleanType)) {
      g.add(i, (boolean) (Boolean) v);
    } else if (t.equals(DataTypes.DoubleType)) {
      g.add(i, ((Number) v).doubleValue());
    } else if (t.equals(DataTypes.TimestampType)) {
      Instant at = v instanceof java.sql.Timestamp ts ? ts.toInstant() : (Instant) v;
      g.add(i, ChronoUnit.MICROS.between(Instant.EPOCH, at));
    } else if (t instanceof StructType st) {
      fill(g.addGroup(i), st, (Row) v);
    } else if (t instanceof ArrayType at) {
      Group list = g.addGroup(i);
      List<?> values = v instanceof scala.collection.Seq<?> seq ? JavaConverters.seqAsJavaList(seq) : (List<?>) v;
      for (Object e : values) {
        Group element = list.addGroup(0);
        if (e != null) {
          put(element, 0, at.elementType(), e);
        }
      }
    } else {
      throw new IllegalArgumentException("no Parquet value for " + t); // messageType() refused it first
    }
  }
}
