package io.medallion.connector.files.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager$;

/**
 * The durable record of discovered files, kept in the checkpoint: every file gets a sequence
 * number (0, 1, 2, ...) when it is discovered, and offsets of the stream are sequence numbers. A
 * batch {@code (start, end]} is exactly the files numbered {@code start+1 .. end}, so a batch re-run
 * after a crash reads the same files.
 *
 * <p>Layout under {@code <dir>}: {@code log.json} (identity: a random log id and the creation
 * time) and segments {@code <first>-<last>.seg}: gzip text, a JSON header line then one
 * {@code path TAB size TAB mtime} line per file in sequence order. Each discovery round writes one
 * segment atomically (temporary file + rename, via Spark's {@link CheckpointFileManager}) before
 * its files can be part of an offset. Small segments are merged by {@link #compact}; a merged
 * segment is written before the parts are deleted, and on load a segment covered by a larger one
 * is ignored, so a crash during compaction loses nothing.
 *
 * <p>Memory: only the list of segments (bounded by compaction) is held; entries are streamed from
 * disk when a batch is planned.
 */
public final class DiscoveryLog {
  static final int COMPACT_SEGMENTS = 64;
  static final int SMALL_SEGMENT = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One segment file: entries {@code first..last} and the header it was written with. */
  public record Segment(long first, long last, long discoveredAt, Optional<String> listedUpTo,
      String name) {
    long count() {
      return last - first + 1;
    }
  }

  private final Path dir;
  private final FileSystem fs;
  private final CheckpointFileManager files;
  private final String logId;
  private final long createdAt;
  private final List<Segment> segments = new ArrayList<>();

  private DiscoveryLog(Path dir, Configuration conf) throws IOException {
    this.dir = dir;
    this.fs = dir.getFileSystem(conf);
    this.files = CheckpointFileManager$.MODULE$.create(dir, conf);
    Path identity = new Path(dir, "log.json");
    if (!fs.exists(identity)) {
      fs.mkdirs(dir);
      ObjectNode id = JSON.createObjectNode();
      id.put("version", 1);
      id.put("logId", UUID.randomUUID().toString());
      id.put("createdAt", System.currentTimeMillis());
      writeAtomic(identity, w -> w.write(id.toString()));
    }
    JsonNode id = JSON.readTree(read(identity));
    if (id.path("version").asInt() != 1) {
      throw new IllegalStateException("The file discovery log at " + dir + " has version "
          + id.path("version") + ", which this medallion version cannot read. Use a newer medallion"
          + " or a new checkpoint location.");
    }
    this.logId = id.path("logId").asText();
    this.createdAt = id.path("createdAt").asLong();
    loadSegments();
  }

  /** Opens (creating when absent) the log in {@code dir}. */
  public static DiscoveryLog open(Path dir, Configuration conf) {
    try {
      return new DiscoveryLog(dir, conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file discovery log at " + dir + ": " + e.getMessage(), e);
    }
  }

  private void loadSegments() throws IOException {
    List<Segment> found = new ArrayList<>();
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (name.endsWith(".seg") && name.indexOf('-') > 0) {
        found.add(header(name));
      }
    }
    // Longest first among equal starts, then drop anything covered by what came before.
    found.sort(Comparator.comparingLong(Segment::first).thenComparing(Segment::last, Comparator.reverseOrder()));
    segments.clear();
    long covered = -1;
    for (Segment s : found) {
      if (s.last() <= covered) {
        continue;
      }
      if (s.first() != covered + 1) {
        throw new IllegalStateException("The file discovery log at " + dir + " has a gap: files "
            + (covered + 1) + ".." + (s.first() - 1) + " are missing (segment " + s.name() + "). The"
            + " checkpoint was changed by hand or only partly copied; restore it or start a new one.");
      }
      segments.add(s);
      covered = s.last();
    }
  }

  private Segment header(String name) throws IOException {
    try (BufferedReader r = reader(new Path(dir, name))) {
      JsonNode h = JSON.readTree(r.readLine());
      return new Segment(h.path("first").asLong(), h.path("last").asLong(),
          h.path("discoveredAt").asLong(),
          h.hasNonNull("listedUpTo") ? Optional.of(h.get("listedUpTo").asText()) : Optional.empty(),
          name);
    }
  }

  public String logId() {
    return logId;
  }

  /** When this log (and so the stream) was created, epoch ms. */
  public long createdAt() {
    return createdAt;
  }

  /** The sequence number of the last discovered file, -1 when none. */
  public long lastSeq() {
    return segments.isEmpty() ? -1 : segments.get(segments.size() - 1).last();
  }

  /** The last path seen by incremental listing, from the newest segment that recorded one. */
  public Optional<String> listedUpTo() {
    for (int i = segments.size() - 1; i >= 0; i--) {
      if (segments.get(i).listedUpTo().isPresent()) {
        return segments.get(i).listedUpTo();
      }
    }
    return Optional.empty();
  }

  /** When the newest segment was written, epoch ms; the log's creation time when empty. */
  public long lastDiscoveryAt() {
    return segments.isEmpty() ? createdAt : segments.get(segments.size() - 1).discoveredAt();
  }

  List<Segment> segments() {
    return List.copyOf(segments);
  }

  /**
   * Appends files as one segment and returns the last sequence number. {@code listedUpTo} is the
   * incremental-listing position to remember with them. Writing nothing (no files) returns the
   * current last sequence number.
   */
  public long append(List<FileEntry> entries, Optional<String> listedUpTo) {
    if (entries.isEmpty()) {
      return lastSeq();
    }
    long first = lastSeq() + 1;
    long last = first + entries.size() - 1;
    Segment s = new Segment(first, last, System.currentTimeMillis(), listedUpTo, name(first, last));
    try {
      writeSegment(s, entries.iterator());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the file discovery log at " + dir + ": " + e.getMessage(), e);
    }
    segments.add(s);
    return last;
  }

  private static String name(long first, long last) {
    return String.format("%020d-%020d.seg", first, last);
  }

  private void writeSegment(Segment s, Iterator<FileEntry> entries) throws IOException {
    writeAtomic(new Path(dir, s.name()), w -> {
      ObjectNode h = JSON.createObjectNode();
      h.put("version", 1);
      h.put("first", s.first());
      h.put("last", s.last());
      h.put("discoveredAt", s.discoveredAt());
      s.listedUpTo().ifPresent(k -> h.put("listedUpTo", k));
      w.write(h.toString());
      w.write('\n');
      while (entries.hasNext()) {
        FileEntry e = entries.next();
        w.write(escape(e.path()));
        w.write('\t');
        w.write(Long.toString(e.size()));
        w.write('\t');
        w.write(Long.toString(e.modificationTime()));
        w.write('\n');
      }
    });
  }

  /** Entries with sequence numbers in {@code (start, end]}, in order, each with its number. */
  public void read(long start, long end, SeqConsumer consumer) {
    for (Segment s : segments) {
      if (s.last() <= start || s.first() > end) {
        continue;
      }
      try (BufferedReader r = reader(new Path(dir, s.name()))) {
        r.readLine();
        long seq = s.first();
        String line;
        while ((line = r.readLine()) != null && seq <= end) {
          if (seq > start) {
            consumer.accept(seq, parse(line));
          }
          seq++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the file discovery log segment " + s.name()
            + " in " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /** The files in {@code (start, end]}. */
  public List<FileEntry> entries(long start, long end) {
    List<FileEntry> out = new ArrayList<>();
    read(start, end, (seq, e) -> out.add(e));
    return out;
  }

  /** Every entry, in order: for rebuilding an index. */
  public void readAll(long afterSeq, SeqConsumer consumer) {
    read(afterSeq, Long.MAX_VALUE, consumer);
  }

  /** A file with its sequence number. */
  @FunctionalInterface
  public interface SeqConsumer {
    void accept(long seq, FileEntry entry);
  }

  /**
   * Merges runs of small segments that end at or before {@code upTo} into one, when there are
   * more than {@value #COMPACT_SEGMENTS} segments.
   */
  public void compact(long upTo) {
    if (segments.size() <= COMPACT_SEGMENTS) {
      return;
    }
    List<Segment> run = new ArrayList<>();
    for (Segment s : segments) {
      if (s.last() > upTo) {
        break;
      }
      if (s.count() >= SMALL_SEGMENT && run.isEmpty()) {
        continue;
      }
      if (s.count() >= SMALL_SEGMENT) {
        break;
      }
      run.add(s);
    }
    if (run.size() < 2) {
      return;
    }
    Segment firstPart = run.get(0);
    Segment lastPart = run.get(run.size() - 1);
    Optional<String> listed = Optional.empty();
    for (Segment s : run) {
      if (s.listedUpTo().isPresent()) {
        listed = s.listedUpTo();
      }
    }
    Segment merged = new Segment(firstPart.first(), lastPart.last(), lastPart.discoveredAt(),
        listed, name(firstPart.first(), lastPart.last()));
    try {
      List<FileEntry> all = entries(firstPart.first() - 1, lastPart.last());
      writeSegment(merged, all.iterator());
      for (Segment s : run) {
        fs.delete(new Path(dir, s.name()), false);
      }
      loadSegments();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compact the file discovery log in " + dir + ": " + e.getMessage(), e);
    }
  }

  private interface WriterBody {
    void write(Writer w) throws IOException;
  }

  private void writeAtomic(Path path, WriterBody body) throws IOException {
    CheckpointFileManager.CancellableFSDataOutputStream out = files.createAtomic(path, true);
    Writer w;
    try {
      w = new BufferedWriter(new OutputStreamWriter(path.getName().endsWith(".seg")
          ? new GZIPOutputStream(out, 1 << 16) : out, StandardCharsets.UTF_8), 1 << 16);
      body.write(w);
      w.flush();
    } catch (IOException | RuntimeException e) {
      out.cancel();
      throw e;
    }
    w.close(); // finishes gzip, then closing the atomic stream publishes the file
  }

  private BufferedReader reader(Path path) throws IOException {
    var in = fs.open(path);
    return new BufferedReader(new InputStreamReader(
        path.getName().endsWith(".seg") ? new GZIPInputStream(in, 1 << 16) : in,
        StandardCharsets.UTF_8), 1 << 16);
  }

  private String read(Path path) throws IOException {
    try (BufferedReader r = reader(path)) {
      StringBuilder b = new StringBuilder();
      String line;
      while ((line = r.readLine()) != null) {
        b.append(line);
      }
      return b.toString();
    }
  }

  static String escape(String path) {
    if (path.indexOf('\t') < 0 && path.indexOf('\n') < 0 && path.indexOf('\\') < 0 && path.indexOf('\r') < 0) {
      return path;
    }
    return path.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }

  static FileEntry parse(String line) {
    int a = line.indexOf('\t');
    int b = line.indexOf('\t', a + 1);
    String p = line.substring(0, a);
    if (p.indexOf('\\') >= 0) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c == '\\' && i + 1 < p.length()) {
          char n = p.charAt(++i);
          s.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
        } else {
          s.append(c);
        }
      }
      p = s.toString();
    }
    return new FileEntry(p, Long.parseLong(line.substring(a + 1, b)), Long.parseLong(line.substring(b + 1)));
  }

  @Override
  public String toString() {
    return "DiscoveryLog[" + dir + ", files=" + (lastSeq() + 1) + ", segments=" + segments.size() + "]";
  }

}
