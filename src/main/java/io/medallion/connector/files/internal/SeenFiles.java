package io.medallion.connector.files.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Which paths were discovered, with size and modification time: an on-disk index (RocksDB, from
 * Spark's own dependencies) that answers "seen before?" for full listings and notifications
 * without holding the paths in memory.
 *
 * <p>It is a local cache derived from the {@link DiscoveryLog} (which is the durable truth in the
 * checkpoint): it lives under the local temp directory, keyed by the log's location, and remembers
 * the log id and the last sequence number it holds. {@link #catchUp} replays whatever the log has
 * beyond that, and rebuilds from scratch when the log is a different one (a new checkpoint at the
 * same path) or the cache was lost (a new driver machine). A restart on the same machine replays
 * nothing.
 */
public final class SeenFiles implements AutoCloseable {
  private static final byte[] META = "\u0000meta".getBytes(StandardCharsets.UTF_8);

  static {
    RocksDB.loadLibrary();
  }

  private final File dir;
  private final RocksDB db;
  private final Options options;
  private String logId;
  private long upTo;

  private SeenFiles(File dir) throws RocksDBException {
    this.dir = dir;
    this.options = new Options().setCreateIfMissing(true).setWriteBufferSize(8L << 20)
        .setMaxWriteBufferNumber(2).setKeepLogFileNum(2);
    this.db = RocksDB.open(options, dir.getAbsolutePath());
    byte[] meta = db.get(META);
    if (meta == null) {
      logId = "";
      upTo = -1;
    } else {
      ByteBuffer b = ByteBuffer.wrap(meta);
      upTo = b.getLong();
      byte[] id = new byte[b.remaining()];
      b.get(id);
      logId = new String(id, StandardCharsets.UTF_8);
    }
  }

  /** Opens the index cache for a log location (under {@code java.io.tmpdir}). */
  public static SeenFiles open(String logLocation) {
    File root = new File(System.getProperty("java.io.tmpdir"), "medallion-cloudfiles");
    File dir = new File(root, sha1(logLocation));
    try {
      Files.createDirectories(dir.toPath());
      return new SeenFiles(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the file index cache in " + dir, e);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot open the file index cache in " + dir + ": "
          + e.getMessage() + ". Another stream in this JVM may use the same checkpoint.", e);
    }
  }

  /** Brings the index up to the log's last entry; returns how many entries were replayed. */
  public long catchUp(DiscoveryLog log) {
    try {
      if (!log.logId().equals(logId) || upTo > log.lastSeq()) {
        clear();
        logId = log.logId();
        upTo = -1;
      }
      if (upTo == log.lastSeq()) {
        return 0;
      }
      long[] count = {0};
      WriteBatch[] batch = {new WriteBatch()};
      long[] last = {upTo};
      log.readAll(upTo, (seq, e) -> {
        put(batch[0], e, seq);
        last[0] = seq;
        if (++count[0] % 20_000 == 0) {
          try {
            flush(batch[0], seq);
          } catch (RocksDBException ex) {
            throw new IllegalStateException("cannot update the file index cache in " + dir + ": " + ex.getMessage(), ex);
          }
          batch[0] = new WriteBatch();
        }
      });
      flush(batch[0], last[0]);
      return count[0];
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot update the file index cache in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The entry recorded for a path, if it was seen. */
  public Optional<FileEntry> get(String path) {
    try {
      byte[] v = db.get(path.getBytes(StandardCharsets.UTF_8));
      if (v == null) {
        return Optional.empty();
      }
      ByteBuffer b = ByteBuffer.wrap(v);
      return Optional.of(new FileEntry(path, b.getLong(), b.getLong()));
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the file index cache in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Records entries just appended to the log as {@code firstSeq..}. */
  public void added(java.util.List<FileEntry> entries, long lastSeq) {
    try (WriteBatch batch = new WriteBatch()) {
      long seq = lastSeq - entries.size() + 1;
      for (FileEntry e : entries) {
        put(batch, e, seq++);
      }
      flush(batch, lastSeq);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot update the file index cache in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void put(WriteBatch batch, FileEntry e, long seq) {
    try {
      batch.put(e.path().getBytes(StandardCharsets.UTF_8),
          ByteBuffer.allocate(24).putLong(e.size()).putLong(e.modificationTime()).putLong(seq).array());
    } catch (RocksDBException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private void flush(WriteBatch batch, long seq) throws RocksDBException {
    byte[] id = logId.getBytes(StandardCharsets.UTF_8);
    batch.put(META, ByteBuffer.allocate(8 + id.length).putLong(seq).put(id).array());
    try (WriteOptions w = new WriteOptions()) {
      db.write(w, batch);
    }
    batch.close();
    upTo = seq;
  }

  private void clear() throws RocksDBException {
    try (var it = db.newIterator()) {
      it.seekToFirst();
      if (!it.isValid()) {
        return;
      }
      byte[] first = it.key();
      it.seekToLast();
      byte[] last = it.key();
      db.deleteRange(first, last);
      db.delete(last);
    }
  }

  @Override
  public void close() {
    db.close();
    options.close();
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
