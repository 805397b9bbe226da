package io.medallion.quality.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rule's {@code RLIKE} evaluated by {@link AsciiRegex} answers what Spark's {@code RLIKE} ({@code
 * java.util.regex}'s {@code find(0)}) answers: for the benchmark's formats on edge values, for
 * thousands of random patterns of the subset on random values (line terminators and non-ASCII
 * characters included), and inside Spark, generated and interpreted, with NULLs and a non-string
 * column; patterns outside the subset are not compiled.
 */
@ExtendWith(MedallionExtension.class)
class AsciiRegexTest {
  private static final String EMAIL = "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$";
  private static final String CUSTOMER = "^C[0-9]{7}$";
  private static final String SKU = "^SKU-[0-9]{6}$";

  /** Characters of values: the patterns' own, line terminators, and non-ASCII ones. */
  private static final String ALPHABET = "abcxyzC0129.-_@%+ \t\n\r\u00e9\u0085\u2028SKU-[]";

  private static boolean java(String regex, String value) {
    return Pattern.compile(regex).matcher(value).find(0);
  }

  private static void assertAnswersAsJava(String regex, AsciiRegex compiled, String value) {
    assertThat(compiled.matches(UTF8String.fromString(value)))
        .as("%s on \"%s\"", regex, value.replace("\n", "\\n").replace("\r", "\\r"))
        .isEqualTo(java(regex, value));
  }

  private static String randomValue(Random random, String alphabet, int maxLength) {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(maxLength + 1);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  @Test
  void theBenchmarksFormatsAnswerAsJavaOnEdgeValues() {
    List<String> values = List.of("", "C1234567", "C123456", "C12345678", "c1234567", "C1234567\n",
        "C1234567\r", "C1234567\r\n", "C1234567\n\n", "C1234567\n\r", "C123456\u00e9", "\u00e9C1234567",
        "C1234567\u0085", "SKU-123456", "SKU-12345", "xSKU-123456", "SKU-123456\n",
        "ann.lee@example.com", "ann.lee@example.c", "ann@ex.ample.org", "Ann@example.com",
        "ann@example.com\n", "ann@example.com\r\n", "ann@@example.com", "ann@example.com ",
        "ann\u00e9@example.com", "@example.com", "a@b.cd", "a@.cd", "a@b..cd", "a@b.c1");
    for (String regex : List.of(EMAIL, CUSTOMER, SKU)) {
      AsciiRegex compiled = AsciiRegex.compile(regex).orElseThrow();
      for (String v : values) {
        assertAnswersAsJava(regex, compiled, v);
      }
    }
  }

  @Test
  void dollarAnswersAsJavaBeforeAFinalLineTerminator() {
    // Java's $ matches at the end and before one final \n, \r or \r\n, but not between \r and \n
    List<String> values = List.of("a", "a\n", "a\r", "a\r\n", "a\n\n", "a\r\r", "a\n\r", "\r\n", "\n", "");
    for (String regex : List.of("^a\\s$", "a\\r$", "a[\\n\\r]$", "^.\\s*$", "a$", "^$", "\\r$", "\\s$", "^a\\r?$")) {
      AsciiRegex compiled = AsciiRegex.compile(regex).orElseThrow();
      for (String v : values) {
        assertAnswersAsJava(regex, compiled, v);
      }
    }
  }

  @Test
  void randomPatternsOfTheSubsetAnswerAsJavaOnRandomValues() {
    Random random = new Random(20261206);
    int compiledPatterns = 0;
    int patterns = 3000;
    for (int p = 0; p < patterns; p++) {
      String regex = randomPattern(random, 0);
      if (random.nextInt(3) == 0) {
        regex = "^" + regex;
      }
      if (random.nextInt(3) == 0) {
        regex = regex + "$";
      }
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        assertThat(AsciiRegex.compile(regex)).as(regex).isEmpty();
        continue;
      }
      Optional<AsciiRegex> compiled = AsciiRegex.compile(regex);
      if (compiled.isEmpty()) {
        continue;
      }
      compiledPatterns++;
      for (int v = 0; v < 60; v++) {
        assertAnswersAsJava(regex, compiled.get(), randomValue(random, ALPHABET, 10));
      }
    }
    // the generator writes the subset, bar top-level alternation under an anchor and huge automata
    assertThat(compiledPatterns).isGreaterThan(patterns * 7 / 10);
  }

  /** A pattern of the subset's syntax, small enough to be matched often by short random values. */
  private static String randomPattern(Random random, int depth) {
    StringBuilder b = new StringBuilder();
    int parts = 1 + random.nextInt(3);
    for (int i = 0; i < parts; i++) {
      switch (random.nextInt(depth < 2 ? 9 : 7)) {
        case 0, 1 -> b.append(pick(random, "a", "b", "0", "C", "@", " ", "_", "-"));
        case 2 -> b.append(pick(random, "\\.", "\\-", "\\@", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S",
            "\\n", "\\r", "\\t", "\\+", "\\["));
        case 3 -> b.append('.');
        case 4, 5 -> b.append(pick(random, "[a-c]", "[^a]", "[0-9.]", "[-a]", "[a-]", "[\\d@]", "[^\\s]",
            "[a-z0-9._%+-]", "[\\n\\r]", "[^\\w.]", "[ -/]", "[\\]a]", "[$.*]"));
        case 6 -> b.append(pick(random, "", "a", "ab"));
        default -> b.append(random.nextBoolean() ? "(" : "(?:").append(randomPattern(random, depth + 1))
            .append(random.nextBoolean() ? "" : "|" + randomPattern(random, depth + 1)).append(')');
      }
      if (b.length() > 0 && random.nextInt(2) == 0) {
        b.append(pick(random, "*", "+", "?", "{2}", "{0,2}", "{1,}", "{3}", "{1,3}"));
      }
    }
    return b.toString();
  }

  private static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }

  @Test
  void patternsOutsideTheSubsetAreNotCompiled() {
    for (String regex : List.of("(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "\\bword\\b", "(?i)abc", "a*?", "a++",
        "a{2}?", "[a&&[b]]", "[a[b]]", "caf\u00e9", "\\p{Alpha}", "\\Qa.b\\E", "a^b", "a$b", "^a|b", "a|b$",
        "\\x41", "\\u0041", "a]", "a}", "(?<name>a)", "(?>a)", "\\Aa\\z", "[\\d-z]", "[a-c-e]", "[^]a]",
        "(a{0,100}){0,100}")) {
      assertThat(AsciiRegex.compile(regex)).as(regex).isEmpty();
    }
    assertThat(AsciiRegex.compile("a(b")).as("Java refuses it; so does Spark").isEmpty();
  }

  @Test
  void aRuleAnswersAsSparksRlikeGeneratedAndInterpreted(Lakehouse lake) {
    StructType schema = new StructType().add("s", DataTypes.StringType).add("n", DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    Random random = new Random(7);
    for (String v : Arrays.asList(null, "", "C1234567", "C1234567\n", "C1234567\r\n", "\u00e9C1234567",
        "C123456\u00e9", "ann.lee@example.com", "ann\u00e9@example.com", "SKU-123456")) {
      rows.add(RowFactory.create(v, null));
    }
    for (int i = 0; i < 300; i++) {
      rows.add(RowFactory.create(randomValue(random, ALPHABET + "example.com", 20), random.nextInt(20_000_000)));
    }
    Dataset<Row> df = lake.spark().createDataFrame(rows, schema);
    List<String> rules = List.of("s RLIKE '" + CUSTOMER + "'", "s RLIKE '" + EMAIL.replace("\\", "\\\\") + "'",
        "NOT s RLIKE '[0-9]{2}'", "n RLIKE '^1[0-9]*7$'", "s RLIKE '(a)\\\\1' OR s RLIKE '^C'",
        "coalesce(s RLIKE 'x', false)", "s REGEXP '^SKU-[0-9]{6}$'", "exists(array(s, 'C7'), t -> t RLIKE '^C[0-9]$')");
    for (String sql : rules) {
      Column spark = functions.expr(sql);
      Column ours = AsciiRegex.inRule(functions.expr(sql));
      assertThat(ours.expr().toString()).as("%s is evaluated by the automaton", sql).contains("ascii_regex(");
      for (boolean generated : List.of(false, true)) {
        String mode = lake.spark().conf().get("spark.sql.codegen.factoryMode");
        String wholeStage = lake.spark().conf().get("spark.sql.codegen.wholeStage");
        lake.spark().conf().set("spark.sql.codegen.factoryMode", generated ? "CODEGEN_ONLY" : "NO_CODEGEN");
        lake.spark().conf().set("spark.sql.codegen.wholeStage", String.valueOf(generated));
        try {
          List<Row> got = df.select(functions.col("s"), functions.col("n"), spark.as("spark"), ours.as("ours"))
              .collectAsList();
          assertThat(got).hasSize(rows.size());
          for (Row r : got) {
            assertThat(r.get(3)).as("%s on %s (generated: %s)", sql, r, generated).isEqualTo(r.get(2));
          }
        } finally {
          lake.spark().conf().set("spark.sql.codegen.factoryMode", mode);
          lake.spark().conf().set("spark.sql.codegen.wholeStage", wholeStage);
        }
      }
    }
    Column outside = AsciiRegex.inRule(functions.expr("s RLIKE '(?i)c'"));
    assertThat(outside.expr().toString()).as("outside the subset: Spark's RLIKE").doesNotContain("ascii_regex(");
  }
}
