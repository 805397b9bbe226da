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
      throw PipelineErrors.refWithoutLayer();
    }
    if (!TableName.isValidLowerCasePart(name)) {
      throw PipelineErrors.badTableName(name, layer);
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
      throw PipelineErrors.notATableRef(text);
    }
    Layer layer;
    try {
      layer = Layer.valueOf(parts[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw PipelineErrors.unknownLayer(text, parts[0], Suggestions.didYouMean(parts[0], LAYERS));
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
