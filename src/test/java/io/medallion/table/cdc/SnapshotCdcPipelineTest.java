package io.medallion.table.cdc;

import static io.medallion.table.cdc.CdcDumps.dump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.table.DeltaSink;
import io.medallion.table.TableName;
import io.medallion.pipeline.TableRef;
import io.medallion.run.RunOptions;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Snapshot CDC from config alone (DLT's from-snapshot flow) through the pipeline runner: a folder
 * of snapshot versions into SCD1 and SCD2 tables (a deleted key that comes back, two versions in
 * one run, a rerun that writes nothing, a late older version skipped with a warning in the event
 * log), a table re-read in batch with its Delta version as the snapshot version, and each
 * validation error.
 */
@ExtendWith(MedallionExtension.class)
class SnapshotCdcPipelineTest {
  private static final String CSV = "id,name,city\n";

  private static Lakehouse.Loaded load(Lakehouse lake, String name, String tables) throws IOException {
    Path file = lake.root().resolve(name + ".conf");
    Files.writeString(file, "pipeline {\n  name = " + name + "\n  schema = crm\n" + tables + "\n}\n");
    return lake.load(file, Path.of("conf/env/local.conf"), lake.root().resolve("landing").toString());
  }

  private static void snapshot(Path folder, String version, String rows) throws IOException {
    Files.writeString(Files.createDirectories(folder.resolve(version)).resolve("part-0.csv"), CSV + rows);
  }

  private static String folderTables(Path folder) {
    String source = "from-snapshot { path = \"" + folder + "\", format = csv, schema = \"id INT, name STRING,"
        + " city STRING\", options { header = true } }";
    return "  silver.customers { keys = [id], cdc { " + source + " } }\n"
        + "  silver.customers_history { keys = [id], cdc { stored-as-scd-type = 2, " + source + " } }\n";
  }

  private static List<String> progress(Lakehouse lake, Lakehouse.Loaded p) {
    String log = p.environment().eventLogTable(p.pipeline()).orElseThrow().quoted();
    return dump(lake.spark().sql("SELECT origin.dataset_name, origin.batch_id, level,"
        + " details.flow_progress.status, details.flow_progress.metrics.num_upserted_rows,"
        + " details.flow_progress.metrics.num_deleted_rows, details.flow_progress.metrics.num_history_rows_opened"
        + " FROM " + log + " WHERE event_type = 'flow_progress'"));
  }

  private static OptionalLong version(Lakehouse lake, Lakehouse.Loaded p, String ref) {
    return DeltaSink.version(lake.spark(), p.environment().tableName(p.pipeline(), TableRef.parse(ref)));
  }

  @Test
  void aFolderOfSnapshotsGivesExactScd1AndScd2TablesInVersionOrder(Lakehouse lake) throws IOException {
    Path folder = lake.root().resolve("landing/customers_snapshots");
    snapshot(folder, "v=1", "1,Ann,Lima\n2,Bob,Oslo\n3,Cy,Rome\n");
    Files.writeString(folder.resolve("_SUCCESS"), "");
    Lakehouse.Loaded p = load(lake, "snapfolder", folderTables(folder));
    lake.run(p);
    assertThat(dump(lake.table(p, "silver.customers"))).containsExactly("1|Ann|Lima", "2|Bob|Oslo", "3|Cy|Rome");

    snapshot(folder, "v=2", "1,Ann,Lima\n2,Bob,Bern\n");                 // 3 deleted, 2 moved
    snapshot(folder, "4", "1,Ann,Lima\n2,Bob,Bern\n3,Cy,Nice\n");        // 3 comes back (plain number)
    lake.run(p);                                                            // two pending: 2, then 4
    List<String> scd1 = List.of("1|Ann|Lima", "2|Bob|Bern", "3|Cy|Nice");
    List<String> scd2 = List.of("1|Ann|Lima|1|null", "2|Bob|Bern|2|null", "2|Bob|Oslo|1|2", "3|Cy|Nice|4|null",
        "3|Cy|Rome|1|2");
    assertThat(dump(lake.table(p, "silver.customers"))).containsExactlyElementsOf(scd1);
    assertThat(dump(lake.table(p, "silver.customers_history"))).containsExactlyElementsOf(scd2);
    assertThat(lake.table(p, "silver.customers_history").schema().apply("__START_AT").dataType().simpleString())
        .isEqualTo("bigint");
    List<String> applied = List.of(
        "silver.customers_history|1|INFO|COMPLETED|3|0|3",
        "silver.customers_history|2|INFO|COMPLETED|1|1|1",
        "silver.customers_history|4|INFO|COMPLETED|1|0|1",
        "silver.customers|1|INFO|COMPLETED|3|0|0",
        "silver.customers|2|INFO|COMPLETED|1|1|0",
        "silver.customers|4|INFO|COMPLETED|1|0|0");
    assertThat(progress(lake, p)).containsExactlyElementsOf(applied);

    // a rerun with nothing new writes nothing: no commit to the targets, no flow_progress row
    OptionalLong scd1Version = version(lake, p, "silver.customers");
    OptionalLong scd2Version = version(lake, p, "silver.customers_history");
    lake.run(p);
    assertThat(version(lake, p, "silver.customers")).isEqualTo(scd1Version);
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(scd2Version);
    assertThat(progress(lake, p)).containsExactlyElementsOf(applied);

    // version 3 arrives after 4 was applied: skipped with a warning, the tables unchanged
    snapshot(folder, "v=3", "1,Ann,Paris\n");
    lake.run(p);
    assertThat(dump(lake.table(p, "silver.customers"))).containsExactlyElementsOf(scd1);
    assertThat(dump(lake.table(p, "silver.customers_history"))).containsExactlyElementsOf(scd2);
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(scd2Version);
    assertThat(progress(lake, p)).contains(
        "silver.customers|3|WARN|SKIPPED|null|null|null", "silver.customers_history|3|WARN|SKIPPED|null|null|null");
    String log = p.environment().eventLogTable(p.pipeline()).orElseThrow().quoted();
    assertThat(dump(lake.spark().sql("SELECT message FROM " + log + " WHERE level = 'WARN'"
        + " AND origin.dataset_name = 'silver.customers'")))
        .singleElement().asString()
        .contains("snapshot version 3 of " + p.environment().tableName(p.pipeline(), TableRef.parse("silver.customers")))
        .contains("older than the last applied version 4").contains("full-refresh the table");

    // as the warning says: a full refresh replays every snapshot in version order, 3 included
    lake.run(p.pipeline(), p.environment(), RunOptions.all().fullRefresh(TableRef.parse("silver.customers_history")));
    assertThat(dump(lake.table(p, "silver.customers_history"))).containsExactly(
        "1|Ann|Lima|1|3", "1|Ann|Lima|4|null", "1|Ann|Paris|3|4", "2|Bob|Bern|2|3", "2|Bob|Bern|4|null",
        "2|Bob|Oslo|1|2", "3|Cy|Nice|4|null", "3|Cy|Rome|1|2");
  }

  private static long micros(String instant) {
    return io.medallion.table.Snapshots.version(java.time.Instant.parse(instant));
  }

  /** A history table's rows with __START_AT/__END_AT as microseconds since the epoch (zone-free). */
  private static List<String> timeHistory(Lakehouse lake, Lakehouse.Loaded p, String ref) {
    return dump(lake.table(p, ref).selectExpr("id", "name", "city", "unix_micros(__START_AT)", "unix_micros(__END_AT)"));
  }

  @Test
  void foldersNamedByTimeGiveTimestampHistoryAndALateOlderTimeIsSkipped(Lakehouse lake) throws IOException {
    Path folder = lake.root().resolve("landing/customers_daily");
    snapshot(folder, "snapshot_date=2026-12-01", "1,Ann,Lima\n2,Bob,Oslo\n3,Cy,Rome\n");
    String source = "from-snapshot { path = \"" + folder + "\", format = csv, version-type = timestamp, schema = \"id INT,"
        + " name STRING, city STRING\", options { header = true } }";
    Lakehouse.Loaded p = load(lake, "snaptimes",
        "  silver.customers_history { keys = [id], cdc { stored-as-scd-type = 2, " + source + " } }\n");
    lake.run(p);
    snapshot(folder, "snapshot_date=2026-12-02T06%3A30%3A00Z", "1,Ann,Lima\n2,Bob,Bern\n");   // 3 deleted, 2 moved
    snapshot(folder, "snapshot_date=2026-12-03 08:00:00+01:00", "1,Ann,Lima\n2,Bob,Bern\n3,Cy,Nice\n"); // 3 is back
    lake.run(p);

    long d1 = micros("2026-12-01T00:00:00Z");
    long d2 = micros("2026-12-02T06:30:00Z");
    long d3 = micros("2026-12-03T07:00:00Z");
    assertThat(lake.table(p, "silver.customers_history").schema().apply("__START_AT").dataType().simpleString())
        .isEqualTo("timestamp");
    List<String> history = List.of("1|Ann|Lima|" + d1 + "|null", "2|Bob|Bern|" + d2 + "|null",
        "2|Bob|Oslo|" + d1 + "|" + d2, "3|Cy|Nice|" + d3 + "|null", "3|Cy|Rome|" + d1 + "|" + d2);
    assertThat(timeHistory(lake, p, "silver.customers_history")).containsExactlyElementsOf(history);
    assertThat(progress(lake, p)).containsExactly(
        "silver.customers_history|" + d1 + "|INFO|COMPLETED|3|0|3",
        "silver.customers_history|" + d2 + "|INFO|COMPLETED|1|1|1",
        "silver.customers_history|" + d3 + "|INFO|COMPLETED|1|0|1");

    // an older day lands late: skipped with a warning that names both times; the tables unchanged
    OptionalLong scd2Version = version(lake, p, "silver.customers_history");
    snapshot(folder, "snapshot_date=2026-11-30", "1,Ann,Paris\n");
    lake.run(p);
    assertThat(timeHistory(lake, p, "silver.customers_history")).containsExactlyElementsOf(history);
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(scd2Version);
    String log = p.environment().eventLogTable(p.pipeline()).orElseThrow().quoted();
    assertThat(dump(lake.spark().sql("SELECT message FROM " + log + " WHERE level = 'WARN'"
        + " AND origin.dataset_name = 'silver.customers_history'")))
        .singleElement().asString()
        .contains("snapshot version 2026-11-30T00:00:00Z of ")
        .contains("older than the last applied version 2026-12-03T07:00:00Z");

    // a subfolder that is not a time fails the run with the forms expected, nothing written
    Files.createDirectories(folder.resolve("v=4"));
    assertThatThrownBy(() -> lake.run(p))
        .hasMessageContaining("pipeline.silver.customers_history.cdc.from-snapshot.path: ")
        .hasMessageContaining("a subfolder named 'v=4', which is not a snapshot time (version-type = timestamp)")
        .hasMessageContaining("snapshot_date=2026-12-01/");
    Files.delete(folder.resolve("v=4"));
    // two names of one instant: which one is the snapshot is unclear, so the run fails
    Files.createDirectories(folder.resolve("2026-12-03T07%3A00Z"));
    assertThatThrownBy(() -> lake.run(p))
        .hasMessageContaining("holds version 2026-12-03T07:00:00Z twice")
        .hasMessageContaining("'2026-12-03T07%3A00Z'").hasMessageContaining("'snapshot_date=2026-12-03 08:00:00+01:00'")
        .hasMessageContaining("keep one of them");
    Files.delete(folder.resolve("2026-12-03T07%3A00Z"));

    // the same tables told that versions are numbers now: refused before anything is written
    Path numbered = lake.root().resolve("landing/customers_numbered");
    snapshot(numbered, "v=1", "1,Ann,Lima\n");
    Lakehouse.Loaded renumbered = load(lake, "snaptimes", "  silver.customers_history { keys = [id], cdc {"
        + " stored-as-scd-type = 2, from-snapshot { path = \"" + numbered + "\", format = csv, schema = \"id INT,"
        + " name STRING, city STRING\", options { header = true } } } }\n");
    assertThatThrownBy(() -> lake.run(renumbered.pipeline(), p.environment()))
        .hasMessageContaining("pipeline.silver.customers_history.cdc.from-snapshot.version-type")
        .hasMessageContaining("holds snapshots versioned by time, but the table now says version-type = number")
        .hasMessageContaining("full-refresh");
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(scd2Version);
    assertThat(timeHistory(lake, p, "silver.customers_history")).containsExactlyElementsOf(history);
  }

  @Test
  void aTableIsReadInBatchWithItsDeltaVersionAsTheSnapshotVersion(Lakehouse lake) throws IOException {
    Path full = lake.root().resolve("landing/crm_full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("customers.csv"), CSV + "1,Ann,Lima\n2,Bob,Oslo\n3,Cy,Rome\n");
    Lakehouse.Loaded p = load(lake, "snaptable",
        "  bronze.customers_full { execution = batch, source { type = files, path = \"" + full + "\", format = csv,"
            + " schema = \"id INT, name STRING, city STRING\", options { header = true } } }\n"
            + "  silver.customers_history { from = bronze.customers_full, keys = [id],"
            + " sql = \"SELECT id, name, city FROM {bronze.customers_full}\","
            + " cdc { stored-as-scd-type = 2, from-snapshot { } } }\n"
            + "  silver.customers_timeline { from = bronze.customers_full, keys = [id],"
            + " sql = \"SELECT id, name, city FROM {bronze.customers_full}\","
            + " cdc { stored-as-scd-type = 2, from-snapshot { version-type = timestamp } } }\n");
    lake.run(p);
    long v1 = version(lake, p, "bronze.customers_full").getAsLong();
    Files.writeString(full.resolve("customers.csv"), CSV + "1,Ann,Lima\n2,Bob,Bern\n");
    lake.run(p);
    long v2 = version(lake, p, "bronze.customers_full").getAsLong();
    Files.writeString(full.resolve("customers.csv"), CSV + "1,Ann,Lima\n2,Bob,Bern\n3,Cy,Nice\n");
    lake.run(p);
    long v3 = version(lake, p, "bronze.customers_full").getAsLong();
    assertThat(v1).isLessThan(v2);
    assertThat(v2).isLessThan(v3);
    assertThat(dump(lake.table(p, "silver.customers_history"))).containsExactly(
        "1|Ann|Lima|" + v1 + "|null", "2|Bob|Bern|" + v2 + "|null", "2|Bob|Oslo|" + v1 + "|" + v2,
        "3|Cy|Nice|" + v3 + "|null", "3|Cy|Rome|" + v1 + "|" + v2);
    // version-type = timestamp: the same history, versioned by the time of each bronze commit
    String bronze = p.environment().tableName(p.pipeline(), TableRef.parse("bronze.customers_full")).quoted();
    java.util.Map<Long, Long> commitTimes = new java.util.HashMap<>();
    for (var r : lake.spark().sql("DESCRIBE HISTORY " + bronze).selectExpr("version", "unix_micros(timestamp)")
        .collectAsList()) {
      commitTimes.put(r.getLong(0), r.getLong(1));
    }
    long t1 = commitTimes.get(v1);
    long t2 = commitTimes.get(v2);
    long t3 = commitTimes.get(v3);
    assertThat(t1).isLessThan(t2);
    assertThat(t2).isLessThan(t3);
    assertThat(timeHistory(lake, p, "silver.customers_timeline")).containsExactly(
        "1|Ann|Lima|" + t1 + "|null", "2|Bob|Bern|" + t2 + "|null", "2|Bob|Oslo|" + t1 + "|" + t2,
        "3|Cy|Nice|" + t3 + "|null", "3|Cy|Rome|" + t1 + "|" + t2);

    // the source's version did not change: running only the CDC table does nothing (it is skipped
    // as unchanged, as every silver table whose inputs did not change)
    OptionalLong before = version(lake, p, "silver.customers_history");
    lake.run(p.pipeline(), p.environment(),
        RunOptions.all().only(TableRef.parse("silver.customers_history")));
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(before);
    assertThat(progress(lake, p).stream().filter(l -> l.startsWith("silver.customers_history|"))).containsExactly(
        "silver.customers_history|" + v1 + "|INFO|COMPLETED|3|0|3",
        "silver.customers_history|" + v2 + "|INFO|COMPLETED|1|1|1",
        "silver.customers_history|" + v3 + "|INFO|COMPLETED|1|0|1",
        "silver.customers_history|null|INFO|UNCHANGED|null|null|null");
    // a full refresh would read only the current version: the history would be lost, so it is refused
    assertThatThrownBy(() -> lake.run(p.pipeline(), p.environment(),
        RunOptions.all().fullRefresh(TableRef.parse("silver.customers_history"))))
        .hasMessageContaining("Full refresh of silver.customers_history refused")
        .hasMessageContaining("SCD type 2 history of its from table's past versions")
        .hasMessageContaining("--allow-reset");
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(before);
  }

  /**
   * Snapshots without a declared schema whose columns change: a new column is added to the tables
   * (and is a change of every key whose value is not NULL); a snapshot that lacks a column the
   * table has, or that an earlier pending version brings, fails the run before anything is written.
   */
  @Test
  void aNewColumnIsAddedAndAMissingOneFailsTheRunBeforeAnythingIsWritten(Lakehouse lake) throws IOException {
    Path folder = lake.root().resolve("landing/evolving_snapshots");
    Files.writeString(Files.createDirectories(folder.resolve("1")).resolve("part-0.csv"), "id,name\n1,Ann\n2,Bob\n");
    Files.writeString(Files.createDirectories(folder.resolve("2")).resolve("part-0.csv"),
        "id,name,city\n1,Ann,Lima\n2,Bob,\n");                                // city arrives, NULL for Bob
    String source = "from-snapshot { path = \"" + folder + "\", format = csv, options { header = true } }";
    Lakehouse.Loaded p = load(lake, "snapevolve", "  silver.customers { keys = [id], cdc { " + source + " } }\n"
        + "  silver.customers_history { keys = [id], cdc { stored-as-scd-type = 2, " + source + " } }\n");
    lake.run(p);                                                                  // both versions in one run
    List<String> scd1 = List.of("1|Ann|Lima", "2|Bob|null");
    assertThat(dump(lake.table(p, "silver.customers").select("id", "name", "city")))
        .containsExactlyElementsOf(scd1);
    assertThat(dump(lake.table(p, "silver.customers_history").select("id", "name", "city", "__START_AT", "__END_AT")))
        .containsExactly("1|Ann|Lima|2|null", "1|Ann|null|1|2", "2|Bob|null|1|null");
    assertThat(progress(lake, p)).containsExactly(                               // version 2: Ann's city only
        "silver.customers_history|1|INFO|COMPLETED|2|0|2", "silver.customers_history|2|INFO|COMPLETED|1|0|1",
        "silver.customers|1|INFO|COMPLETED|2|0|0", "silver.customers|2|INFO|COMPLETED|1|0|0");

    // version 3 brings tier, version 4 drops it again: the run fails up front, naming 4 and the fix
    Files.writeString(Files.createDirectories(folder.resolve("3")).resolve("part-0.csv"),
        "id,name,city,tier\n1,Ann,Lima,gold\n2,Bob,Oslo,\n");
    Files.writeString(Files.createDirectories(folder.resolve("4")).resolve("part-0.csv"),
        "id,name,city\n1,Ann,Lima\n2,Bob,Oslo\n");
    OptionalLong scd1Version = version(lake, p, "silver.customers");
    OptionalLong scd2Version = version(lake, p, "silver.customers_history");
    assertThatThrownBy(() -> lake.run(p)).hasMessageContaining("snapshot version 4 of ")
        .hasMessageContaining("rejected, nothing written in this run")
        .hasMessageContaining("lacks column(s) [tier] that the table has")
        .hasMessageContaining("from-snapshot.schema").hasMessageContaining("except-column-list and full-refresh");
    assertThat(version(lake, p, "silver.customers")).isEqualTo(scd1Version);
    assertThat(version(lake, p, "silver.customers_history")).isEqualTo(scd2Version);
    assertThat(dump(lake.table(p, "silver.customers").select("id", "name", "city")))
        .containsExactlyElementsOf(scd1);
  }

  /**
   * A snapshot whose column has another type than the table's (JSON inferred per version: whole
   * numbers, then a fraction) fails the run before anything is written, naming the version, the
   * column, both types and the fix, instead of Delta's MERGE casting the new values to the table's
   * type (7.5 would be stored as 7).
   */
  @Test
  void aColumnWhoseTypeChangesFailsTheRunBeforeAnythingIsWritten(Lakehouse lake) throws IOException {
    Path folder = lake.root().resolve("landing/typed_snapshots");
    Files.writeString(Files.createDirectories(folder.resolve("1")).resolve("part-0.json"),
        "{\"id\": 1, \"score\": 7}\n{\"id\": 2, \"score\": 9}\n");
    String source = "from-snapshot { path = \"" + folder + "\", format = json }";
    Lakehouse.Loaded p = load(lake, "snaptypes", "  silver.scores { keys = [id], cdc { " + source + " } }\n");
    lake.run(p);
    assertThat(dump(lake.table(p, "silver.scores").select("id", "score"))).containsExactly("1|7", "2|9");

    // a narrower type is written as the table's: score as INT (a CSV read that infers types)
    Path narrow = lake.root().resolve("landing/typed_snapshots_csv");
    Files.writeString(Files.createDirectories(narrow.resolve("2")).resolve("part-0.csv"), "id,score\n1,8\n2,9\n");
    Lakehouse.Loaded csv = load(lake, "snaptypes", "  silver.scores { keys = [id], cdc { from-snapshot { path = \""
        + narrow + "\", format = csv, options { header = true, inferSchema = true } } } }\n");
    // validate sees the types the run writes: no "score changes type from BIGINT to INT"
    assertThat(lake.runner(csv.pipeline(), p.environment()).validate().get(TableRef.parse("silver.scores"))
        .apply("score").dataType().simpleString()).isEqualTo("bigint");
    lake.run(csv.pipeline(), p.environment());
    assertThat(dump(lake.table(p, "silver.scores").select("id", "score"))).containsExactly("1|8", "2|9");
    assertThat(lake.table(p, "silver.scores").schema().apply("score").dataType().simpleString()).isEqualTo("bigint");

    Files.writeString(Files.createDirectories(folder.resolve("3")).resolve("part-0.json"),
        "{\"id\": 1, \"score\": 7.5}\n{\"id\": 2, \"score\": 9}\n");
    OptionalLong before = version(lake, p, "silver.scores");
    assertThatThrownBy(() -> lake.run(p)).hasMessageContaining("snapshot version 3 of ")
        .hasMessageContaining("rejected, nothing written in this run")
        .hasMessageContaining("column score is DOUBLE in the snapshot but BIGINT in the table")
        .hasMessageContaining("pipeline.silver.scores.cdc.from-snapshot.schema");
    assertThat(version(lake, p, "silver.scores")).isEqualTo(before);
    assertThat(dump(lake.table(p, "silver.scores").select("id", "score"))).containsExactly("1|8", "2|9");
  }

  @Test
  void mistakesFailValidateAndTheRunWithThePathAndTheFix(Lakehouse lake) throws IOException {
    Path folder = lake.root().resolve("landing/bad_snapshots");
    snapshot(folder, "v=1", "1,Ann,Lima\n");
    String source = "path = \"" + folder + "\", format = csv, options { header = true }";
    assertThat(validateError(lake, "snapkeys", "  silver.c { keys = [nope], cdc.from-snapshot { " + source + " } }"))
        .hasMessageContaining("pipeline.silver.c.keys").hasMessageContaining("nope");
    assertThat(validateError(lake, "snapcols",
        "  silver.c { keys = [id], cdc { column-list = [id, town], from-snapshot { " + source + " } } }"))
        .hasMessageContaining("pipeline.silver.c.cdc.column-list names column(s) [town]")
        .hasMessageContaining("fix the name");
    assertThat(validateError(lake, "snaptrack", "  silver.c { keys = [id], cdc { stored-as-scd-type = 2,"
        + " track-history-column-list = [town], from-snapshot { " + source + " } } }"))
        .hasMessageContaining("pipeline.silver.c.cdc.track-history-column-list names column(s) [town]");
    Path empty = Files.createDirectories(lake.root().resolve("landing/no_snapshots"));
    assertThat(validateError(lake, "snapnone", "  silver.c { keys = [id], cdc.from-snapshot { path = \"" + empty
        + "\", format = csv } }"))
        .hasMessageContaining("pipeline.silver.c.cdc.from-snapshot").hasMessageContaining("no snapshot version yet")
        .hasMessageContaining("schema =");

    Files.createDirectories(folder.resolve("latest"));
    String bad = "  silver.c { keys = [id], cdc.from-snapshot { " + source + " } }";
    assertThat(validateError(lake, "snapname", bad))
        .hasMessageContaining("pipeline.silver.c.cdc.from-snapshot.path")
        .hasMessageContaining("a subfolder named 'latest', which is not a snapshot version")
        .hasMessageContaining("v=<n> or <n>");
    // with the snapshots' schema given, validate still lists the folder (the run would fail on it)
    assertThat(validateError(lake, "snapnamed", "  silver.c { keys = [id], cdc.from-snapshot { " + source
        + ", schema = \"id INT, name STRING, city STRING\" } }"))
        .hasMessageContaining("pipeline.silver.c.cdc.from-snapshot.path")
        .hasMessageContaining("a subfolder named 'latest', which is not a snapshot version");
    Lakehouse.Loaded p = load(lake, "snapname", bad);
    assertThatThrownBy(() -> lake.run(p)).hasMessageContaining("'latest', which is not a snapshot version");
    TableName target = p.environment().tableName(p.pipeline(), TableRef.parse("silver.c"));
    assertThat(DeltaSink.exists(lake.spark(), target)).isFalse();
  }

  private static Throwable validateError(Lakehouse lake, String name, String tables) throws IOException {
    Lakehouse.Loaded p = load(lake, name, tables);
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> lake.runner(p.pipeline(), p.environment()).validate());
    assertThat(t).as("validate fails").isInstanceOf(MedallionException.class);
    return t;
  }
}
