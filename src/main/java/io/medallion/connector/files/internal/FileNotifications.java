package io.medallion.connector.files.internal;

import java.util.List;

/** New files announced by a queue (S3 event notifications in SQS), for notification mode. */
public interface FileNotifications extends AutoCloseable {
  /**
   * Files announced since the last poll, how many messages were received (files, test events,
   * removals...), and how to acknowledge (delete) them.
   */
  record Received(List<FileEntry> files, int messages, Runnable ack) {}

  /** Receives up to {@code max} announced files; empty when the queue has nothing. */
  Received poll(int max);

  /** Receive requests issued so far. */
  long requests();

  @Override
  default void close() {}
}
