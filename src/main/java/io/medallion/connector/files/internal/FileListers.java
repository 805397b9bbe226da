package io.medallion.connector.files.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** STUB until branch files-s3 lands: a plain Hadoop listing in lexical order. */
public final class FileListers {
  private FileListers() {}

  public static FileLister forRoot(String root, Configuration conf) throws IOException {
    Path p = new Path(root);
    FileSystem fs = p.getFileSystem(conf);
    Path q = fs.makeQualified(p);
    return new FileLister() {
      long requests;

      @Override
      public void list(Optional<String> startAfter, Consumer<FileEntry> sink) throws IOException {
        walk(q, startAfter, sink);
      }

      private void walk(Path dir, Optional<String> after, Consumer<FileEntry> sink) throws IOException {
        requests++;
        FileStatus[] children;
        try {
          children = fs.listStatus(dir);
        } catch (java.io.FileNotFoundException e) {
          return;
        }
        Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName() + (s.isDirectory() ? "/" : "")));
        for (FileStatus s : children) {
          String name = s.getPath().getName();
          if (name.startsWith("_") || name.startsWith(".")) {
            continue;
          }
          String path = s.getPath().toString();
          if (s.isDirectory()) {
            String prefix = path + "/";
            if (after.isPresent() && prefix.compareTo(after.get()) < 0 && !after.get().startsWith(prefix)) {
              continue;
            }
            walk(s.getPath(), after, sink);
          } else if (after.isEmpty() || path.compareTo(after.get()) > 0) {
            sink.accept(new FileEntry(path, s.getLen(), s.getModificationTime()));
          }
        }
      }

      @Override
      public long listRequests() {
        return requests;
      }
    };
  }
}
