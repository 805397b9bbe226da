package io.medallion.platform.internal;

import io.medallion.MedallionException;

/** Every error the platforms raise, made in one place: problem, cause and fix. No secret value. */
final class PlatformErrors {
  private PlatformErrors() {}

  static MedallionException catalogElsewhere(String catalog, String actual, String env, String wanted) {
    return new MedallionException("Catalog '" + catalog + "' is already registered in this Spark"
        + " session with warehouse " + actual + ", but environment '" + env + "' puts it at "
        + wanted + ". A session serves one warehouse per catalog name: use distinct catalog names"
        + " per environment, or run the environments in separate sessions.");
  }

  static MedallionException noSecretScopes(String scope, String key) {
    return new MedallionException("secret:" + scope + "/" + key + " names a Databricks secret"
        + " scope, and this is open-source Spark, where secret scopes do not exist. Use env:NAME"
        + " (an environment variable) or file:/path (a mounted secret file) in this environment's"
        + " config.");
  }

  static IllegalStateException noSecretValue() {
    return new IllegalStateException("no value");
  }

  static MedallionException cannotReadSecret(String scope, String key, Exception e) {
    return new MedallionException("cannot read secret '" + key + "' of secret scope '" + scope
        + "' (" + e.getClass().getSimpleName() + "). Check that the scope and key exist"
        + " (databricks secrets list-secrets " + scope + ") and that the job's identity may read"
        + " the scope.");
  }

  static IllegalStateException noDbutils(ReflectiveOperationException e) {
    return new IllegalStateException("dbutils is not available: run on a Databricks cluster, or"
        + " use env: or file: secret references", e);
  }
}
