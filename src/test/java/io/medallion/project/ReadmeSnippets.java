package io.medallion.project;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The code blocks of README.md marked {@code <!-- snippet: name -->}, for tests that use them as a user would. */
final class ReadmeSnippets {
  private static final Path README = Path.of(System.getProperty("medallion.project.dir", "."), "README.md");

  private ReadmeSnippets() {}

  /** The text inside the fenced block that follows {@code <!-- snippet: name -->}. */
  static String get(String name) {
    try {
      String readme = Files.readString(README);
      Matcher m = Pattern.compile("<!-- snippet: " + Pattern.quote(name) + " -->\\n```[a-z]*\\n(.*?)\\n```",
          Pattern.DOTALL).matcher(readme);
      if (!m.find()) {
        throw new AssertionError("README.md has no snippet '" + name + "'");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
