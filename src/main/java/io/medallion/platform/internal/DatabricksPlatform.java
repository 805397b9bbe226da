package io.medallion.platform.internal;

import io.medallion.pipeline.Environment;
import io.medallion.platform.Platform;
import org.apache.spark.sql.SparkSession;

/** The Databricks Runtime: Unity Catalog resolves three-level names; nothing to register. */
public final class DatabricksPlatform implements Platform {
  @Override
  public String name() {
    return "databricks";
  }

  @Override
  public void prepareCatalogs(SparkSession spark, Environment env) {
    // Unity Catalog catalogs exist (or not) in the metastore; medallion never creates catalogs.
  }

  @Override
  public boolean isDatabricks() {
    return true;
  }
}
