package io.medallion.platform.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}) without a child process per file written or renamed.
 *
 * <p>Without Hadoop's native library (never on a laptop or in a Maven build) {@link
 * RawLocalFileSystem} starts a {@code chmod} process for every file it creates (each Parquet file,
 * each Delta commit, each streaming checkpoint file) and a {@code readlink} process for both sides
 * of every {@link org.apache.hadoop.fs.FileContext} rename (each Delta commit and checkpoint file
 * again). A local run spends about 9 ms of CPU on each: 2,557 processes in 140 s of one test
 * (docs/architecture.md, "Test suite time"). This file system does the same through {@code
 * java.nio}:
 *
 * <ul>
 *   <li>{@link Raw#setPermission}: {@link Files#setPosixFilePermissions} with the same nine mode
 *       bits; Hadoop's own way for a sticky bit or a file system without POSIX permissions;
 *   <li>{@link Raw#getFileLinkStatus}: a path that is not a symbolic link has its plain status, as
 *       Hadoop's answer when {@code readlink} finds no link (it also finds none for a qualified
 *       {@code file:} path, whose text it passes on); a symbolic link goes to Hadoop's own code.
 * </ul>
 *
 * <p>Used by local sessions only ({@link #SESSION_CONF}: the CLI's on a {@code local} master, the
 * test kit's), never on a cluster or Databricks. It is set on the session being built, after the
 * job jar is loaded: {@code spark-submit --conf spark.hadoop.fs.file.impl=} this class fails with
 * {@code ClassNotFoundException}, because {@code SparkSubmit} reads the jar through {@code file:}
 * before the jar is on its class path.
 */
public final class NoForkLocalFileSystem extends LocalFileSystem {
  /** The session settings that make Spark, Delta and streaming checkpoints use it for {@code file:}. */
  public static final Map<String, String> SESSION_CONF = Map.of(
      "spark.hadoop.fs.file.impl", NoForkLocalFileSystem.class.getName(),
      "spark.hadoop.fs.AbstractFileSystem.file.impl", Fs.class.getName());

  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  /** The {@code FileSystem} for {@code file:} (with Hadoop's checksum files, as its own). */
  public NoForkLocalFileSystem() {
    super(new Raw());
  }

  /** The raw local file system, without child processes for permissions and link checks. */
  public static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (!POSIX || permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission.toShort()));
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      if (Files.isSymbolicLink(pathToFile(f).toPath())) {
        return super.getFileLinkStatus(f);
      }
      return getFileStatus(f);
    }
  }

  /** The {@code AbstractFileSystem} for {@code file:} ({@code FileContext}: Delta's log store). */
  public static final class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** Hadoop's {@code RawLocalFs} over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, "file", false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true;
    }
  }

  /** The nine permission bits of a mode ({@code 0644} and the like) as {@code java.nio}'s set. */
  static Set<PosixFilePermission> posix(short mode) {
    PosixFilePermission[] order = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }
}
