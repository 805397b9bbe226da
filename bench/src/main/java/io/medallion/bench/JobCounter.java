package io.medallion.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/** Counts Spark jobs and tasks (all of them: the variants run one after another). */
final class JobCounter extends SparkListener {
  private long jobs;
  private long tasks;
  private long taskMillis;

  record Snapshot(long jobs, long tasks, double taskSeconds) {
    Snapshot minus(Snapshot o) {
      return new Snapshot(jobs - o.jobs, tasks - o.tasks, taskSeconds - o.taskSeconds);
    }
  }

  private final Map<Integer, String[]> jobLog = new LinkedHashMap<>();

  @Override
  public synchronized void onJobStart(SparkListenerJobStart jobStart) {
    jobs++;
    String description = jobStart.properties() == null ? null : jobStart.properties().getProperty("spark.job.description");
    String stage = jobStart.stageInfos().isEmpty() ? "" : jobStart.stageInfos().head().name();
    int tasks = 0;
    for (org.apache.spark.scheduler.StageInfo si : JavaConverters.seqAsJavaList(jobStart.stageInfos())) {
      tasks += si.numTasks();
    }
    jobLog.put(jobStart.jobId(), new String[] {
        String.valueOf(jobStart.time()), null, String.valueOf(tasks),
        (description == null ? "" : description.replaceAll("\\s+", " ") + " | ") + stage});
  }

  @Override
  public synchronized void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd jobEnd) {
    String[] j = jobLog.get(jobEnd.jobId());
    if (j != null) {
      j[1] = String.valueOf(jobEnd.time());
    }
  }

  /** Jobs {@code from} to {@code to} (exclusive, in start order), one line each: id, seconds, tasks (of all stages, skipped included), what. */
  synchronized List<String> jobs(long from, long to) {
    List<String> out = new ArrayList<>();
    int i = 0;
    for (Map.Entry<Integer, String[]> e : jobLog.entrySet()) {
      int index = i++;
      if (index < from || index >= to) {
        continue;
      }
      String[] j = e.getValue();
      double secs = j[1] == null ? -1 : (Long.parseLong(j[1]) - Long.parseLong(j[0])) / 1000.0;
      String what = j[3].length() > 150 ? j[3].substring(0, 147) + "..." : j[3];
      out.add(String.format(Locale.ROOT, "    job %4d %6.2f s %4s tasks  %s", e.getKey(), secs, j[2], what));
    }
    return out;
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    tasks++;
    if (taskEnd.taskInfo() != null) {
      taskMillis += taskEnd.taskInfo().duration();
    }
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(jobs, tasks, taskMillis / 1000.0);
  }

  /** Waits until the listener bus delivered every event posted so far. */
  void waitForListeners(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain in 10 s", e);
    }
  }
}
