package io.medallion.connector.files.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopListerTest {
  @TempDir static Path dir;
  static String rootUri;
  static List<String> visible = new ArrayList<>(); // relative paths of the files to be listed

  @BeforeAll
  static void files() throws IOException {
    for (String f : List.of("a-b/x", "a/x", "a/y/z", "a.json", "a0", "b c/d.json", "é/x.json",
        "2024/01/31/f1.json", "2024/01/31/f2.json", "2024/02/01/f1.json", "2024/02/01/f10.json",
        "2024/02/01/f2.json", "2024/10/01/f.json", "2024/1/f.json", "z")) {
      write(f);
      visible.add(f);
    }
    for (String f : List.of("_SUCCESS", ".hidden", "a/_temporary/part-0", "2024/.tmp/x.json",
        "2024/01/31/.f3.json.crc", "2024/01/31/_committed", "x.json._COPYING_")) {
      write(f);
    }
    Files.createDirectories(dir.resolve("empty/dir"));
    write("_part=1/p.json"); // a partition-like name: '_' with '=' is not hidden (Spark's rule)
    visible.add("_part=1/p.json");
    rootUri = dir.toUri().toString();
  }

  static void write(String relative) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, relative, StandardCharsets.UTF_8);
  }

  static List<FileEntry> list(HadoopLister lister, String startAfter) throws IOException {
    List<FileEntry> out = new ArrayList<>();
    lister.list(Optional.ofNullable(startAfter), out::add);
    return out;
  }

  static List<String> expectedPaths(String root) {
    return visible.stream().map(f -> root + f).sorted().collect(Collectors.toList());
  }

  @Test
  void listsEveryVisibleFileInLexicalOrderOfFullPaths() throws IOException {
    HadoopLister lister = new HadoopLister(rootUri, new Configuration());
    String root = lister.root().toString() + "/";
    assertThat(root).startsWith("file:/");
    List<FileEntry> entries = list(lister, null);
    List<String> paths = entries.stream().map(FileEntry::path).collect(Collectors.toList());
    assertThat(paths).containsExactlyElementsOf(expectedPaths(root));
    assertThat(paths).isSorted();
    FileEntry first = entries.get(0);
    assertThat(first.size()).isEqualTo(
        root.length() > 0 ? first.path().substring(root.length()).getBytes(StandardCharsets.UTF_8).length : 0);
    assertThat(first.modificationTime()).isGreaterThan(0);
    assertThat(lister.listRequests()).isGreaterThan(10);
  }

  @Test
  void startAfterSkipsEarlierFilesAndPrunesEarlierDirectories() throws IOException {
    HadoopLister full = new HadoopLister(rootUri, new Configuration());
    String root = full.root().toString() + "/";
    list(full, null);
    long fullRequests = full.listRequests();

    List<String> all = expectedPaths(root);
    for (String after : List.of(root + "2024/02/01/f10.json", root + "a/x", root + "a.json",
        root + "2024/01", root + "2024/01/31/", root + "0", root + "zz", "file:/")) {
      HadoopLister lister = new HadoopLister(rootUri, new Configuration());
      List<String> got = list(lister, after).stream().map(FileEntry::path)
          .collect(Collectors.toList());
      assertThat(got).as("after %s", after)
          .containsExactlyElementsOf(all.stream().filter(p -> p.compareTo(after) > 0)
              .collect(Collectors.toList()));
    }

    HadoopLister incremental = new HadoopLister(rootUri, new Configuration());
    List<String> got = list(incremental, root + "2024/10/01/f.json").stream()
        .map(FileEntry::path).collect(Collectors.toList());
    assertThat(got).containsExactly(root + "_part=1/p.json", root + "a-b/x", root + "a.json",
        root + "a/x", root + "a/y/z", root + "a0", root + "b c/d.json", root + "z",
        root + "é/x.json");
    // 2024/01 and 2024/02 are never listed; 2024/1 is, as "2024/1/" sorts after "2024/10/".
    assertThat(incremental.listRequests()).isLessThan(fullRequests);

    HadoopLister last = new HadoopLister(rootUri, new Configuration());
    assertThat(list(last, root + "é/x.json")).isEmpty();
    // The root and é/ (which holds startAfter): every other directory is pruned.
    assertThat(last.listRequests()).isEqualTo(2);
  }

  @Test
  void missingRootListsAsEmptyAndAFileRootListsItself() throws IOException {
    HadoopLister missing = new HadoopLister(dir.resolve("nope").toUri().toString(),
        new Configuration());
    assertThat(list(missing, null)).isEmpty();

    HadoopLister file = new HadoopLister(dir.resolve("a.json").toUri().toString(),
        new Configuration());
    assertThat(list(file, null)).extracting(FileEntry::path)
        .containsExactly(file.root().toString());
  }

  @Test
  void factoryPicksTheListerByScheme() throws IOException {
    try (FileLister lister = FileListers.forRoot(rootUri, new Configuration())) {
      assertThat(lister).isInstanceOf(HadoopLister.class);
    }
    Configuration conf = new Configuration(false);
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:1");
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.access.key", "AK");
    conf.set("fs.s3a.secret.key", "very-secret-value");
    for (String uri : List.of("s3a://b1/in", "s3://b1/in/", "s3n://b1/in")) {
      try (FileLister lister = FileListers.forRoot(uri, conf)) {
        assertThat(lister).isInstanceOf(S3Lister.class);
        assertThat(((S3Lister) lister).root().prefix()).isEqualTo("in/");
        assertThat(lister.toString()).doesNotContain("very-secret-value");
      }
    }
  }
}
