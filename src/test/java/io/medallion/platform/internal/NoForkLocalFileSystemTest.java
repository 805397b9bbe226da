package io.medallion.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NoForkLocalFileSystem} gives Hadoop's own answers (permissions, link status, a rename that
 * refuses an existing target) and a local session writes Delta tables and streaming checkpoints
 * through it without starting a process (seen by a JFR recording of {@code jdk.ProcessStart}, which
 * sees Hadoop's own file system start one).
 */
@ExtendWith(MedallionExtension.class)
class NoForkLocalFileSystemTest {
  @TempDir Path dir;

  static RawLocalFileSystem hadoops() throws IOException {
    RawLocalFileSystem fs = new RawLocalFileSystem();
    fs.initialize(java.net.URI.create("file:///"), new Configuration());
    return fs;
  }

  static NoForkLocalFileSystem.Raw ours() throws IOException {
    NoForkLocalFileSystem.Raw fs = new NoForkLocalFileSystem.Raw();
    fs.initialize(java.net.URI.create("file:///"), new Configuration());
    return fs;
  }

  @Test
  void permissionsAreTheOnesHadoopsChmodSets() throws IOException {
    RawLocalFileSystem hadoop = hadoops();
    NoForkLocalFileSystem.Raw ours = ours();
    for (short mode : new short[] {0644, 0755, 0600, 0700, 0777, 0640, 0751, 0444, 0}) {
      Path a = Files.createFile(dir.resolve("hadoop-" + mode));
      Path b = Files.createFile(dir.resolve("ours-" + mode));
      hadoop.setPermission(new org.apache.hadoop.fs.Path(a.toUri()), new FsPermission(mode));
      ours.setPermission(new org.apache.hadoop.fs.Path(b.toUri()), new FsPermission(mode));
      assertThat(Files.getPosixFilePermissions(b)).as("mode %o", mode).isEqualTo(Files.getPosixFilePermissions(a))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString(new FsPermission(mode).toString()));
    }
    org.apache.hadoop.fs.Path sub = new org.apache.hadoop.fs.Path(dir.resolve("made/deeper").toUri());
    assertThat(ours.mkdirs(sub, new FsPermission((short) 0751))).isTrue();
    assertThat(Files.getPosixFilePermissions(dir.resolve("made/deeper")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x--x"));
    assertThatThrownBy(() -> ours.setPermission(new org.apache.hadoop.fs.Path(dir.resolve("missing").toUri()),
        new FsPermission((short) 0644))).isInstanceOf(IOException.class);
  }

  @Test
  void linkStatusIsHadoopsOwn() throws IOException {
    RawLocalFileSystem hadoop = hadoops();
    NoForkLocalFileSystem.Raw ours = ours();
    Path file = Files.writeString(dir.resolve("f.json"), "{}");
    Path folder = Files.createDirectory(dir.resolve("d"));
    Path link = Files.createSymbolicLink(dir.resolve("l"), file);
    for (String p : new String[] {file.toUri().toString(), folder.toUri().toString(), file.toString(),
        link.toString(), link.toUri().toString()}) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(p);
      FileStatus h = hadoop.getFileLinkStatus(path);
      FileStatus o = ours.getFileLinkStatus(path);
      assertThat(List.of(o.getPath(), o.isDirectory(), o.isSymlink(), o.getLen(), o.getModificationTime()))
          .as(p).isEqualTo(List.of(h.getPath(), h.isDirectory(), h.isSymlink(), h.getLen(), h.getModificationTime()));
      if (h.isSymlink()) {
        assertThat(o.getSymlink()).as(p).isEqualTo(h.getSymlink());
      }
    }
    org.apache.hadoop.fs.Path missing = new org.apache.hadoop.fs.Path(dir.resolve("missing").toUri());
    assertThatThrownBy(() -> hadoop.getFileLinkStatus(missing)).isInstanceOf(FileNotFoundException.class);
    assertThatThrownBy(() -> ours.getFileLinkStatus(missing)).isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void aRenameOntoAnExistingFileFailsUnlessItOverwrites(Lakehouse lake) throws IOException {
    Configuration conf = lake.spark().sparkContext().hadoopConfiguration();
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf);
    assertThat(fc.getDefaultFileSystem()).isInstanceOf(NoForkLocalFileSystem.Fs.class);
    assertThat(FileSystem.get(dir.toUri(), conf)).isInstanceOf(NoForkLocalFileSystem.class);
    org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(dir.resolve(".1.json.tmp").toUri());
    org.apache.hadoop.fs.Path commit = new org.apache.hadoop.fs.Path(dir.resolve("1.json").toUri());
    try (var out = fc.create(tmp, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.writeBytes("first");
    }
    fc.rename(tmp, commit);
    try (var out = fc.create(tmp, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.writeBytes("second");
    }
    // Delta's log store commits by such a rename: a second writer of version 1 must fail
    assertThatThrownBy(() -> fc.rename(tmp, commit)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(dir.resolve("1.json"))).isEqualTo("first");
    fc.rename(tmp, commit, Options.Rename.OVERWRITE);
    assertThat(Files.readString(dir.resolve("1.json"))).isEqualTo("second");
  }

  @Test
  void aLocalSessionWritesDeltaAndCheckpointsWithoutStartingAProcess(Lakehouse lake) throws Exception {
    SparkSession spark = lake.spark();
    String table = dir.resolve("t").toUri().toString();
    String copy = dir.resolve("copy").toUri().toString();
    List<String> started = processesStartedDuring(() -> {
      spark.range(0, 10).write().format("delta").save(table);
      spark.range(10, 20).write().format("delta").mode("append").save(table);
      var query = spark.readStream().format("delta").load(table).writeStream().format("delta")
          .option("checkpointLocation", dir.resolve("checkpoint").toString())
          .trigger(org.apache.spark.sql.streaming.Trigger.AvailableNow()).start(copy);
      query.awaitTermination();
    });
    assertThat(spark.read().format("delta").load(copy).count()).isEqualTo(20);
    assertThat(Files.list(dir.resolve("checkpoint/offsets"))).isNotEmpty();
    assertThat(started).as("processes started by Hadoop").isEmpty();
    // the recording does see one: Hadoop's own local file system starts chmod
    Path file = Files.createFile(dir.resolve("plain"));
    List<String> hadoops = processesStartedDuring(() ->
        hadoops().setPermission(new org.apache.hadoop.fs.Path(file.toUri()), new FsPermission((short) 0600)));
    assertThat(hadoops).hasSize(1).allMatch(c -> c.startsWith("chmod 0600 "));
  }

  interface Action {
    void run() throws Exception;
  }

  /** The commands of the processes Hadoop code starts (JFR's {@code jdk.ProcessStart}) while {@code action} runs. */
  List<String> processesStartedDuring(Action action) throws Exception {
    List<String> commands = new ArrayList<>();
    Path jfr = dir.resolve("processes-" + System.nanoTime() + ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart").withStackTrace();
      recording.start();
      action.run();
      recording.stop();
      recording.dump(jfr);
    }
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      boolean hadoop = e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
          .anyMatch(f -> f.getMethod().getType().getName().startsWith("org.apache.hadoop."));
      if (e.getEventType().getName().equals("jdk.ProcessStart") && hadoop) {
        commands.add(e.getString("command"));
      }
    }
    return commands;
  }
}
