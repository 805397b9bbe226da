package io.medallion.config;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import java.nio.file.Path;

/** STUB: replaced by branch config. */
public final class ConfigLoader {
  public record LoadedPipeline(PipelineDefinition pipeline, Environment environment) {}

  public static LoadedPipeline loadPipeline(Path p, Path e) {
    throw new UnsupportedOperationException();
  }

  public static LoadedPipeline load(Path confDir, String pipeline, String env) {
    throw new UnsupportedOperationException();
  }
}
