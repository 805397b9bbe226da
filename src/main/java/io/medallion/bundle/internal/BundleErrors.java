package io.medallion.bundle.internal;

import io.medallion.MedallionException;
import java.nio.file.Path;
import java.util.List;

/** Every error of bundle generation, each saying the problem, the cause and the fix. */
public final class BundleErrors {
  private BundleErrors() {}

  /** Layer tasks would depend on each other in a circle. */
  public static MedallionException layerCycle(String pipeline, List<String> cycle) {
    return new MedallionException("Pipeline '" + pipeline + "' cannot be deployed as one task per layer: the layers"
        + " read each other in a circle (" + String.join(" -> ", cycle) + "), so no task order exists."
        + " Generate one task per table instead (medallion bundle --tasks table).");
  }

  /** No target environment given. */
  public static MedallionException noTargets(String pipeline) {
    return new MedallionException("A bundle for pipeline '" + pipeline + "' needs at least one target: name the"
        + " environments under conf/env that become the bundle's targets, e.g. --env dev --env prod.");
  }

  /** A target environment that runs only on open-source Spark. */
  public static MedallionException ossTarget(String pipeline, String env) {
    return new MedallionException("Environment '" + env + "' cannot be a target of the Databricks bundle of pipeline '" + pipeline + "'"
        + ": it sets platform = oss, so on Databricks the job would use medallion's own catalogs"
        + " and file source instead of Unity Catalog and Auto Loader. Name an environment with platform = databricks"
        + " or auto (e.g. --env dev --env prod), or set platform = auto in conf/env/" + env + ".conf.");
  }

  /** A maintenance schedule that is not a Quartz cron expression. */
  public static MedallionException badCron(String pipeline, String cron) {
    return new MedallionException("The maintenance schedule '" + cron + "' of pipeline '" + pipeline + "' is not a"
        + " Quartz cron expression, which Databricks jobs take: 6 or 7 fields (seconds minutes hours day-of-month"
        + " month day-of-week [year]), e.g. '0 0 3 * * ?' for 03:00 UTC every day.");
  }

  /** A bundle file could not be written. */
  public static MedallionException cannotWrite(Path file, Exception cause) {
    return new MedallionException("Cannot write the bundle file " + file + ": " + cause.getMessage()
        + ". Choose a writable folder with --out.", cause);
  }
}
