package io.medallion.notebooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The notebooks under {@code notebooks/} are Databricks source files whose calls into medallion
 * exist: each imported class is loaded, and each chain of calls starting at an imported class, a
 * {@code new} of one, or a {@code val} holding one is followed method by method with reflection
 * (Scala calls a no-argument method without parentheses, and a record component by its name).
 */
class NotebooksTest {
  static final String HEADER = "// Databricks notebook source";
  static final String CELL = "// COMMAND ----------";
  static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+([\\w.]+)\\.(\\{[^}]+}|\\w+)\\s*$");
  static final Pattern VAL = Pattern.compile("(?m)^\\s*(?:val|var)\\s+(\\w+)\\s*=\\s*");
  /** identifier, then .member or .member(args) with up to two levels of nested parentheses. */
  static final Pattern CHAIN = Pattern.compile(
      "(?<![\\w.])(new\\s+)?([A-Za-z_]\\w*)((?:\\s*\\(ARGS\\))?(?:\\s*\\.\\s*[A-Za-z_]\\w*(?:\\s*\\(ARGS\\))?)*)"
          .replace("ARGS", "(?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*"));
  static final Pattern LINK = Pattern.compile("\\.\\s*([A-Za-z_]\\w*)(?:\\s*\\(((?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*)\\))?");

  static Stream<Path> notebooks() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("notebooks"))) {
      return files.filter(f -> f.toString().endsWith(".scala") || f.toString().endsWith(".py")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("notebooks")
  void isADatabricksSourceNotebookWhoseMedallionCallsExist(Path notebook) throws Exception {
    String text = Files.readString(notebook);
    assertThat(text).as("%s starts with the Databricks source header", notebook).startsWith(HEADER + "\n");
    List<String> cells = Arrays.stream(text.substring(HEADER.length()).split("\n" + CELL + "\n")).toList();
    assertThat(cells).as("cells of %s", notebook).hasSizeGreaterThan(2);
    assertThat(cells.get(0).strip()).as("first cell is a %%md title").startsWith("// MAGIC %md");

    Map<String, Class<?>> classes = new HashMap<>();
    StringBuilder code = new StringBuilder();
    for (String cell : cells) {
      if (cell.strip().startsWith("// MAGIC")) {
        continue;
      }
      Matcher m = IMPORT.matcher(cell);
      while (m.find()) {
        for (String name : m.group(2).replaceAll("[{}]", "").split(",")) {
          String fqcn = m.group(1) + "." + name.strip();
          if (fqcn.startsWith("io.medallion.")) {
            classes.put(name.strip(), Class.forName(fqcn)); // fails when a class moved or is gone
          }
        }
      }
      code.append(IMPORT.matcher(cell).replaceAll("")).append('\n');
    }
    assertThat(classes).as("%s calls medallion", notebook).isNotEmpty();
    String source = code.toString().replaceAll("\"\"\"(?s:.*?)\"\"\"", "\"\"").replaceAll("\"(?:[^\"\\\\\n]|\\\\.)*\"", "\"\"")
        .replaceAll("(?m)//.*$", "");
    Map<String, Class<?>> vals = new HashMap<>();
    List<String> checked = new ArrayList<>();
    for (String statement : source.split("\n(?=\\S)")) {
      Matcher v = VAL.matcher(statement);
      String name = null;
      String expr = statement;
      if (v.lookingAt()) {
        name = v.group(1);
        expr = statement.substring(v.end());
      }
      Optional<Class<?>> type = check(expr, classes, vals, checked, notebook);
      if (name != null) {
        type.ifPresent(t -> vals.put(v.group(1), t));
      }
    }
    assertThat(checked).as("medallion calls checked in %s", notebook).isNotEmpty();
  }

  /** Checks every chain in {@code text}; returns the type of the first one (a val's value). */
  private static Optional<Class<?>> check(String text, Map<String, Class<?>> classes, Map<String, Class<?>> vals,
      List<String> checked, Path notebook) {
    Optional<Class<?>> first = null;
    Matcher m = CHAIN.matcher(text);
    while (m.find()) {
      if (m.group(0).isBlank()) {
        continue;
      }
      String head = m.group(2);
      boolean isNew = m.group(1) != null;
      Class<?> type = null;
      boolean isStatic = false;
      String rest = m.group(3);
      if (classes.containsKey(head)) {
        type = classes.get(head);
        isStatic = !isNew;
        if (isNew) {
          assertThat(Arrays.stream(type.getConstructors()).anyMatch(c -> Modifier.isPublic(c.getModifiers())))
              .as("%s: new %s(...) needs a public constructor", notebook, head).isTrue();
          checked.add("new " + head);
          Matcher args = Pattern.compile("^\\s*\\(((?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*)\\)").matcher(rest);
          if (args.find()) {
            check(args.group(1), classes, vals, checked, notebook);
            rest = rest.substring(args.end());
          }
        }
      } else if (vals.containsKey(head)) {
        type = vals.get(head);
      }
      Matcher link = LINK.matcher(rest);
      while (link.find()) {
        if (link.group(2) != null) {
          check(link.group(2), classes, vals, checked, notebook);
        }
        if (type == null) {
          continue;
        }
        String method = link.group(1);
        final boolean wantStatic = isStatic;
        Optional<Method> found = Arrays.stream(type.getMethods()).filter(x -> x.getName().equals(method))
            .filter(x -> !wantStatic || Modifier.isStatic(x.getModifiers())).findFirst();
        if (type.getName().startsWith("io.medallion.")) {
          assertThat(found).as("%s calls %s.%s, which must exist", notebook, type.getName(), method).isPresent();
          checked.add(type.getSimpleName() + "." + method);
        }
        type = found.<Class<?>>map(Method::getReturnType).orElse(null);
        isStatic = false;
      }
      if (first == null) {
        first = Optional.ofNullable(type);
      }
    }
    return first == null ? Optional.empty() : first;
  }
}
