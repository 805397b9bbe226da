package io.medallion.connector.files.internal;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Lists the files under one root directory, recursively, in lexical order of their full path
 * strings (the order S3 lists keys in). Implementations stream entries to the consumer: memory
 * does not grow with the number of files listed.
 */
public interface FileLister extends AutoCloseable {
  /**
   * Sends every file under the root whose path sorts strictly after {@code startAfter} (all files
   * when empty) to {@code sink}, in lexical order of {@link FileEntry#path()}. Directories are not
   * sent. Paths use the same form as the root ({@code s3a://bucket/...}, {@code file:/...}).
   */
  void list(Optional<String> startAfter, Consumer<FileEntry> sink) throws IOException;

  /** LIST (directory listing) requests issued so far by this lister. */
  long listRequests();

  @Override
  default void close() throws IOException {}
}
