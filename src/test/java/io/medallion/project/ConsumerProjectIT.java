package io.medallion.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's project, laid out as a user lays it out, built from README "Use medallion in your
 * project" only (its dependency blocks, the Surefire argLine, log4j2-test.properties and the Java
 * example) against this build's artifacts as {@code mvn install} installs them: the job jar, the
 * dependency-reduced pom and the test kit jar, in a local repository that links to this machine's
 * ~/.m2 for everything else.
 */
class ConsumerProjectIT {
  static final String VERSION = System.getProperty("medallion.version");
  static final Path BUILD = Path.of(System.getProperty("medallion.build.dir"));
  static final Path M2 = Path.of(System.getProperty("medallion.m2.repo"));

  @Test
  void aUsersProjectTestsItsPipelineAndGetsNoSecondCopyOfWhatIsRelocated(@TempDir Path tmp) throws Exception {
    Path repo = localRepository(tmp.resolve("repo"));
    Path project = tmp.resolve("iot");
    write(project.resolve("pom.xml"), String.join("\n",
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
        "  <modelVersion>4.0.0</modelVersion>",
        "  <groupId>com.example</groupId>",
        "  <artifactId>iot</artifactId>",
        "  <version>1.0</version>",
        "  <properties>",
        "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>",
        "  </properties>",
        ReadmeSnippets.get("pom-dependency-management"),
        "  <dependencies>",
        ReadmeSnippets.get("pom-dependencies"),
        ReadmeSnippets.get("pom-test-dependencies"),
        "  </dependencies>",
        "  <build>",
        "    <plugins>",
        "      <plugin>",
        "        <groupId>org.apache.maven.plugins</groupId>",
        "        <artifactId>maven-compiler-plugin</artifactId>",
        "        <version>3.13.0</version>",
        "        <configuration><release>17</release></configuration>",
        "      </plugin>",
        ReadmeSnippets.get("surefire"),
        "    </plugins>",
        "  </build>",
        "</project>", ""));
    Path pkg = Path.of("com/example/iot");
    write(project.resolve("src/main/java").resolve(pkg).resolve("IotPipeline.java"), ReadmeSnippets.get("java-pipeline"));
    write(project.resolve("src/main/java").resolve(pkg).resolve("IotJob.java"), ReadmeSnippets.get("java-job"));
    write(project.resolve("src/test/java").resolve(pkg).resolve("IotPipelineTest.java"), ReadmeSnippets.get("java-test"));
    write(project.resolve("src/test/resources/log4j2-test.properties"), ReadmeSnippets.get("log4j2-test"));

    // One Maven run for both: the tests, then the resolved dependencies (a second Maven start and
    // project build cost as much as the listing itself).
    Path testLog = project.resolve("mvn-test.log");
    Path deps = project.resolve("deps.txt");
    int test = mvn(project, repo, testLog, "test",
        "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:list", "-DoutputFile=" + deps);
    String output = Files.readString(testLog);
    assertThat(test).as(output).isZero();
    assertThat(output).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
    assertThat(output).as("log4j2-test.properties keeps Spark's start-up quiet").doesNotContain(" INFO ");

    String resolved = Files.readString(deps);
    assertThat(resolved)
        .contains("io.medallion:medallion:jar:" + VERSION + ":compile")
        .contains("io.medallion:medallion:jar:tests:" + VERSION + ":test")
        .doesNotContain("software.amazon.awssdk")
        .doesNotContain("com.typesafe:config");
  }

  /**
   * A local repository holding this build's artifacts where {@code mvn install} puts them, and
   * links to ~/.m2 for everything else (offline Maven only reads those).
   */
  static Path localRepository(Path repo) throws IOException {
    Files.createDirectories(repo.resolve("io"));
    try (Stream<Path> top = Files.list(M2)) {
      for (Path p : (Iterable<Path>) top::iterator) {
        if (!p.getFileName().toString().equals("io")) {
          Files.createSymbolicLink(repo.resolve(p.getFileName().toString()), p);
        }
      }
    }
    try (Stream<Path> io = Files.list(M2.resolve("io"))) {
      for (Path p : (Iterable<Path>) io::iterator) {
        if (!p.getFileName().toString().equals("medallion")) {
          Files.createSymbolicLink(repo.resolve("io").resolve(p.getFileName().toString()), p);
        }
      }
    }
    Path dir = Files.createDirectories(repo.resolve("io/medallion/medallion").resolve(VERSION));
    String base = "medallion-" + VERSION;
    Files.copy(BUILD.resolve(base + ".jar"), dir.resolve(base + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(BUILD.resolve(base + "-tests.jar"), dir.resolve(base + "-tests.jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(Path.of(System.getProperty("medallion.project.dir"), "dependency-reduced-pom.xml"), dir.resolve(base + ".pom"),
        StandardCopyOption.REPLACE_EXISTING);
    return repo;
  }

  static int mvn(Path project, Path repo, Path log, String... goals) throws Exception {
    // Not -o: a consumer resolves a few versions this build never needed (joda-time 2.12.5, ...);
    // they are fetched once into ~/.m2 through the links, everything else is read from there.
    List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-Dmaven.repo.local=" + repo));
    cmd.addAll(List.of(goals));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // Maven's JVM and the project's Surefire fork: C1 only and the serial collector, as this build's
    // own test JVMs (no file of the user's project changes; the JVM prints "Picked up ...").
    pb.environment().put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("mvn " + String.join(" ", goals) + " did not finish in 5 minutes:\n" + Files.readString(log));
    }
    return p.exitValue();
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text.endsWith("\n") ? text : text + "\n");
  }
}
