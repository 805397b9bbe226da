package io.medallion.connector.files.internal;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.ChecksumException;

/**
 * What a failure while reading a file means, and the errors {@code cloudFiles} raises about
 * reading (problem, cause, fix).
 *
 * <p><b>Content errors</b> are a property of the file: it is not what its format says (not a
 * Parquet file, a corrupt page, a truncated or corrupt gzip stream, bytes that are not valid in the
 * charset), or it was deleted after discovery. Reading it again gives the same result, so the file
 * becomes one row with the error in the rescued-data column (see {@link ReadFormat}).
 *
 * <p><b>I/O errors</b> are everything else that is an {@link IOException} (a reset connection, a
 * timeout, throttling, a 503 from the object store, a lost disk): they say nothing about the file.
 * The task fails, so Spark retries it ({@code spark.task.maxFailures}) and, if it keeps failing,
 * the query stops before the batch commits and reads the file again when it restarts. Such an
 * error never becomes a row: a row would commit the batch, skip the rest of the file for good and,
 * with {@code cleanSource}, let the file be deleted.
 */
final class ReadErrors {
  private ReadErrors() {}

  /** Whether the failure is the file's content (see the class comment); I/O errors are not. */
  static boolean isContentError(Throwable e) {
    boolean io = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FileNotFoundException || t instanceof EOFException || t instanceof ZipException
          || t instanceof CharacterCodingException || t instanceof ChecksumException
          || fromFormatLibrary(t)) {
        return true;
      }
      io |= t instanceof IOException;
    }
    return !io; // a parser's RuntimeException is the content; any other IOException is I/O
  }

  private static boolean fromFormatLibrary(Throwable t) {
    String name = t.getClass().getName();
    String message = String.valueOf(t.getMessage());
    return name.startsWith("org.apache.parquet.") || name.startsWith("shaded.parquet.")
        || name.startsWith("org.apache.orc.") || name.startsWith("org.apache.avro.")
        || name.endsWith("IncompatibleSchemaException")
        || message.contains("is not a Parquet file") || message.contains("Malformed ORC file")
        || message.contains("Not an Avro data file");
  }

  /**
   * Rethrows what must fail the task: a stop for new columns, a killed or interrupted task, an I/O
   * error (wrapped by {@link #transientRead}). Returns normally for a content error.
   */
  static void rethrowUnlessContent(String path, Exception e) {
    if (e instanceof ReadFormat.NewColumnsException || e instanceof org.apache.spark.TaskKilledException
        || e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    if (!isContentError(e)) {
      throw transientRead(path, e);
    }
  }

  /**
   * The rows of {@code rows}; when reading fails, the row {@code onFailure} makes of the error
   * (which may rethrow instead), and nothing after it.
   */
  static <T> java.util.Iterator<T> guarded(java.util.Iterator<T> rows,
      java.util.function.Function<Exception, T> onFailure) {
    return new java.util.Iterator<>() {
      T pending;
      boolean failed;

      @Override
      public boolean hasNext() {
        if (pending != null) {
          return true;
        }
        if (failed) {
          return false;
        }
        try {
          return rows.hasNext();
        } catch (Exception e) { // Hadoop's readers throw IOExceptions undeclared (through Scala)
          failed = true;
          pending = onFailure.apply(e);
          return true;
        }
      }

      @Override
      public T next() {
        if (pending != null) {
          T r = pending;
          pending = null;
          return r;
        }
        try {
          return rows.next();
        } catch (Exception e) {
          failed = true;
          return onFailure.apply(e);
        }
      }
    };
  }

  /** An I/O error while reading: fails the task (see the class comment). */
  static RuntimeException transientRead(String path, Throwable e) {
    return new IllegalStateException("cloudFiles: reading " + path + " failed with an I/O error ("
        + e.getClass().getSimpleName() + ": " + e.getMessage() + "). The task fails so that Spark"
        + " retries it (spark.task.maxFailures); if it keeps failing the query stops before the"
        + " batch commits, and the file is read again from the start when the query restarts."
        + " Nothing of it was recorded as read. Check access to the storage if this persists.", e);
  }

  /** A content error without a rescued-data column to put it in. */
  static RuntimeException unreadable(String path, String what, Throwable e) {
    return new IllegalStateException("cloudFiles: cannot read " + path + ": " + what + ". Set"
        + " rescuedDataColumn to keep reading past unreadable files (they become one row"
        + " with the error in that column), or remove the file and restart.", e);
  }

  /** cloudFiles.format = avro without Spark's avro module on the classpath. */
  static IllegalStateException avroMissing(String sparkVersion, String scalaVersion) {
    return new IllegalStateException("cloudFiles.format = avro needs Spark's avro module"
        + " (org.apache.spark:spark-avro_" + scalaVersion + "), which is not part of Spark's core"
        + " and is not on the classpath. Add it to the job: spark-submit --packages"
        + " org.apache.spark:spark-avro_" + scalaVersion + ":" + sparkVersion + " ... (or put the"
        + " jar in Spark's jars folder / the cluster's libraries; the Databricks Runtime has it"
        + " built in).");
  }
}
