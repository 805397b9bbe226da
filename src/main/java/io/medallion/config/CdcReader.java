package io.medallion.config;

import com.typesafe.config.ConfigObject;
import io.medallion.table.CdcSpec;
import java.time.Duration;
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
      "tombstone-retention");
  private static final Map<String, String> HINTS = Map.of(
      "keys", "keys belong to the table, not to its cdc block: move keys = [...] up one level",
      "sequence-by", "sequence-by belongs to the table, not to its cdc block: move it up one level",
      "stored-as", "the option is stored-as-scd-type = 1 | 2");

  private CdcReader() {}

  static CdcSpec read(Section table, List<String> keys, ConfigObject defaults) {
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
    List<CdcSpec.Problem> problems = CdcSpec.problems(keys, sequenceBy, truncates, c.stringList("column-list", list),
        c.stringList("except-column-list", list), (int) type, c.stringList("track-history-column-list", list),
        c.stringList("track-history-except-column-list", list), ignore.equals("true"),
        c.stringList("ignore-null-updates-column-list", list), c.stringList("ignore-null-updates-except-column-list", list),
        retention);
    for (CdcSpec.Problem p : problems) {
      Section at = p.key().equals("keys") || p.key().equals("sequence-by") ? table : c;
      throw at.error(p.key(), p.message() + ".");
    }
    return new CdcSpec(keys, sequenceBy, deletes, truncates, c.stringList("column-list", list),
        c.stringList("except-column-list", list), (int) type, c.stringList("track-history-column-list", list),
        c.stringList("track-history-except-column-list", list), ignore.equals("true"),
        c.stringList("ignore-null-updates-column-list", list), c.stringList("ignore-null-updates-except-column-list", list),
        retention);
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
