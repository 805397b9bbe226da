package io.medallion.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.DeltaWriter;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import scala.Option;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.Seq;

/**
 * What a table was computed from: the version (and Delta table id) of each input and a
 * fingerprint of the computation (query text, rules), recorded in the {@code userMetadata} of the
 * very Delta commit that wrote the result. The record and the data therefore commit together: a
 * crash before the commit leaves the previous record, which still describes the table exactly.
 * The text goes with the write itself (Delta's {@code userMetadata} write option, or a table
 * property for a commit that writes no rows), never through the session's shared settings: tables
 * refresh concurrently in one session.
 *
 * <p>Reusable by any layer that wants to skip a table whose inputs did not change: {@link #current}
 * reads the inputs' versions, {@link #lastRecorded} the record of the table's last write, and
 * {@link #encode} is the text the write that records a new one carries ({@code Write.recording}).
 *
 * <p>Text form: {@code medallion-refresh/1 table=<name>;fp=<hex>;in=<name>@<tableId>@<version>,...}
 * (names URL-encoded).
 *
 * @param table the table written (a record found in another table's log is ignored)
 * @param fingerprint what was computed (see {@link #fingerprint})
 * @param inputs each input's Delta table id and version, by three-level name
 */
public record RefreshState(String table, String fingerprint, Map<String, InputVersion> inputs) {
  private static final String PREFIX = "medallion-refresh/1 ";
  /** Commits read per step when looking back for the last record (OPTIMIZE, ALTER add commits). */
  private static final int LOOK_BACK = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  public RefreshState {
    inputs = Map.copyOf(inputs);
  }

  /**
   * One input at one point in time.
   *
   * @param tableId Delta's table id (a dropped and recreated table gets a new one)
   * @param version the table's version
   */
  public record InputVersion(String tableId, long version) {}

  /** The current id and version of a Delta table, or empty when its log cannot be read here. */
  public static Optional<InputVersion> current(SparkSession spark, TableName name) {
    DeltaLog log = DeltaTables.deltaLog(spark, name);
    if (log == null) {
      return Optional.empty();
    }
    Snapshot s = log.update(false, Option.empty(), Option.empty());
    return Optional.of(new InputVersion(s.metadata().id(), s.version()));
  }

  /** A SHA-256 of the parts, in order (query text, rules, anything whose change changes the result). */
  public static String fingerprint(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        md.update(p.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The record of the table's last write that recorded one, if the table exists and has one. */
  public static Optional<RefreshState> lastRecorded(SparkSession spark, TableName table) {
    DeltaLog log = DeltaTables.deltaLog(spark, table);
    if (log == null) {
      return Optional.empty();
    }
    long latest = log.update(false, Option.empty(), Option.empty()).version();
    for (long end = latest; end >= 0; end -= LOOK_BACK) {
      long start = Math.max(0, end - LOOK_BACK + 1);
      Optional<RefreshState> found = Optional.empty();
      try {
        Iterator<Tuple2<Object, Seq<Action>>> commits = log.getChanges(start, end, false);
        while (commits.hasNext()) {
          Iterator<Action> actions = commits.next()._2().iterator();
          while (actions.hasNext()) {
            if (actions.next() instanceof CommitInfo info) {
              Optional<RefreshState> s = recorded(info).flatMap(RefreshState::parse);
              if (s.isPresent() && s.get().table().equals(table.toString())) {
                found = s; // the last one of the window wins
              }
            }
          }
        }
      } catch (RuntimeException e) {
        return Optional.empty(); // older commits cleaned up: nothing usable
      }
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /**
   * The record a commit carries: its {@code userMetadata}, or, for a commit that only recorded
   * ({@code Write.commitOnly()}), the property it set, as its operation parameters list it.
   */
  private static Optional<String> recorded(CommitInfo info) {
    if (info.userMetadata().isDefined()) {
      return Optional.of(info.userMetadata().get());
    }
    Option<String> props = info.operationParameters().get("properties");
    if (!"SET TBLPROPERTIES".equals(info.operation()) || props.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode value = JSON.readTree(props.get()).get(DeltaWriter.RECORD_PROPERTY);
      return value == null ? Optional.empty() : Optional.of(value.asText());
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  /** The text recorded in the commit. */
  public String encode() {
    List<String> in = new ArrayList<>();
    inputs.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        in.add(enc(e.getKey()) + "@" + enc(e.getValue().tableId()) + "@" + e.getValue().version()));
    return PREFIX + "table=" + enc(table) + ";fp=" + fingerprint + ";in=" + String.join(",", in);
  }

  /** Parses {@link #encode()}'s text; empty for anything else. */
  public static Optional<RefreshState> parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String f : text.substring(PREFIX.length()).split(";", -1)) {
        int eq = f.indexOf('=');
        fields.put(f.substring(0, eq), f.substring(eq + 1));
      }
      Map<String, InputVersion> inputs = new LinkedHashMap<>();
      String in = fields.getOrDefault("in", "");
      if (!in.isEmpty()) {
        for (String i : in.split(",")) {
          String[] p = i.split("@");
          inputs.put(dec(p[0]), new InputVersion(dec(p[1]), Long.parseLong(p[2])));
        }
      }
      return Optional.of(new RefreshState(dec(fields.get("table")), fields.get("fp"), inputs));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
