package io.medallion.cli;

import io.medallion.MedallionException;
import io.medallion.pipeline.ConfigurationException;
import java.nio.file.Path;

/**
 * Every error the command line raises, made in one place: each says what is wrong and how to fix
 * it. Mistakes in the command line itself are {@link UsageException}s and end with the usage.
 */
final class CliErrors {
  private CliErrors() {}

  /** A mistake in the command line: {@code problem} says what and how to fix it; the usage follows. */
  static UsageException usage(String problem) {
    return new UsageException(problem);
  }

  static ConfigurationException noSuchConfFile(Path file, String kind, Path workingDir, Path lookupDir) {
    return new ConfigurationException(file.toAbsolutePath().toString(), "",
        "the " + kind + " file does not exist. A value with '/' or ending in .conf is a path,"
            + " relative to the working directory " + workingDir + "; a plain name is looked up"
            + " in " + lookupDir + ".");
  }

  static MedallionException sessionWithoutDelta(String extensions, String deltaExtension) {
    return new MedallionException("The Spark session was created without Delta Lake"
        + " (spark.sql.extensions is '" + extensions + "'). Start it with --conf"
        + " spark.sql.extensions=" + deltaExtension + ".");
  }

  static MedallionException queryDoesNotParse(Exception e) {
    return new MedallionException("The query does not parse: " + e.getMessage().strip()
        + " Fix the query (medallion sql runs one Spark SQL query).", e);
  }

  static MedallionException templateWithoutPipeline(MedallionException parse) {
    return new MedallionException(parse.getMessage() + " Names in braces ({layer.table}) are a pipeline's"
        + " tables: add --pipeline <name> to resolve them, or name the table as catalog.schema.table.", parse);
  }

  /**
   * Spark's reason, without its plan: the first line of its message (the lines after it are advice
   * for other statements, such as DROP) and the position in the query.
   */
  static MedallionException queryDoesNotResolve(org.apache.spark.sql.AnalysisException e, String env) {
    String simple = e.getSimpleMessage().strip();
    String first = simple.lines().findFirst().orElse(simple);
    java.util.regex.Matcher at = java.util.regex.Pattern.compile("; line \\d+ pos \\d+$").matcher(simple);
    String reason = at.find() && !first.endsWith(at.group()) ? first + at.group() : first;
    return new MedallionException("The query does not resolve: " + reason + ". Fix the query; it runs against the catalogs of environment '" + env + "' (name tables as"
        + " catalog.schema.table, or as {layer.table} with --pipeline).", e);
  }

  static MedallionException notReadOnly(String first) {
    return new MedallionException("medallion sql runs read-only queries only (SELECT, WITH,"
        + " VALUES, TABLE, FROM); this statement" + (first.isEmpty() ? "" : " (" + first + " ...)")
        + " is not a query and was not run. To change tables, use a Spark SQL session, or the"
        + " pipeline (run --full-refresh).");
  }

  /** A table of the command line that the pipeline does not have: a usage mistake (exit 2, no stack trace file). */
  static UsageException unknownTable(String option, Object ref, String pipeline, java.util.List<?> tables) {
    return new UsageException(option + " " + ref + ": pipeline '" + pipeline + "' has no such table."
        + " Its tables: " + tables + ". Name one of them (layer.table).");
  }
}
