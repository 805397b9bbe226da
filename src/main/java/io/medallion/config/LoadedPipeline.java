package io.medallion.config;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;

/**
 * A pipeline file and the environment file it was read with, both validated.
 *
 * @param pipeline the pipeline; its {@code origin} is the pipeline file
 * @param environment the environment (paths absolute, catalogs validated)
 */
public record LoadedPipeline(PipelineDefinition pipeline, Environment environment) {
  public LoadedPipeline {
    if (pipeline == null || environment == null) {
      throw ConfigErrors.incompleteLoadedPipeline();
    }
  }
}
