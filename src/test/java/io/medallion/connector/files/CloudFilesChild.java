package io.medallion.connector.files;

import io.medallion.testkit.LocalSpark;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.FileContextBasedCheckpointFileManager;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The process {@link CloudFilesCrashTest} kills, running both of its scenarios at once, each a
 * stream of its own. Arguments: for {@code in-batch-2}, then for {@code after-commit-2}, a landing
 * dir, a checkpoint and a Delta target.
 *
 * <ul>
 *   <li>{@code in-batch-2}: batch 2's offsets are logged, its write has not happened (between
 *       discovery and commit). The stream's thread stops there for good.
 *   <li>{@code after-commit-2}: batch 2's commit file is written, and the next trigger, which
 *       cleans its files, has not started (between commit and cleanSource): the stream's thread
 *       halts the JVM as it closes that file ({@link HaltingCheckpoints}), with exit code 137 and
 *       no shutdown hooks, as after {@code kill -9}. It waits at the start of batch 2 until the
 *       other stream has stopped, so that it is the last to reach its point.
 * </ul>
 *
 * <p>A stream that ends or fails before its point ends the JVM with exit code 1, saying which.
 */
public final class CloudFilesChild {
  public static void main(String[] args) throws Exception {
    SparkSession spark = LocalSpark.session();
    spark.conf().set("spark.sql.streaming.checkpointFileManagerClass", HaltingCheckpoints.class.getName());
    HaltingCheckpoints.haltAfter = new org.apache.hadoop.fs.Path(args[4], "commits/2").toUri().getPath();
    CountDownLatch inBatchStopped = new CountDownLatch(1);
    CloudFilesCrashTest.stream(spark, args[0], args[1], args[2], Trigger.ProcessingTime(0),
        id -> {
          if (id == 2) {
            System.out.println("in-batch-2: stopping in batch 2, before its write");
            System.out.flush();
            inBatchStopped.countDown();
            while (true) {
              LockSupport.park();
            }
          }
        });
    StreamingQuery afterCommit = CloudFilesCrashTest.stream(spark, args[3], args[4], args[5], Trigger.ProcessingTime(0),
        id -> {
          if (id == 2) {
            inBatchStopped.await();
          }
        });
    try {
      spark.streams().awaitAnyTermination();
      System.out.println("a stream ended before its kill point: "
          + (afterCommit.isActive() ? "in-batch-2" : "after-commit-2"));
    } catch (Throwable e) {
      System.out.println("a stream failed before its kill point:");
      e.printStackTrace(System.out);
    }
    System.out.flush();
    Runtime.getRuntime().halt(1);
  }

  /** Spark's checkpoint files, halting the JVM once the commit file {@link #haltAfter} is written. */
  public static final class HaltingCheckpoints extends FileContextBasedCheckpointFileManager {
    static volatile String haltAfter;

    public HaltingCheckpoints(org.apache.hadoop.fs.Path path, org.apache.hadoop.conf.Configuration conf) {
      super(path, conf);
    }

    @Override
    public CheckpointFileManager.CancellableFSDataOutputStream createAtomic(org.apache.hadoop.fs.Path path,
        boolean overwriteIfPossible) {
      CheckpointFileManager.CancellableFSDataOutputStream file = super.createAtomic(path, overwriteIfPossible);
      if (!path.toUri().getPath().equals(haltAfter)) {
        return file;
      }
      return new CheckpointFileManager.CancellableFSDataOutputStream(file) {
        @Override
        public void cancel() {
          file.cancel();
        }

        @Override
        public void close() throws java.io.IOException {
          file.close();
          System.out.println("after-commit-2: halting after writing " + path);
          System.out.flush();
          Runtime.getRuntime().halt(137);
        }
      };
    }
  }
}
