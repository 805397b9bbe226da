package io.medallion.config;

import com.typesafe.config.ConfigObject;
import io.medallion.table.CdcSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a silver table's {@code cdc { ... } } block (DLT's AUTO CDC options, hyphenated) into a
 * {@link CdcSpec}. Every rule that does not need the input's columns is checked here, with the
 * config path; the column rules are checked when the table's input is known ({@code validate} and
 * the start of a run).
 */
final class CdcReader {
  private static final Set<String> KEYS = Set.of("apply-as-deletes", "apply-as-truncates", "column-list",
      "except-column-list", "stored-as-scd-type", "track-history-column-list", "track-history-except-column-list",
      "ignore-null-updates", "ignore-null-updates-column-list", "ignore-null-updates-except-column-list",
      "tombstone-retention", "from-snapshot");
  private static final Set<String> SNAPSHOT_KEYS = Set.of("path", "format", "schema", "options", "version-type");
  private static final Map<String, String> SNAPSHOT_HINTS = Map.of(
      "from", "the snapshot table is the silver table's own from: move from = <layer.table> up to the table"
          + " and leave from-snapshot { } empty",
      "type", "a snapshot folder needs no type: write path = ... and format = ...",
      "versions", "the source decides: a path = ... is a folder of version subfolders, no path reads the"
          + " table's from",
      "sequence-by", "the snapshot version is the sequence: version-type = timestamp makes it a time (the from"
          + " table's commit time, or folders named 2026-12-01/, ...)");
  private static final Map<String, String> HINTS = Map.of(
      "keys", "keys belong to the table, not to its cdc block: move keys = [...] up one level",
      "sequence-by", "sequence-by belongs to the table, not to its cdc block: move it up one level",
      "stored-as", "the option is stored-as-scd-type = 1 | 2");

  private CdcReader() {}

  static CdcSpec read(Section table, List<String> keys, ConfigObject defaults, Path baseDir) {
    Section c = table.child("cdc", defaults, "a CDC block: cdc { apply-as-deletes = \"Op = 'D'\", stored-as-scd-type = 2 }");
    c.allowOnly(KEYS, "a cdc block", HINTS);
    List<String> sequenceBy = sequenceBy(table);
    Optional<String> deletes = c.optionalString("apply-as-deletes", "a SQL condition, e.g. \"Op = 'D'\"");
    Optional<String> truncates = c.optionalString("apply-as-truncates", "a SQL condition, e.g. \"Op = 'T'\"");
    String list = "a list of column names";
    long type = c.optionalLong("stored-as-scd-type", "1 or 2").orElse(1);
    String ignore = c.string("ignore-null-updates", "true or false");
    if (!ignore.equals("true") && !ignore.equals("false")) {
      throw c.error("ignore-null-updates", "expected true or false, but found '" + ignore + "'.");
    }
    Duration retention = c.duration("tombstone-retention");
    Optional<CdcSpec.FromSnapshot> snapshot = c.userSet("from-snapshot")
        ? Optional.of(fromSnapshot(c.child("from-snapshot", null,
            "a snapshot source: from-snapshot { } (the table's from) or from-snapshot { path = ..., format = parquet }"),
            baseDir))
        : Optional.empty();
    List<CdcSpec.Problem> problems = new ArrayList<>(snapshot.isEmpty() ? List.<CdcSpec.Problem>of()
        : CdcSpec.snapshotProblems(keys, sequenceBy, deletes, truncates, ignore.equals("true"),
            c.stringList("ignore-null-updates-column-list", list), c.stringList("ignore-null-updates-except-column-list", list)));
    problems.addAll(CdcSpec.problems(keys, snapshot.isPresent() ? List.of("(snapshot version)") : sequenceBy, truncates, c.stringList("column-list", list),
        c.stringList("except-column-list", list), (int) type, c.stringList("track-history-column-list", list),
        c.stringList("track-history-except-column-list", list), ignore.equals("true"),
        c.stringList("ignore-null-updates-column-list", list), c.stringList("ignore-null-updates-except-column-list", list),
        retention));
    for (CdcSpec.Problem p : problems) {
      Section at = p.key().equals("keys") || p.key().equals("sequence-by") ? table : c;
      throw at.error(p.key(), p.message() + ".");
    }
    return new CdcSpec(keys, sequenceBy, deletes, truncates, c.stringList("column-list", list),
        c.stringList("except-column-list", list), (int) type, c.stringList("track-history-column-list", list),
        c.stringList("track-history-except-column-list", list), ignore.equals("true"),
        c.stringList("ignore-null-updates-column-list", list), c.stringList("ignore-null-updates-except-column-list", list),
        retention, snapshot);
  }

  /**
   * {@code from-snapshot { }}: the table's {@code from} is the snapshot; {@code from-snapshot { path
   * = ..., format = ... }}: a folder of version subfolders ({@code v=1/} or {@code 1/}).
   */
  private static CdcSpec.FromSnapshot fromSnapshot(Section s, Path baseDir) {
    s.allowOnly(SNAPSHOT_KEYS, "a from-snapshot block", SNAPSHOT_HINTS);
    String expect = "number (the default: Delta versions, folders v=1/, v=2/, ...) or timestamp (Delta commit"
        + " times, folders named by date or date-time: 2026-12-01/, snapshot_date=2026-12-01T06:30:00Z/, ...)";
    String typeText = s.optionalString("version-type", expect).orElse("number").toLowerCase(java.util.Locale.ROOT);
    CdcSpec.FromSnapshot.VersionType versionType = switch (typeText) {
      case "number" -> CdcSpec.FromSnapshot.VersionType.NUMBER;
      case "timestamp" -> CdcSpec.FromSnapshot.VersionType.TIMESTAMP;
      default -> throw s.error("version-type", "expected " + expect + ", but found '" + typeText + "'.");
    };
    Optional<String> path = s.optionalString("path",
        "the folder whose subfolders v=1/, v=2/, ... (or 1/, 2/, ...) are the snapshot versions");
    if (path.isEmpty()) {
      for (String key : List.of("format", "schema", "options")) {
        if (s.userSet(key)) {
          throw s.error(key, key + " is for a snapshot folder: add path = \"<folder of v=1/, v=2/, ...>\" or"
              + " remove " + key + " (without a path the snapshot is the table's from, read as a table)");
        }
      }
      return CdcSpec.FromSnapshot.fromTable(versionType);
    }
    String format = s.nonBlank("format", "the snapshot files' format, e.g. format = parquet (csv, json, ...)");
    Optional<String> schema =
        s.optionalString("schema", "the columns as DDL, e.g. schema = \"customer_id INT, name STRING\"");
    Map<String, String> options = s.stringMap("options", "the reader options, e.g. options { header = true }");
    return CdcSpec.FromSnapshot.folder(Paths.resolve(path.get(), baseDir), format, schema, options, versionType);
  }

  /** {@code sequence-by}: one column, or a list of columns ordered like a struct. */
  private static List<String> sequenceBy(Section table) {
    String expect = "a column, or a list of columns ordered like a struct, e.g. sequence-by = [commit_ts, lsn]";
    if (!table.userSet("sequence-by")) {
      return List.of();
    }
    if (table.isList("sequence-by")) {
      return table.stringList("sequence-by", expect);
    }
    return List.of(table.string("sequence-by", expect));
  }
}
