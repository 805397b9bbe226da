package io.medallion.connector.files.internal;

import java.io.Serializable;

/**
 * One discovered file: its fully qualified path ({@code file:/...}, {@code s3a://bucket/key}), its
 * size in bytes and its modification time in epoch milliseconds, as listed (or as announced by a
 * notification) at discovery.
 */
public record FileEntry(String path, long size, long modificationTime) implements Serializable {
  public FileEntry {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("a file entry needs a path");
    }
  }
}
