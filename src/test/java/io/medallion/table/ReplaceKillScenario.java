package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.catalog.WarehouseCatalog;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.DeltaWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * kill -9 in a small table's full replace ({@code ChecksumOverwrite.replace}: a full gold
 * recompute, a batch table), two scenarios of {@code RunKillTest} ({@code io.medallion.run}), which
 * runs them in one child JVM with its others: the child replaces the rows of an existing table and dies ({@code halt}, no shutdown
 * hooks) <b>before</b> its commit file is written (the new rows' data files are) or right
 * <b>after</b> it. Before: the table is as it was, the written files are referenced by no commit.
 * After: the table has the new rows. Either way the rerun of the same replace gives the table
 * exactly the new rows, and a further rerun changes no row.
 */
public final class ReplaceKillScenario {
  private ReplaceKillScenario() {}

  /** What the parent prepared for one kill: the table, its version, rows and files before it. */
  public record Kill(TableName table, long version, List<String> rows, Set<String> files, String deltaLog) {}

  static TableName register(SparkSession spark, Path root, String when) {
    String catalog = "rkill_" + when;
    WarehouseCatalog.register(spark, catalog, root.resolve(catalog).toUri().toString());
    return TableName.of(catalog, "s", "t");
  }

  /** The parent's part: an existing small table for the kill {@code when} (created by the sink's replace, then appended to). */
  public static Kill prepare(SparkSession spark, Path root, String when) throws java.io.IOException {
    TableName t = register(spark, root, when);
    ReplaceTest.fill(spark, t, ReplaceTest.SPEC);
    String deltaLog = Path.of(URI.create(location(spark, t))).resolve("_delta_log").toString();
    long version = DeltaTables.version(spark, t).getAsLong();
    return new Kill(t, version, ReplaceTest.contents(spark, t), dataFiles(spark, t), deltaLog);
  }

  /** The child's part: the replace with new rows, to be halted at its commit. */
  public static void replace(SparkSession spark, Path root, String when) {
    TableName t = register(spark, root, when);
    DeltaWriter.write(ReplaceTest.rows(spark, 100, 130), t, ReplaceTest.SPEC, Write.replace(), Txn.NONE);
  }

  /** After the kill: what it left, then the rerun and a further one give exactly the new rows. */
  public static void assertTheRerunsGiveTheNewRows(SparkSession spark, Kill kill, String when) throws java.io.IOException {
    TableName t = kill.table();
    List<String> expected = ReplaceTest.rows(spark, 100, 130).collectAsList().stream()
        .map(org.apache.spark.sql.Row::toString).sorted().toList();

    // What the kill left.
    if (when.equals("before")) {
      assertThat(DeltaTables.version(spark, t).getAsLong()).as("no commit").isEqualTo(kill.version());
      assertThat(ReplaceTest.contents(spark, t)).isEqualTo(kill.rows());
      Set<String> orphans = dataFiles(spark, t);
      orphans.removeAll(kill.files());
      orphans.removeAll(referenced(spark, t));
      assertThat(orphans).as("the killed replace had written its data files, which no commit adds").isNotEmpty();
    } else {
      assertThat(DeltaTables.version(spark, t).getAsLong()).as("the replace's commit").isEqualTo(kill.version() + 1);
      assertThat(ReplaceTest.contents(spark, t)).isEqualTo(expected);
      assertThat(spark.sql("DESCRIBE HISTORY " + t.quoted() + " LIMIT 1").first().<String>getAs("operation"))
          .as("the child's replace was the one-transaction overwrite").isEqualTo("WRITE");
    }

    // The rerun, then a further one: the new rows, once each.
    for (String run : List.of("rerun", "further rerun")) {
      DeltaWriter.write(ReplaceTest.rows(spark, 100, 130), t, ReplaceTest.SPEC, Write.replace(), Txn.NONE);
      assertThat(ReplaceTest.contents(spark, t)).as(run + " after a kill " + when).isEqualTo(expected);
    }
  }

  /** The table's location, a {@code file:} URI. */
  public static String location(SparkSession spark, TableName t) {
    String l = spark.sql("DESCRIBE DETAIL " + t.quoted()).first().getAs("location");
    return l.startsWith("file:") ? l : "file://" + l;
  }

  /** The Parquet files in the table's folder, referenced or not. */
  public static Set<String> dataFiles(SparkSession spark, TableName t) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(Path.of(URI.create(location(spark, t))))) {
      return files.filter(f -> f.toString().endsWith(".parquet") && !f.toString().contains("_delta_log"))
          .map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
    }
  }

  /** The Parquet files the table's current version references. */
  public static Set<String> referenced(SparkSession spark, TableName t) {
    return java.util.stream.Stream.of(spark.table(t.quoted()).inputFiles()).map(f -> f.substring(f.lastIndexOf('/') + 1))
        .collect(java.util.stream.Collectors.toSet());
  }
}
