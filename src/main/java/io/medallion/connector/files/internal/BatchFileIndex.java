package io.medallion.connector.files.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.datasources.FileIndex;
import org.apache.spark.sql.execution.datasources.FileStatusWithMetadata;
import org.apache.spark.sql.execution.datasources.PartitionDirectory;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The files of one micro-batch, with the size and modification time recorded at discovery: Spark
 * plans the scan from these and never lists or HEADs the files again (Spark's own file source
 * builds an index that stats every file of a batch, the ~10,000 HEAD requests of a restart).
 */
final class BatchFileIndex implements FileIndex {
  private final Path root;
  private final List<FileStatusWithMetadata> files;
  private final long sizeInBytes;

  BatchFileIndex(String root, List<FileEntry> entries) {
    this.root = new Path(root);
    this.files = new ArrayList<>(entries.size());
    long total = 0;
    scala.collection.immutable.Map<String, Object> none = scala.collection.immutable.Map$.MODULE$.empty();
    for (FileEntry e : entries) {
      FileStatus st = new FileStatus(e.size(), false, 1, 0, e.modificationTime(), new Path(e.path()));
      files.add(new FileStatusWithMetadata(st, none));
      total += e.size();
    }
    this.sizeInBytes = total;
  }

  @Override
  public Seq<Path> rootPaths() {
    return JavaConverters.asScalaBuffer(List.of(root)).toSeq();
  }

  @Override
  public Seq<PartitionDirectory> listFiles(Seq<Expression> partitionFilters, Seq<Expression> dataFilters) {
    PartitionDirectory dir = new PartitionDirectory(InternalRow.empty(),
        JavaConverters.asScalaBuffer(files).toSeq());
    return JavaConverters.asScalaBuffer(List.of(dir)).toSeq();
  }

  @Override
  public String[] inputFiles() {
    return files.stream().map(f -> f.getPath().toString()).toArray(String[]::new);
  }

  @Override
  public void refresh() {}

  @Override
  public long sizeInBytes() {
    return sizeInBytes;
  }

  @Override
  public StructType partitionSchema() {
    return new StructType();
  }

  @Override
  public String toString() {
    return "cloudFiles batch of " + files.size() + " file(s) under " + root;
  }
}
