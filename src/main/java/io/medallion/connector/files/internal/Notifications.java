package io.medallion.connector.files.internal;

import org.apache.hadoop.conf.Configuration;

/** STUB until branch files-s3 lands. */
final class Notifications {
  private Notifications() {}

  static FileNotifications sqs(CloudFilesOptions o, String root, Configuration conf) {
    throw new UnsupportedOperationException("notifications: not yet");
  }
}
