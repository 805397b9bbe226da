package io.medallion.stage.internal;

import io.medallion.MedallionException;

/** The errors of {@code stage.internal}: problem, cause and fix. */
final class CodegenErrors {
  private CodegenErrors() {}

  static MedallionException notASize(String setting, String text) {
    return new MedallionException(setting + " = '" + text + "' is not a size: set it in bytes (8388608) or"
        + " with a unit (8m, 512k), or to 0 to run every micro-batch with Spark's generated code");
  }
}
