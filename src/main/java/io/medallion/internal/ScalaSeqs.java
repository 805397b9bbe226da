package io.medallion.internal;

import java.util.List;

/** Java lists as Scala sequences, for the Spark and Delta APIs that take them. */
public final class ScalaSeqs {
  private ScalaSeqs() {}

  /** {@code items} as an immutable Scala list (a copy: later changes to {@code items} do not show). */
  public static <T> scala.collection.Seq<T> of(List<T> items) {
    return scala.collection.JavaConverters.asScalaBuffer(items).toList();
  }
}
