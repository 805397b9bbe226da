package io.medallion.run;

import io.medallion.pipeline.TableRef;
import java.util.List;
import java.util.Optional;

/** What a pipeline run did, one entry per table in the order they finished. */
public record RunResult(List<TableResult> tables) {
  public RunResult {
    tables = List.copyOf(tables);
  }

  /** The result of one table, if it ran. */
  public Optional<TableResult> table(TableRef ref) {
    return tables.stream().filter(t -> t.ref().equals(ref)).findFirst();
  }
}
