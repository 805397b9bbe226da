package io.medallion.connector.files.internal;

import java.io.IOException;
import java.io.Serializable;
import java.time.ZoneId;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.util.RebaseDateTime;
import org.apache.spark.sql.execution.datasources.DataSourceUtils;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFooterReader;
import org.apache.spark.sql.execution.datasources.parquet.ParquetUtils;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.runtime.AbstractFunction1;

/**
 * Opens Parquet files with Spark's vectorized reader the way {@code ParquetFileFormat} does, but
 * from a footer read once: the footer that {@link ColumnarRead} reads to compare a file's columns
 * with the stream's schema is the one the reader uses (Spark's own reader would read it again).
 * The settings are Spark's session settings, taken on the driver.
 */
final class ParquetFiles implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int capacity;
  private final boolean offHeap;
  private final String datetimeRebaseMode;
  private final String int96RebaseMode;
  private final boolean int96Conversion;
  private final String sessionTimeZone;

  private ParquetFiles(SQLConf conf) {
    this.capacity = conf.parquetVectorizedReaderBatchSize();
    this.offHeap = conf.offHeapColumnVectorEnabled();
    this.datetimeRebaseMode = conf.getConf(SQLConf.PARQUET_REBASE_MODE_IN_READ()).toString();
    this.int96RebaseMode = conf.getConf(SQLConf.PARQUET_INT96_REBASE_MODE_IN_READ()).toString();
    this.int96Conversion = conf.isParquetINT96TimestampConversion();
    this.sessionTimeZone = conf.sessionLocalTimeZone();
  }

  /** The session's Parquet read settings, taken on the driver. */
  static ParquetFiles of(SparkSession spark) {
    return new ParquetFiles(spark.sessionState().conf());
  }

  /**
   * Whether files that fit the schema may be read here from the footer already read, rather than
   * by Spark's reader: not when the vectorized reader is off or cannot read these columns, nor
   * when filters are pushed down (Spark's reader skips row groups with them).
   */
  static boolean readsDirectly(SparkSession spark, StructType resultSchema, boolean filtersPushed) {
    SQLConf conf = spark.sessionState().conf();
    return !filtersPushed && conf.parquetVectorizedReaderEnabled()
        && ParquetUtils.isBatchReadSupportedForSchema(conf, resultSchema);
  }

  /** The footer with the row groups of this split (what Spark's vectorized path reads). */
  static ParquetMetadata footer(Configuration conf, PartitionedFile file) throws IOException {
    return ParquetFooterReader.readFooter(conf, file, ParquetFooterReader.WITH_ROW_GROUPS);
  }

  /**
   * A vectorized reader over the split, from its footer; {@code conf} carries the requested
   * schema. Closed at the end of the task as well as at the end of the file.
   */
  VectorizedParquetRecordReader open(PartitionedFile file, ParquetMetadata footer, Configuration conf,
      StructType partitions, int batchSize) throws IOException, InterruptedException {
    Map<String, String> kv = footer.getFileMetaData().getKeyValueMetaData();
    AbstractFunction1<String, String> meta = new AbstractFunction1<>() {
      @Override
      public String apply(String key) {
        return kv.get(key);
      }
    };
    RebaseDateTime.RebaseSpec datetime = DataSourceUtils.datetimeRebaseSpec(meta, datetimeRebaseMode);
    RebaseDateTime.RebaseSpec int96 = DataSourceUtils.int96RebaseSpec(meta, int96RebaseMode);
    String createdBy = footer.getFileMetaData().getCreatedBy();
    ZoneId convertTz = int96Conversion && (createdBy == null || !createdBy.startsWith("parquet-mr"))
        ? ZoneId.of(sessionTimeZone) : null;
    TaskContext task = TaskContext.get();
    VectorizedParquetRecordReader reader = new VectorizedParquetRecordReader(convertTz,
        datetime.mode().toString(), datetime.timeZone(), int96.mode().toString(), int96.timeZone(),
        offHeap && task != null, batchSize > 0 ? batchSize : capacity);
    if (task != null) {
      task.addTaskCompletionListener(new org.apache.spark.util.TaskCompletionListener() {
        @Override
        public void onTaskCompletion(TaskContext context) {
          try {
            reader.close();
          } catch (IOException e) {
            // closing at task end: nothing left to do
          }
        }
      });
    }
    reader.initialize(new FileSplit(file.toPath(), file.start(), file.length(), new String[0]),
        new TaskAttemptContextImpl(conf, new TaskAttemptID()), Option.apply(footer));
    return reader;
  }
}
