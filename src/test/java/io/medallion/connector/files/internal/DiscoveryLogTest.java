package io.medallion.connector.files.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The discovery log in the checkpoint and the seen-files index derived from it. */
class DiscoveryLogTest {
  /** The test kit session's Hadoop configuration (its local file system starts no process per file). */
  static Configuration conf() {
    return io.medallion.testkit.LocalSpark.session().sessionState().newHadoopConf();
  }

  @TempDir Path dir;

  static List<FileEntry> files(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> new FileEntry("file:/l/f" + i + ".json", i, 1000L + i)).toList();
  }

  DiscoveryLog open() {
    return DiscoveryLog.open(new org.apache.hadoop.fs.Path(dir.resolve("files").toUri()), conf());
  }

  @Test
  void sequenceNumbersRangesAndListingPositionSurviveReopening() {
    DiscoveryLog log = open();
    assertThat(log.lastSeq()).isEqualTo(-1);
    assertThat(log.append(files(0, 3), Optional.of("file:/l/f2.json"))).isEqualTo(2);
    assertThat(log.append(files(3, 5), Optional.empty())).isEqualTo(4);

    DiscoveryLog again = open();
    assertThat(again.logId()).isEqualTo(log.logId());
    assertThat(again.lastSeq()).isEqualTo(4);
    assertThat(again.listedUpTo()).contains("file:/l/f2.json");
    assertThat(again.entries(1, 3)).containsExactly(files(2, 4).toArray(new FileEntry[0]));
  }

  @Test
  void pathsWithTabsNewlinesAndBackslashesRoundTrip() {
    FileEntry odd = new FileEntry("file:/l/a\tb\nc\\d.json", 7, 8);
    open().append(List.of(odd), Optional.empty());
    assertThat(open().entries(-1, 0)).containsExactly(odd);
  }

  @Test
  void compactionMergesSmallSegmentsAndKeepsEveryEntry() {
    DiscoveryLog log = open();
    for (int i = 0; i < 70; i++) {
      log.append(files(i * 2, i * 2 + 2), Optional.of("file:/l/f" + (i * 2 + 1) + ".json"));
    }
    assertThat(log.segments()).hasSize(70);
    log.compact(99); // entries 0..99 are committed
    assertThat(log.segments()).hasSize(1 + 20);
    DiscoveryLog reopened = open();
    assertThat(reopened.segments()).hasSize(21);
    assertThat(reopened.entries(-1, 139)).containsExactlyElementsOf(files(0, 140));
    assertThat(reopened.listedUpTo()).contains("file:/l/f139.json");
  }

  @Test
  void aMissingSegmentIsAClearError() throws Exception {
    DiscoveryLog log = open();
    log.append(files(0, 2), Optional.empty());
    log.append(files(2, 4), Optional.empty());
    log.append(files(4, 6), Optional.empty());
    Files.delete(dir.resolve("files").resolve(log.segments().get(1).name()));
    assertThatThrownBy(this::open).hasMessageContaining("has a gap: files 2..3 are missing");
  }

  @Test
  void theSeenIndexCatchesUpAndIsRebuiltForAnotherLog() {
    DiscoveryLog log = open();
    log.append(files(0, 5), Optional.empty());
    try (SeenFiles seen = SeenFiles.open("test-" + dir)) {
      assertThat(seen.catchUp(log)).isEqualTo(5);
      assertThat(seen.get("file:/l/f3.json")).contains(new FileEntry("file:/l/f3.json", 3, 1003));
      assertThat(seen.get("file:/l/f9.json")).isEmpty();
      log.append(files(5, 7), Optional.empty());
      assertThat(seen.catchUp(log)).isEqualTo(2);
      assertThat(seen.catchUp(log)).isZero();
    }
    // A new checkpoint at the same place (new log id): the cache is rebuilt, not trusted.
    DiscoveryLog other = DiscoveryLog.open(new org.apache.hadoop.fs.Path(dir.resolve("other").toUri()), conf());
    other.append(files(100, 101), Optional.empty());
    try (SeenFiles seen = SeenFiles.open("test-" + dir)) {
      assertThat(seen.catchUp(other)).isEqualTo(1);
      assertThat(seen.get("file:/l/f3.json")).isEmpty();
      assertThat(seen.get("file:/l/f100.json")).isPresent();
    }
  }
}
