package io.medallion.connector.files.internal;

/**
 * The names Spark's file sources skip (its {@code InMemoryFileIndex} rule): names starting with
 * {@code .}, names starting with {@code _} unless they contain {@code =} (a partition directory
 * like {@code _col=1}), and {@code ._COPYING_} files that {@code hadoop fs -put} is still writing.
 * Applied to every path component below the root, directories included.
 */
public final class HiddenPaths {
  private HiddenPaths() {}

  public static boolean isHidden(String name) {
    return name.startsWith(".") || (name.startsWith("_") && !name.contains("="))
        || name.endsWith("._COPYING_");
  }
}
