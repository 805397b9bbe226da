package io.medallion.pipeline;

import io.medallion.table.TableName;
import io.medallion.internal.Suggestions;
import java.util.List;
import java.util.Locale;

/**
 * A table of a pipeline, named by layer and short name: {@code silver.orders}. The environment maps
 * it to a three-level {@link io.medallion.table.TableName}.
 */
public record TableRef(Layer layer, String name) implements Comparable<TableRef> {
  private static final List<String> LAYERS = List.of("bronze", "silver", "gold");

  public TableRef {
    if (layer == null) {
      throw new IllegalArgumentException("table reference without a layer");
    }
    if (!TableName.isValidLowerCasePart(name)) {
      throw new IllegalArgumentException(
          "table name '" + name + "' in layer " + layer.key()
              + " may only contain lower-case letters, digits, '_' and '-' (1 to 255 characters,"
              + " not starting with '-')");
    }
  }

  /**
   * Parses {@code layer.name}, e.g. {@code bronze.orders}.
   *
   * @throws IllegalArgumentException saying the expected form
   */
  public static TableRef parse(String text) {
    String[] parts = text == null ? new String[0] : text.trim().split("\\.", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a table of the pipeline: expected <layer>.<table> with layer"
              + " bronze, silver or gold, e.g. bronze.orders");
    }
    Layer layer;
    try {
      layer = Layer.valueOf(parts[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "': unknown layer '" + parts[0] + "', expected bronze, silver or gold."
              + Suggestions.didYouMean(parts[0], LAYERS));
    }
    return new TableRef(layer, parts[1]);
  }

  @Override
  public int compareTo(TableRef other) {
    int byLayer = layer.compareTo(other.layer);
    return byLayer != 0 ? byLayer : name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return layer.key() + "." + name;
  }
}
