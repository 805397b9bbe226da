package io.medallion.pipeline;

import java.time.Duration;
import java.util.Optional;

/**
 * When a streaming table processes data. {@link Kind#AVAILABLE_NOW} (the default for jobs) processes
 * everything available in one or more micro-batches and stops; {@link Kind#ONCE} does the same in a
 * single micro-batch; {@link Kind#PROCESSING_TIME} runs continuously, one micro-batch per interval.
 */
public record Trigger(Kind kind, Optional<Duration> interval) {
  /** The trigger kinds, written in config as {@code available-now}, {@code once}, {@code processing-time}. */
  public enum Kind {
    AVAILABLE_NOW,
    ONCE,
    PROCESSING_TIME
  }

  public Trigger {
    if (kind == Kind.PROCESSING_TIME
        && (interval.isEmpty() || interval.get().isNegative() || interval.get().isZero())) {
      throw PipelineErrors.processingTimeWithoutInterval();
    }
    if (kind != Kind.PROCESSING_TIME) {
      interval = Optional.empty();
    }
  }

  /** Process everything available now, in one or more micro-batches, then stop. */
  public static Trigger availableNow() {
    return new Trigger(Kind.AVAILABLE_NOW, Optional.empty());
  }

  /** Process everything available now in a single micro-batch, then stop. */
  public static Trigger once() {
    return new Trigger(Kind.ONCE, Optional.empty());
  }

  /** Run continuously, one micro-batch every {@code interval} (positive). */
  public static Trigger processingTime(Duration interval) {
    return new Trigger(Kind.PROCESSING_TIME, Optional.of(interval));
  }

  /** True for triggers that stop by themselves once the available data is processed. */
  public boolean terminates() {
    return kind != Kind.PROCESSING_TIME;
  }
}
