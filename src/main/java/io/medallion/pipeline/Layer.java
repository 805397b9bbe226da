package io.medallion.pipeline;

import java.util.Locale;

/** The medallion layer a table belongs to. Each layer maps to a catalog in the environment. */
public enum Layer {
  BRONZE,
  SILVER,
  GOLD;

  /** The layer's name as written in config: {@code bronze}, {@code silver}, {@code gold}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
