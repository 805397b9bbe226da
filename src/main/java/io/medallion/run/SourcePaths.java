package io.medallion.run;

import io.medallion.MedallionException;
import io.medallion.pipeline.BronzeTable;
import io.medallion.source.FileSource;
import io.medallion.pipeline.TableDefinition;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A files source whose path does not exist reads nothing, which looks like a quiet day: a typo in
 * the path would go unnoticed. {@code validate} fails for it, and every run warns. A folder that
 * appears only later is declared with the source option {@value #ALLOW_MISSING} = true (then
 * {@code validate} passes and runs log it at INFO).
 */
public final class SourcePaths {
  private static final Logger LOG = LoggerFactory.getLogger(SourcePaths.class);
  /** The files source option that declares a folder which may not exist yet. */
  public static final String ALLOW_MISSING = "allowMissingPath";

  private SourcePaths() {}

  /**
   * Checks the path of a files source.
   *
   * @param failing true for {@code validate}: a missing path not declared with
   *     {@value #ALLOW_MISSING} is an error; false for a run, which warns
   * @throws MedallionException when {@code failing} and the path does not exist
   */
  public static void check(SparkSession spark, TableDefinition table, String origin, boolean failing) {
    if (!(table instanceof BronzeTable b) || !(b.source() instanceof FileSource files) || !missing(spark, files.path())) {
      return;
    }
    boolean allowed = files.options().entrySet().stream()
        .anyMatch(e -> e.getKey().equalsIgnoreCase(ALLOW_MISSING) && "true".equalsIgnoreCase(e.getValue()));
    if (allowed) {
      LOG.info("Table {}: source path {} does not exist yet ({} = true): nothing to read", table.ref(), files.path(), ALLOW_MISSING);
      return;
    }
    MedallionException problem = RunErrors.missingSourcePath(table.ref(), files.path(), origin, ALLOW_MISSING);
    if (failing) {
      throw problem;
    }
    LOG.warn(problem.getMessage());
  }

  private static boolean missing(SparkSession spark, String location) {
    if (location.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
      return false; // a glob: Spark decides what it matches
    }
    try {
      Path path = new Path(location);
      FileSystem fs = path.getFileSystem(spark.sessionState().newHadoopConf());
      return !fs.exists(path);
    } catch (IOException | IllegalArgumentException e) {
      return false; // cannot tell (e.g. credentials): the reader reports it
    }
  }
}
