package io.medallion.table.internal;

import io.medallion.table.TableName;
import io.medallion.table.Txn;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.CatalystTypeConverters$;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * An append to one table whose rows the tasks of another job write as they meet them: a quarantine
 * table's rows, set aside by the tasks that write the target ({@link #sink}). Each task writes its
 * rows as one Parquet file into the table's folder, with Spark's own Parquet writer (the files
 * Spark's write gives for the same rows); only each file's name, row count and size reach the
 * driver. Once the target has committed, {@link #commit} adds those files to the table in one
 * Delta commit, with the batch's {@code SetTransaction}, as a {@code WRITE} in append mode: no
 * second job, and no row through the driver. The files' statistics hold their row counts; their
 * dictionaries are smaller than Spark's ({@link #DICTIONARY_PAGE_BYTES}).
 *
 * <p>Only for a table whose layout the files match: it exists, its columns are the rows' (names,
 * order and types, as {@link ChecksumTxnAppend#sameColumns}), it has no partition columns and a
 * writer protocol of at most 2 (no column mapping, CHECK constraints, generated or identity
 * columns or other table features), and no column invariants; otherwise {@link #forTable} gives
 * nothing and the caller writes the rows with Spark. Files of task attempts that failed are
 * removed by those attempts; files that are never committed (a crash before the commit, a batch
 * the caller writes again from its input) are not part of the table, and VACUUM removes what
 * {@link #discard} could not.
 */
public final class TaskFileAppend implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The dictionary page limit of each column chunk. A task's file here is small (its share of the
   * set-aside rows); under Parquet's default of 1 MiB a column of mostly distinct values (ids,
   * e-mails) never reaches the limit, so the writer hashes and looks up every value of every column
   * to the end. At 64 KiB such columns fall back to plain encoding early, and columns of few values
   * (statuses, {@code _errors}' rule names) keep their dictionary: 143,000 quarantine rows of the
   * expectations benchmark's shape were written in 0.61 s instead of 1.17 s, into files 6% smaller
   * (docs/performance.md, goal 4b).
   */
  private static final int DICTIONARY_PAGE_BYTES = 64 << 10;

  /** Open files of running tasks in this JVM, by append and task attempt. */
  private static final Map<String, TaskFile> OPEN = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final String dataPath;
  private final StructType schema;
  private final String codec;
  private final SerializableConfiguration conf;
  private final CollectionAccumulator<String> files;
  private final transient TableName name;
  private final transient DeltaLog log;

  private TaskFileAppend(SparkSession spark, TableName name, DeltaLog log, StructType schema) {
    this.name = name;
    this.log = log;
    this.dataPath = log.dataPath().toString();
    this.schema = schema.asNullable();
    SQLConf sql = spark.sessionState().conf();
    this.codec = sql.getConfString(SQLConf.PARQUET_COMPRESSION().key(), "snappy");
    Configuration c = log.newDeltaHadoopConf();
    c.set(SQLConf.PARQUET_WRITE_LEGACY_FORMAT().key(), "false");
    c.set(SQLConf.PARQUET_OUTPUT_TIMESTAMP_TYPE().key(),
        sql.getConfString(SQLConf.PARQUET_OUTPUT_TIMESTAMP_TYPE().key(), "INT96"));
    c.set(SQLConf.PARQUET_FIELD_ID_WRITE_ENABLED().key(), "false");
    this.conf = new SerializableConfiguration(c);
    // Unnamed: Spark reports only named accumulators in its event log and UI.
    this.files = new CollectionAccumulator<>();
    spark.sparkContext().register(files);
  }

  /**
   * An append to the existing table {@code name} of rows with {@code schema}'s columns, or null
   * when the table's layout needs Spark's own write (see the class) or this Delta is another build.
   */
  public static TaskFileAppend forTable(SparkSession spark, TableName name, StructType schema) {
    try {
      DeltaLog log = DeltaTables.deltaLog(spark, name);
      if (log == null) {
        return null;
      }
      OptimisticTransaction t = log.startTransaction();
      Metadata m = t.metadata();
      if (t.readVersion() < 0 || !m.partitionColumns().isEmpty() || t.protocol().minWriterVersion() > 2
          || !ChecksumTxnAppend.sameColumns(schema, m.schema()) || m.schemaString().contains("delta.invariants")) {
        return null;
      }
      return new TaskFileAppend(spark, name, log, m.schema());
    } catch (LinkageError e) {
      return null; // another Delta build (a vendor runtime): Spark's write
    }
  }

  /**
   * A function for the other job's tasks: writes its argument (a row of the table's columns) to
   * the task's file and answers false.
   */
  public UDF1<Row, Boolean> sink() {
    return row -> {
      TaskContext task = TaskContext.get();
      OPEN.computeIfAbsent(id + "/" + task.taskAttemptId(), k -> open(task, k)).write(row);
      return false;
    };
  }

  private TaskFile open(TaskContext task, String key) {
    CompressionCodecName c = codec(codec);
    TaskFile f = new TaskFile(new Path(dataPath, fileName(task.partitionId(), task.taskAttemptId(), c)), schema, c,
        conf.value());
    task.addTaskCompletionListener(ctx -> {
      TaskFile done = OPEN.get(key);
      if (done != null) {
        try {
          String reported = done.finish(ctx.isFailed() || ctx.isInterrupted());
          if (reported != null) {
            files.add(reported);
          }
        } finally {
          OPEN.remove(key); // once the file is complete or removed: discard waits for this
        }
      }
    });
    return f;
  }

  /** A task attempt's file name: it carries this append's id, by which {@link #discard} finds it. */
  String fileName(int partition, long attempt, CompressionCodecName c) {
    return String.format(Locale.ROOT, "part-%05d-%s-a%d-c000%s.parquet", partition, id, attempt, c.getExtension());
  }

  private static CompressionCodecName codec(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("none") || n.equals("uncompressed") ? CompressionCodecName.UNCOMPRESSED
        : CompressionCodecName.valueOf(n.toUpperCase(Locale.ROOT));
  }

  /** Rows in the files of the tasks that succeeded (each task's report counted once, as Spark merges them). */
  public long rows() {
    return entries().stream().mapToLong(e -> Long.parseLong(e[1])).sum();
  }

  /**
   * Adds the files of the tasks that succeeded to the table in one commit carrying {@code txn},
   * unless {@code txn} is committed there already (the files are then removed).
   *
   * @return true when this call committed
   */
  public boolean commit(Txn txn) {
    OptimisticTransaction t = log.startTransaction(); // the table's state now, read again
    if (t.readVersion() < 0) {
      discard();
      throw new IllegalStateException("table " + name + " vanished before its rows were committed");
    }
    OptionalLong recorded = ChecksumTxnAppend.committedVersion(t, txn.appId());
    long done = recorded.isPresent() ? recorded.getAsLong() : t.txnVersion(txn.appId());
    if (txn.version() <= done) {
      discard();
      return false;
    }
    List<Action> actions = new ArrayList<>();
    for (String[] e : entries()) {
      actions.add(AddFile.apply(e[0], scala.collection.immutable.Map$.MODULE$.empty(), Long.parseLong(e[2]),
          Long.parseLong(e[3]), true, "{\"numRecords\":" + e[1] + "}",
          AddFile.apply$default$7(), AddFile.apply$default$8(), AddFile.apply$default$9(),
          AddFile.apply$default$10(), AddFile.apply$default$11()));
    }
    actions.add(new SetTransaction(txn.appId(), txn.version(), Option.<Object>apply(System.currentTimeMillis())));
    t.commit(JavaConverters.asScalaBuffer(actions).toSeq(),
        new DeltaOperations.Write(SaveMode.Append, Option.empty(), Option.empty(), Option.empty()));
    return true;
  }

  /**
   * Removes this append's files, which will not be committed; best effort. First waits (up to 30 s)
   * for this append's tasks running in this JVM (a local master's) to finish their files. Then
   * removes the files the tasks reported, and every other file in the table's folder named with this
   * append's id: when a job fails, Spark drops the reports of its tasks that succeed after the
   * failure (their stage is gone), so a task that finished its file just as another failed leaves a
   * file the driver never heard of. What still escapes (a task on another executor finishing after
   * the listing) is part of no commit, and VACUUM removes it.
   */
  public void discard() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (OPEN.keySet().stream().anyMatch(k -> k.startsWith(id + "/")) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    Configuration c = conf.value();
    for (String[] e : entries()) {
      DriverAppend.discard(new Path(dataPath, e[0]), c);
    }
    Path dir = new Path(dataPath);
    String mine = "-" + id + "-a";
    try {
      for (FileStatus f : dir.getFileSystem(c).listStatus(dir, p -> p.getName().contains(mine))) {
        DriverAppend.discard(f.getPath(), c);
      }
    } catch (IOException | RuntimeException e) {
      // never referenced by a commit: VACUUM removes them
    }
  }

  /** Per file of a successful task: its name in the table's folder, rows, bytes, modification time. */
  private List<String[]> entries() {
    return files.value().stream().map(s -> s.split("\t", 4)).toList();
  }

  /** One task attempt's file. */
  private static final class TaskFile {
    private final Path path;
    private final Configuration conf;
    private final ParquetWriter<InternalRow> out;
    private final Function1<Object, Object> toCatalyst;
    private long rows;

    TaskFile(Path path, StructType schema, CompressionCodecName codec, Configuration conf) {
      this.path = path;
      this.conf = conf;
      this.toCatalyst = CatalystTypeConverters$.MODULE$.createToCatalystConverter(schema);
      Configuration c = new Configuration(conf);
      ParquetWriteSupport.setSchema(schema, c);
      try {
        out = new Builder(HadoopOutputFile.fromPath(path, c)).withConf(c).withCompressionCodec(codec)
            .withWriteMode(ParquetFileWriter.Mode.CREATE).withDictionaryPageSize(DICTIONARY_PAGE_BYTES).build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + path, e);
      }
    }

    synchronized void write(Row row) {
      try {
        out.write((InternalRow) toCatalyst.apply(row));
        rows++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + path, e);
      }
    }

    /** Closes the file; a failed attempt's is removed. Returns the report of a complete file, else null. */
    synchronized String finish(boolean failed) {
      try {
        out.close();
        if (failed) {
          DriverAppend.discard(path, conf);
          return null;
        }
        FileStatus s = path.getFileSystem(conf).getFileStatus(path);
        return path.getName() + "\t" + rows + "\t" + s.getLen() + "\t" + s.getModificationTime();
      } catch (IOException e) {
        DriverAppend.discard(path, conf);
        throw new UncheckedIOException("cannot close " + path, e);
      }
    }
  }

  /** Parquet's writer of Spark's rows, with Spark's own write support. */
  private static final class Builder extends ParquetWriter.Builder<InternalRow, Builder> {
    Builder(OutputFile file) {
      super(file);
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<InternalRow> getWriteSupport(Configuration conf) {
      return new ParquetWriteSupport();
    }
  }
}
