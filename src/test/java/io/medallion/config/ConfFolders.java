package io.medallion.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A conf folder for config tests: {@code pipelines/}, and {@code env/t.conf} holding the given text. */
final class ConfFolders {
  private ConfFolders() {}

  static void withEnvironment(Path conf, String envText) throws IOException {
    Files.createDirectories(conf.resolve("pipelines"));
    Files.createDirectories(conf.resolve("env"));
    Files.writeString(conf.resolve("env/t.conf"), envText);
  }
}
