package io.medallion.connector.files.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.BasePredicate;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Predicate;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
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
  private final StructType partitionSchema;
  /** The files by their partition values (one group without partition columns). */
  private final Map<InternalRow, List<FileStatusWithMetadata>> byPartition = new LinkedHashMap<>();

  BatchFileIndex(String root, List<FileEntry> entries, StructType partitionSchema, String timeZone) {
    this.root = new Path(root);
    this.partitionSchema = partitionSchema;
    this.files = new ArrayList<>(entries.size());
    long total = 0;
    scala.collection.immutable.Map<String, Object> none = scala.collection.immutable.Map$.MODULE$.empty();
    for (FileEntry e : entries) {
      FileStatus st = new FileStatus(e.size(), false, 1, 0, e.modificationTime(), new Path(e.path()));
      FileStatusWithMetadata f = new FileStatusWithMetadata(st, none);
      files.add(f);
      byPartition.computeIfAbsent(Partitions.values(root, e.path(), partitionSchema, timeZone),
          k -> new ArrayList<>()).add(f);
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
    // Spark does not evaluate partition filters after the scan: the index must prune.
    BasePredicate keep = partitionFilters.isEmpty() ? null : predicate(partitionFilters);
    List<PartitionDirectory> out = new ArrayList<>();
    byPartition.forEach((values, group) -> {
      if (keep == null || keep.eval(values)) {
        out.add(new PartitionDirectory(values, JavaConverters.asScalaBuffer(group).toSeq()));
      }
    });
    return JavaConverters.asScalaBuffer(out).toSeq();
  }

  /** The filters over the partition values, bound by name as Spark's file index binds them. */
  private BasePredicate predicate(Seq<Expression> filters) {
    Expression all = null;
    List<Attribute> refs = new ArrayList<>();
    for (Expression e : JavaConverters.seqAsJavaList(filters)) {
      all = all == null ? e : new And(all, e);
      refs.addAll(JavaConverters.seqAsJavaList(e.references().toSeq()));
    }
    List<Attribute> input = new ArrayList<>(JavaConverters.seqAsJavaList(DataTypeUtils.toAttributes(partitionSchema)));
    for (int i = 0; i < input.size(); i++) {
      String name = input.get(i).name();
      for (Attribute a : refs) {
        if (a.name().equalsIgnoreCase(name)) {
          input.set(i, a);
        }
      }
    }
    BasePredicate p = Predicate.create(all, JavaConverters.asScalaBuffer(input).toSeq());
    p.initialize(0);
    return p;
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
    return partitionSchema;
  }

  @Override
  public String toString() {
    return "cloudFiles batch of " + files.size() + " file(s) under " + root;
  }
}
