package io.medallion.table.internal.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.table.CdcSpec.FromSnapshot.VersionType;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Snapshot folder names to versions (numbers and times), versions to text, and applied-version ranges. */
class SnapshotVersionsTest {
  private static OptionalLong time(String name) {
    return SnapshotVersions.parseFolderName(name, VersionType.TIMESTAMP);
  }

  private static OptionalLong micros(String instant) {
    return OptionalLong.of(io.medallion.table.Snapshots.version(Instant.parse(instant)));
  }

  @Test
  void numberFoldersAreWholeNumbersWithAnOptionalVPrefix() {
    assertThat(SnapshotVersions.parseFolderName("v=3", VersionType.NUMBER)).hasValue(3);
    assertThat(SnapshotVersions.parseFolderName("0042", VersionType.NUMBER)).hasValue(42);
    assertThat(SnapshotVersions.parseFolderName("20261201", VersionType.NUMBER)).hasValue(20261201);
    assertThat(SnapshotVersions.parseFolderName("2026-12-01", VersionType.NUMBER)).isEmpty();
    assertThat(SnapshotVersions.parseFolderName("version=3", VersionType.NUMBER)).isEmpty();
    assertThat(SnapshotVersions.parseFolderName("v=-1", VersionType.NUMBER)).isEmpty();
  }

  @Test
  void timeFoldersAreIsoDatesOrDateTimesInUtcUnlessTheyHaveAnOffset() {
    assertThat(time("2026-12-01")).isEqualTo(micros("2026-12-01T00:00:00Z"));
    assertThat(time("snapshot_date=2026-12-01")).isEqualTo(micros("2026-12-01T00:00:00Z"));
    assertThat(time("2026-12-01T06:30")).isEqualTo(micros("2026-12-01T06:30:00Z"));
    assertThat(time("2026-12-01 06:30:15")).isEqualTo(micros("2026-12-01T06:30:15Z"));
    assertThat(time("ts=2026-12-01T06%3A30%3A15.000123Z")).isEqualTo(micros("2026-12-01T06:30:15.000123Z"));
    assertThat(time("2026-12-01T06:30:00+01:00")).isEqualTo(micros("2026-12-01T05:30:00Z"));
    assertThat(time("2026-12-01T06:30:00-02:00")).isEqualTo(micros("2026-12-01T08:30:00Z"));
    assertThat(time("1969-12-31T23:59:59.999999Z")).hasValue(-1);
    // not a time: the caller reports the name with the expected forms
    for (String bad : new String[] {"20261201", "v=1", "2026-02-30", "2026-12-01T25:00", "2026-12-01T06:30:00.1234567Z",
        "2026-12-01+01:00", "1=2026-12-01", "2026-12-01T06:30:00 UTC", "2026/12/01"}) {
      assertThat(time(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void versionsReadAsTheirNumberOrTheirTime() {
    assertThat(SnapshotVersions.label(7, false)).isEqualTo("7");
    assertThat(SnapshotVersions.label(micros("2026-12-01T06:30:00Z").getAsLong(), true)).isEqualTo("2026-12-01T06:30:00Z");
    assertThat(SnapshotVersions.label(micros("2026-12-01T06:30:00.000123Z").getAsLong(), true))
        .isEqualTo("2026-12-01T06:30:00.000123Z");
  }

  @Test
  void appliedVersionsAreKeptAsRanges() {
    java.util.Set<Long> versions = java.util.Set.of(1L, 2L, 3L, 5L, 8L, 9L, 1_764_570_600_000_000L);
    String text = SnapshotVersions.format(versions);
    assertThat(text).isEqualTo("1-3,5,8-9,1764570600000000");
    assertThat(SnapshotVersions.parse(text)).containsExactlyElementsOf(new java.util.TreeSet<>(versions));
  }
}
