package io.medallion.table.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.internal.ActiveSession;
import io.medallion.table.TableName;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.NoMapping$;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.types.DataType;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * A table's latest version as one update of its Delta log found it. Every read and every look at
 * its files' statistics through this value uses that one snapshot, so a caller that reads a table
 * several ways in one batch (a CDC batch reads its stored changes whole, within the batch's key
 * range, and first asks whether that range can skip files) brings the log up to date once (a
 * listing of {@code _delta_log}, a LIST request on object storage) and parses each file's
 * statistics once.
 *
 * <p>Reads go over the files the version's checksum lists (a table of up to 50 files, Delta's
 * {@code allFilesInCrc} threshold), with Delta's own file format ({@code DeltaLog.createDataFrame}:
 * deletion vectors and column mapping apply), without the state rebuild that a read of a table
 * written since its last read costs (Delta's "Compute snapshot" jobs, about half a second each
 * time). Without such a list they are Delta's own read of the same version, by name; on another
 * Delta build, Delta's read of the table by name.
 */
public final class LatestVersion {
  private static final ObjectMapper STATS = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final SparkSession spark;
  private final TableName name;
  private final DeltaLog log;
  private final Snapshot snapshot;
  /** The files the version's checksum lists; null without such a list. */
  private final List<AddFile> files;
  /** Their parsed statistics (null for a file without them), parsed at the first look. */
  private List<StatsOf> stats;

  private record StatsOf(AddFile file, JsonNode stats) {}

  private LatestVersion(SparkSession spark, TableName name, DeltaLog log, Snapshot snapshot, List<AddFile> files) {
    this.spark = spark;
    this.name = name;
    this.log = log;
    this.snapshot = snapshot;
    this.files = files;
  }

  /** The table's latest version: its Delta log brought up to date once, now. */
  public static LatestVersion of(SparkSession spark, TableName name) {
    // none without a Delta log or on another Delta build: Delta's reads by name
    try {
      return DeltaTables.latestSnapshot(spark, name).map(snapshot -> new LatestVersion(spark, name, snapshot.deltaLog(),
          snapshot, DeltaTables.checksumFiles(snapshot).map(listed -> List.copyOf(JavaConverters.seqAsJavaList(listed)))
              .orElse(null)))
          .orElseGet(() -> new LatestVersion(spark, name, null, null, null));
    } catch (LinkageError e) {
      return new LatestVersion(spark, name, null, null, null);
    }
  }

  /** The version's rows. */
  public Dataset<Row> read() {
    return over(files).orElseGet(this::deltasRead);
  }

  /**
   * The version's rows whose columns lie in every one of {@code ranges} (a row with a NULL in one of
   * those columns is in none), read from the files whose statistics may hold such rows only. Over
   * the checksum's file list the files whose statistics lie outside a range are left out here,
   * since a read of a file list skips none; in Delta's own read (a table of more files) Delta's data
   * skipping leaves them out, by the same filter.
   */
  public Dataset<Row> read(List<ColumnRange> ranges) {
    org.apache.spark.sql.Column filter = org.apache.spark.sql.functions.expr(
        ranges.stream().map(r -> r.sql("")).collect(Collectors.joining(" AND ")));
    // statistics named by physical column names (column mapping) are not compared: every file
    List<AddFile> mayHold = files == null || !withoutColumnMapping() ? files : stats().stream()
        .filter(f -> ranges.stream().allMatch(r -> r.mayHold(f.stats()))).map(StatsOf::file).collect(Collectors.toList());
    return over(mayHold).orElseGet(this::deltasRead).where(filter);
  }

  /**
   * Whether reads within ranges of {@code column} ({@link #read(List)}) can leave files out: true
   * when two of the files the checksum lists hold disjoint ranges of the column by their
   * statistics, or when it lists none (a table of more files, whose reads Delta's data skipping
   * prunes); false for a table of one file or of files that all overlap, where every such read
   * reads every file, and for a table that does not exist. No Spark job.
   */
  public boolean rangesCanSkipFiles(String column, DataType type) {
    if (snapshot == null) {
      return false;
    }
    if (files == null) {
      return true;
    }
    if (!withoutColumnMapping()) {
      return false;
    }
    BigDecimal lowestMax = null;
    BigDecimal highestMin = null;
    for (StatsOf f : stats()) {
      BigDecimal[] minMax = ColumnRange.minMax(f.stats(), column, type);
      if (minMax != null) {
        highestMin = highestMin == null || minMax[0].compareTo(highestMin) > 0 ? minMax[0] : highestMin;
        lowestMax = lowestMax == null || minMax[1].compareTo(lowestMax) < 0 ? minMax[1] : lowestMax;
      }
    }
    return highestMin != null && highestMin.compareTo(lowestMax) > 0;
  }

  /** The checksum's files with their parsed statistics. */
  private List<StatsOf> stats() {
    if (stats == null) {
      List<StatsOf> parsed = new ArrayList<>();
      for (AddFile file : files) {
        parsed.add(new StatsOf(file, stats(file)));
      }
      stats = parsed;
    }
    return stats;
  }

  /** {@code kept} (files of the checksum's list) read with Delta's file format; empty when null. */
  private Optional<Dataset<Row>> over(List<AddFile> kept) {
    if (kept == null) {
      return Optional.empty();
    }
    try {
      // Delta builds the Dataset in the thread's active session (ActiveSession)
      return Optional.of(ActiveSession.with(spark, () -> log.createDataFrame(snapshot,
          JavaConverters.asScalaBuffer(kept).toSeq(), false, Option.empty())));
    } catch (LinkageError e) {
      return Optional.empty(); // another Delta build: its own read
    }
  }

  /**
   * Delta's own read of this version (its data skipping applies to a filter over it), or of the
   * table's latest when there is no snapshot (another catalog, another Delta build). By name,
   * through the table's catalog, never by path: a catalog may refuse path access to its tables or
   * give the credentials for their storage only to reads by name.
   */
  private Dataset<Row> deltasRead() {
    return snapshot == null ? spark.read().table(name.quoted())
        : spark.sql("SELECT * FROM " + name.quoted() + " VERSION AS OF " + snapshot.version());
  }

  /**
   * True when the table names its columns in files and statistics by their own names; false (as if
   * mapped: every file read, none told apart) on a Delta build without this API.
   */
  private boolean withoutColumnMapping() {
    try {
      return snapshot.metadata().columnMappingMode() == NoMapping$.MODULE$;
    } catch (LinkageError e) {
      return false;
    }
  }

  /** The file's statistics, parsed (decimals exact); null without them or when they do not parse. */
  private static JsonNode stats(AddFile file) {
    if (file.stats() == null) {
      return null;
    }
    try {
      return STATS.readTree(file.stats());
    } catch (IOException e) {
      return null;
    }
  }
}
