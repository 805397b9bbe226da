package io.medallion.stage;

import io.medallion.MedallionException;
import io.medallion.internal.Secrets;
import io.medallion.internal.Suggestions;
import io.medallion.pipeline.TableRef;

/**
 * Every error the stages raise, made in one place: each names the table and the pipeline, says
 * what failed and, where the cause is recognisable, how to fix it. Causes pass through
 * {@link Secrets#scrub}, messages through {@link Secrets#redact}.
 */
final class StageErrors {
  private StageErrors() {}

  static MedallionException sqlDoesNotResolve(String origin, TableRef table, String reason, Exception e) {
    return new MedallionException(origin + ": pipeline." + table + ".sql does not resolve: "
        + Suggestions.userColumnsOnly(reason) + " Fix the query (tables of the pipeline are named"
        + " {layer.table}, e.g. {bronze.orders}).", e);
  }

  static MedallionException tableFailed(TableRef ref, String name, String pipeline, String reason,
      String hint, Throwable cause) {
    return new MedallionException(Secrets.redact("Table " + ref + " (" + name + ") of pipeline '"
        + pipeline + "' failed: " + reason + hint), Secrets.scrub(cause));
  }
}
