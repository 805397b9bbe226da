package io.medallion.connector.files.internal;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/** Picks the lister of a root: {@link S3Lister} on S3, {@link HadoopLister} elsewhere. */
public final class FileListers {
  private FileListers() {}

  /**
   * {@link S3Lister} for {@code s3://}, {@code s3a://} and {@code s3n://} roots (S3A settings of
   * {@code conf}), {@link HadoopLister} for any other Hadoop path ({@code file:}, {@code hdfs:},
   * {@code abfss:}, a path without scheme on the default file system).
   */
  public static FileLister forRoot(String rootUri, Configuration conf) throws IOException {
    if (rootUri == null || rootUri.isBlank()) {
      throw new IllegalArgumentException("A file source needs a root path");
    }
    return S3Location.isS3(rootUri) ? new S3Lister(rootUri, conf)
        : new HadoopLister(rootUri, conf);
  }
}
