package io.medallion.quality.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Quarantine rows set aside on the executors, on the pass that writes the target: each task that
 * meets a quarantined row writes it to a file of its own under a staging folder of the table (a
 * shared file system: the checkpoint's), and only the file's name and row count reach the driver.
 * A second, small job reads exactly the files of the successful tasks back as rows. No quarantine
 * row travels through the driver, and the input is not read twice.
 *
 * <p>Tasks that fail or are retried leave files that are never listed; {@link #delete} removes the
 * whole folder once the quarantine table has its rows. The caller compares {@link #rows()} with
 * the batch's quarantined count and reads the rows again from the input when they differ (a stage
 * recomputed after a lost shuffle may run a task twice).
 */
public final class QuarantineSpill implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Open files of running tasks in this JVM, by spill and task attempt. */
  private static final Map<String, TaskFile> OPEN = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final String dir;
  private final SerializableConfiguration conf;
  private final CollectionAccumulator<String> files;

  /**
   * @param stagingRoot a folder on a file system every executor and the driver reach; the spill
   *     writes under {@code <stagingRoot>/<random id>/}
   */
  public QuarantineSpill(SparkSession spark, String stagingRoot) {
    this.dir = stagingRoot + "/" + id;
    this.conf = new SerializableConfiguration(spark.sessionState().newHadoopConf());
    // Unnamed: Spark reports only named accumulators in its event log and UI.
    this.files = new CollectionAccumulator<>();
    spark.sparkContext().register(files);
  }

  /** A function for the write's projection: stores the row of a quarantined input row, answers false. */
  public UDF1<Row, Boolean> sink() {
    return row -> {
      TaskContext task = TaskContext.get();
      String key = id + "/" + task.taskAttemptId();
      TaskFile file = OPEN.computeIfAbsent(key, k -> open(task));
      file.write(row);
      return false;
    };
  }

  private TaskFile open(TaskContext task) {
    String name = dir + "/part-" + task.partitionId() + "-" + task.taskAttemptId() + ".rows";
    TaskFile file = new TaskFile(name, conf.value());
    String key = id + "/" + task.taskAttemptId();
    task.addTaskCompletionListener(ctx -> {
      TaskFile f = OPEN.remove(key);
      if (f != null) {
        f.close();
        files.add(f.name + "\t" + f.rows);
      }
    });
    return file;
  }

  /** Rows written by the successful tasks (each task's update is counted once, as Spark merges them). */
  public long rows() {
    return entries().stream().mapToLong(e -> Long.parseLong(e[1])).sum();
  }

  /** The set-aside rows, read from the successful tasks' files by executors. */
  public Dataset<Row> read(SparkSession spark, StructType schema) {
    List<String> names = entries().stream().map(e -> e[0]).toList();
    SerializableConfiguration c = conf;
    FlatMapFunction<String, Row> readFile = name -> readAll(name, c.value()).iterator();
    int slices = Math.max(1, Math.min(names.size(), spark.sparkContext().defaultParallelism()));
    return spark.createDataFrame(
        JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(names, slices).flatMap(readFile),
        schema);
  }

  /** Removes the staging folder (the files of every attempt); best effort. */
  public void delete() {
    delete(dir, conf.value());
  }

  /**
   * Removes what spills under {@code stagingRoot} left behind when their run was killed: call it
   * when a run starts, before any batch (the table's lock keeps other runs of the table away).
   */
  public static void clear(SparkSession spark, String stagingRoot) {
    delete(stagingRoot, spark.sessionState().newHadoopConf());
  }

  private static void delete(String dir, Configuration conf) {
    try {
      Path path = new Path(dir);
      path.getFileSystem(conf).delete(path, true);
    } catch (IOException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(QuarantineSpill.class)
          .debug("could not delete the quarantine staging folder {}: {}", dir, e.toString());
    }
  }

  private List<String[]> entries() {
    return files.value().stream().map(s -> s.split("\t", 2)).toList();
  }

  private static List<Row> readAll(String name, Configuration conf) throws IOException {
    Path path = new Path(name);
    List<Row> rows = new ArrayList<>();
    try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(
        path.getFileSystem(conf).open(path), 1 << 16))) {
      while (true) {
        int width;
        try {
          width = in.readInt();
        } catch (EOFException end) {
          return rows;
        }
        Object[] values = new Object[width];
        for (int i = 0; i < width; i++) {
          values[i] = TaskFile.read(in);
        }
        rows.add(RowFactory.create(values));
      }
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("a quarantine staging file holds an unknown class: " + name, e);
    }
  }

  /**
   * One task's file: per row its width, then each value as a tag and its bytes; the common scalar
   * types as primitives, any other value (structs, arrays, maps) Java-serialized. The stream
   * forgets what it wrote every {@value #RESET_EVERY} rows: often enough to bound its memory,
   * rarely enough that class descriptors are not written again for every row.
   */
  private static final class TaskFile {
    private static final int RESET_EVERY = 1024;
    private static final byte NULL = 0;
    private static final byte LONG = 1;
    private static final byte INT = 2;
    private static final byte DOUBLE = 3;
    private static final byte FLOAT = 4;
    private static final byte TRUE = 5;
    private static final byte FALSE = 6;
    private static final byte STRING = 7;
    private static final byte DECIMAL = 8;
    private static final byte TIMESTAMP = 9;
    private static final byte DATE = 10;
    private static final byte SHORT = 11;
    private static final byte BYTE = 12;
    private static final byte BINARY = 13;
    private static final byte OBJECT = 14;
    private final String name;
    private final ObjectOutputStream out;
    private long rows;

    TaskFile(String name, Configuration conf) {
      this.name = name;
      try {
        Path path = new Path(name);
        out = new ObjectOutputStream(new BufferedOutputStream(path.getFileSystem(conf).create(path, true), 1 << 16));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the quarantine staging file " + name, e);
      }
    }

    synchronized void write(Row row) {
      try {
        out.writeInt(row.length());
        for (int i = 0; i < row.length(); i++) {
          write(row.get(i));
        }
        rows++;
        if (rows % RESET_EVERY == 0) {
          out.reset(); // drops the back-references to the values written so far
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the quarantine staging file " + name, e);
      }
    }

    private void write(Object v) throws IOException {
      if (v == null) {
        out.writeByte(NULL);
      } else if (v instanceof String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeByte(STRING);
        out.writeInt(b.length);
        out.write(b);
      } else if (v instanceof Long l) {
        out.writeByte(LONG);
        out.writeLong(l);
      } else if (v instanceof Integer n) {
        out.writeByte(INT);
        out.writeInt(n);
      } else if (v instanceof Double d) {
        out.writeByte(DOUBLE);
        out.writeDouble(d);
      } else if (v instanceof Float f) {
        out.writeByte(FLOAT);
        out.writeFloat(f);
      } else if (v instanceof Boolean b) {
        out.writeByte(b ? TRUE : FALSE);
      } else if (v instanceof BigDecimal d) {
        byte[] b = d.unscaledValue().toByteArray();
        out.writeByte(DECIMAL);
        out.writeInt(d.scale());
        out.writeInt(b.length);
        out.write(b);
      } else if (v instanceof Timestamp t) {
        out.writeByte(TIMESTAMP);
        out.writeLong(t.getTime());
        out.writeInt(t.getNanos());
      } else if (v instanceof Date d) {
        out.writeByte(DATE);
        out.writeLong(d.getTime());
      } else if (v instanceof Short n) {
        out.writeByte(SHORT);
        out.writeShort(n);
      } else if (v instanceof Byte n) {
        out.writeByte(BYTE);
        out.writeByte(n);
      } else if (v instanceof byte[] b) {
        out.writeByte(BINARY);
        out.writeInt(b.length);
        out.write(b);
      } else {
        out.writeByte(OBJECT);
        out.writeObject(v);
      }
    }

    static Object read(ObjectInputStream in) throws IOException, ClassNotFoundException {
      byte tag = in.readByte();
      switch (tag) {
        case NULL:
          return null;
        case STRING:
          return new String(bytes(in), StandardCharsets.UTF_8);
        case LONG:
          return in.readLong();
        case INT:
          return in.readInt();
        case DOUBLE:
          return in.readDouble();
        case FLOAT:
          return in.readFloat();
        case TRUE:
          return Boolean.TRUE;
        case FALSE:
          return Boolean.FALSE;
        case DECIMAL:
          int scale = in.readInt();
          return new BigDecimal(new BigInteger(bytes(in)), scale);
        case TIMESTAMP:
          Timestamp t = new Timestamp(in.readLong());
          t.setNanos(in.readInt());
          return t;
        case DATE:
          return new Date(in.readLong());
        case SHORT:
          return in.readShort();
        case BYTE:
          return in.readByte();
        case BINARY:
          return bytes(in);
        case OBJECT:
          return in.readObject();
        default:
          throw new IOException("unknown value tag " + tag + " in a quarantine staging file");
      }
    }

    private static byte[] bytes(ObjectInputStream in) throws IOException {
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      return b;
    }

    synchronized void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the quarantine staging file " + name, e);
      }
    }
  }
}
