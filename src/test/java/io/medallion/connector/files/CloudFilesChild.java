package io.medallion.connector.files;

import io.medallion.testkit.LocalSpark;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The process {@link CloudFilesCrashTest} kills. Arguments: landing dir, checkpoint, Delta target,
 * and where to die: {@code in-batch-2} (batch 2's offsets are logged, its write has not happened:
 * between discovery and commit) or {@code after-commit-2} (batch 2 is committed, the next trigger,
 * which cleans its files, is seconds away: between commit and cleanSource).
 */
public final class CloudFilesChild {
  public static void main(String[] args) throws Exception {
    SparkSession spark = LocalSpark.session();
    String where = args[3];
    if (where.equals("after-commit-2")) {
      spark.streams().addListener(new StreamingQueryListener() {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {}

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
          if (event.progress().batchId() == 2) {
            Runtime.getRuntime().halt(137);
          }
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {}
      });
    }
    CloudFilesCrashTest.stream(spark, args[0], args[1], args[2], Trigger.ProcessingTime(4000),
        id -> {
          if (where.equals("in-batch-2") && id == 2) {
            Runtime.getRuntime().halt(137);
          }
        }).awaitTermination();
  }
}
