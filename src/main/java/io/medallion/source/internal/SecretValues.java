package io.medallion.source.internal;

import io.medallion.MedallionException;
import io.medallion.internal.Secrets;
import io.medallion.platform.Platform;
import io.medallion.source.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads secret values from their {@link SecretRef}s; each value read is masked from then on. */
final class SecretValues {
  private SecretValues() {}

  /**
   * The value a reference points to.
   *
   * @param processEnv the environment variables, normally {@code System.getenv()}
   * @throws MedallionException naming the reference (never a value) when it cannot be read
   */
  static String resolve(SecretRef ref, Platform platform, Map<String, String> processEnv) {
    String value;
    switch (ref.kind()) {
      case ENV:
        value = processEnv.get(ref.name());
        if (value == null || value.isEmpty()) {
          throw SourceReadErrors.envSecretUnset(ref);
        }
        break;
      case FILE:
        try {
          value = Files.readString(Path.of(ref.name()), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
          throw SourceReadErrors.secretFileUnreadable(ref, e);
        }
        if (value.isEmpty()) {
          throw SourceReadErrors.secretFileEmpty(ref);
        }
        break;
      default:
        int slash = ref.name().indexOf('/');
        value = platform.secretScopeValue(ref.name().substring(0, slash), ref.name().substring(slash + 1));
    }
    Secrets.remember(value);
    return value;
  }
}
