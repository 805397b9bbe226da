package com.example.iot;

import io.medallion.config.ConfigLoader;
import io.medallion.pipeline.Environment;
import io.medallion.run.PipelineRunner;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The job: spark-submit --class com.example.iot.IotJob your-job.jar conf/env/prod.conf */
public final class IotJob {
  private IotJob() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().getOrCreate(); // never stopped: the cluster owns it
    Environment env = ConfigLoader.loadEnvironment(Path.of(args[0]));
    RunResult result = new PipelineRunner(spark, IotPipeline.definition(env.landingRoot()), env)
        .run(RunOptions.all());
    result.tables().forEach(t -> System.out.println(t.summary()));
  }
}
