package io.medallion.connector.files.internal;

import io.medallion.internal.Suggestions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.network.util.JavaUtils;

/**
 * The {@code cloudFiles} source's options, parsed and validated once on the driver. Names and
 * defaults are Auto Loader's; keys are case-insensitive as in Spark. Options that do not start with
 * {@code cloudFiles.} (and are not one of Auto Loader's generic file options below) are reader
 * options of the file format ({@code header}, {@code multiLine}, {@code delimiter}, ...) and are
 * passed to it as they are.
 *
 * <p>Driver-side only (its Optionals are not serializable). Mistakes fail at {@code load()}: an unknown {@code cloudFiles.*} name (with the closest known
 * name), a value of the wrong kind, or options that contradict each other. Auto Loader options
 * that have no meaning here are accepted with a warning ({@link #ignoredOptions()}).
 */
public final class CloudFilesOptions {

  static final String PREFIX = "cloudfiles.";

  /** What happens when files carry columns that the schema does not have. */
  public enum EvolutionMode {
    /** Stop the stream, add the new columns to the schema at the schema location. */
    ADD_NEW_COLUMNS("addNewColumns"),
    /** Never change the schema; unknown columns go to the rescued-data column. */
    RESCUE("rescue"),
    /** Stop the stream until the schema is changed by the user. */
    FAIL_ON_NEW_COLUMNS("failOnNewColumns"),
    /** Never change the schema; unknown columns are ignored (rescued only if a column is set). */
    NONE("none");

    private final String optionValue;

    EvolutionMode(String optionValue) {
      this.optionValue = optionValue;
    }

    public String optionValue() {
      return optionValue;
    }
  }

  /** What happens to a source file after the batch that read it committed. */
  public enum CleanSource { OFF, DELETE, MOVE }

  /** How new files are found. */
  public enum Discovery { FULL_LISTING, INCREMENTAL_LISTING, NOTIFICATIONS }

  // Option names as users write them (lookups are case-insensitive).
  public static final String FORMAT = "cloudFiles.format";
  public static final String SCHEMA_LOCATION = "cloudFiles.schemaLocation";
  public static final String SCHEMA_EVOLUTION_MODE = "cloudFiles.schemaEvolutionMode";
  public static final String INFER_COLUMN_TYPES = "cloudFiles.inferColumnTypes";
  public static final String SCHEMA_HINTS = "cloudFiles.schemaHints";
  public static final String RESCUED_DATA_COLUMN = "rescuedDataColumn";
  public static final String MAX_FILES_PER_TRIGGER = "cloudFiles.maxFilesPerTrigger";
  public static final String MAX_BYTES_PER_TRIGGER = "cloudFiles.maxBytesPerTrigger";
  public static final String PATH_GLOB_FILTER = "pathGlobFilter";
  public static final String MODIFIED_AFTER = "modifiedAfter";
  public static final String MODIFIED_BEFORE = "modifiedBefore";
  public static final String INCLUDE_EXISTING_FILES = "cloudFiles.includeExistingFiles";
  public static final String ALLOW_OVERWRITES = "cloudFiles.allowOverwrites";
  public static final String CLEAN_SOURCE = "cloudFiles.cleanSource";
  public static final String CLEAN_SOURCE_MOVE_DESTINATION = "cloudFiles.cleanSource.moveDestination";
  public static final String CLEAN_SOURCE_RETENTION = "cloudFiles.cleanSource.retentionDuration";
  public static final String USE_INCREMENTAL_LISTING = "cloudFiles.useIncrementalListing";
  public static final String USE_NOTIFICATIONS = "cloudFiles.useNotifications";
  public static final String QUEUE_URL = "cloudFiles.queueUrl";
  public static final String REGION = "cloudFiles.region";
  public static final String SQS_ENDPOINT = "cloudFiles.sqsEndpoint";
  public static final String AWS_ACCESS_KEY = "cloudFiles.awsAccessKey";
  public static final String AWS_SECRET_KEY = "cloudFiles.awsSecretKey";
  public static final String BACKFILL_INTERVAL = "cloudFiles.backfillInterval";
  public static final String SAMPLE_FILES = "cloudFiles.schemaInference.sampleSize.numFiles";
  public static final String SAMPLE_BYTES = "cloudFiles.schemaInference.sampleSize.numBytes";
  public static final String OPEN_COST = "cloudFiles.openCostInBytes";
  public static final String PARTITION_COLUMNS = "cloudFiles.partitionColumns";

  static final String DEFAULT_RESCUED_COLUMN = "_rescued_data";

  private static final List<String> KNOWN = List.of(FORMAT, SCHEMA_LOCATION, SCHEMA_EVOLUTION_MODE,
      INFER_COLUMN_TYPES, SCHEMA_HINTS, MAX_FILES_PER_TRIGGER, MAX_BYTES_PER_TRIGGER,
      INCLUDE_EXISTING_FILES, ALLOW_OVERWRITES, CLEAN_SOURCE, CLEAN_SOURCE_MOVE_DESTINATION,
      CLEAN_SOURCE_RETENTION, USE_INCREMENTAL_LISTING, USE_NOTIFICATIONS, QUEUE_URL, REGION,
      SQS_ENDPOINT, AWS_ACCESS_KEY, AWS_SECRET_KEY, BACKFILL_INTERVAL, SAMPLE_FILES, SAMPLE_BYTES,
      OPEN_COST, PARTITION_COLUMNS);

  /** Auto Loader options that exist on Databricks and do nothing here. */
  private static final List<String> IGNORED = List.of("cloudFiles.validateOptions",
      "cloudFiles.fetchParallelism", "cloudFiles.resourceTag", "cloudFiles.useManagedFileEvents",
      "cloudFiles.maxFileAge", "cloudFiles.roleArn", "cloudFiles.roleExternalId",
      "cloudFiles.roleSessionName", "cloudFiles.stsEndpoint",
      "cloudFiles.useStrictGlobber", "cloudFiles.subscriptionId", "cloudFiles.connectionString");

  private static final Set<String> FORMATS =
      Set.of("json", "csv", "parquet", "text", "orc", "avro", "binaryfile");
  private static final Pattern INTERVAL =
      Pattern.compile("(\\d+)\\s*(ms|millis|milliseconds?|s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?)",
          Pattern.CASE_INSENSITIVE);

  private final String format;
  private final Optional<String> schemaLocation;
  private final EvolutionMode evolutionMode;
  private final boolean inferColumnTypes;
  private final Optional<String> schemaHints;
  private final Optional<String> rescuedDataColumn;
  private final boolean rescuedDataColumnSet;
  private final int maxFilesPerTrigger;
  private final Optional<Long> maxBytesPerTrigger;
  private final Optional<String> pathGlobFilter;
  private final Optional<Long> modifiedAfter;
  private final Optional<Long> modifiedBefore;
  private final boolean includeExistingFiles;
  private final boolean allowOverwrites;
  private final CleanSource cleanSource;
  private final Optional<String> moveDestination;
  private final Duration cleanRetention;
  private final Discovery discovery;
  private final Optional<String> queueUrl;
  private final Optional<String> region;
  private final Optional<String> sqsEndpoint;
  private final Optional<String> awsAccessKey;
  private final Optional<String> awsSecretKey;
  private final Optional<Duration> backfillInterval;
  private final int sampleFiles;
  private final long sampleBytes;
  private final long openCostInBytes;
  private final Map<String, String> readerOptions;
  private final List<String> ignored;
  private final List<String> partitionColumns; // null: inferred from key=value folders

  private CloudFilesOptions(Map<String, String> raw, boolean userSchema) {
    Map<String, String> o = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    o.putAll(raw);
    List<String> ignoredHere = new java.util.ArrayList<>();
    Map<String, String> reader = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = e.getKey();
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.startsWith(PREFIX)) {
        if (IGNORED.stream().anyMatch(i -> lower.startsWith(i.toLowerCase(Locale.ROOT)))) {
          ignoredHere.add(key);
        } else if (KNOWN.stream().noneMatch(k -> k.equalsIgnoreCase(key))) {
          throw new IllegalArgumentException("Unknown cloudFiles option '" + key + "'."
              + Suggestions.didYouMean(key, KNOWN) + " Known options are listed in docs/cloudfiles.md.");
        }
      } else if (!isGeneric(lower) && !lower.equals("path")) {
        reader.put(key, e.getValue());
      }
    }
    this.ignored = List.copyOf(ignoredHere);

    String f = o.get(FORMAT);
    if (f == null || f.isBlank()) {
      throw new IllegalArgumentException("Option " + FORMAT + " is required: the format of the"
          + " files (json, csv, parquet, text, orc, binaryFile), e.g."
          + " .option(\"cloudFiles.format\", \"json\").");
    }
    this.format = f.trim().toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("Option " + FORMAT + " = '" + f + "' is not a supported"
          + " format. Use one of json, csv, parquet, text, orc, avro, binaryFile.");
    }
    this.schemaLocation = text(o, SCHEMA_LOCATION);
    this.inferColumnTypes = bool(o, INFER_COLUMN_TYPES, false);
    this.schemaHints = text(o, SCHEMA_HINTS);
    String partitions = o.get(PARTITION_COLUMNS);
    this.partitionColumns = partitions == null ? null : Arrays.stream(partitions.split(","))
        .map(String::trim).filter(n -> !n.isEmpty()).toList();
    this.evolutionMode = text(o, SCHEMA_EVOLUTION_MODE).map(CloudFilesOptions::evolutionMode)
        .orElse(userSchema ? EvolutionMode.NONE : EvolutionMode.ADD_NEW_COLUMNS);
    Optional<String> rescued = text(o, RESCUED_DATA_COLUMN);
    this.rescuedDataColumnSet = rescued.isPresent();
    this.rescuedDataColumn = rescued.isPresent() ? rescued
        : (userSchema && evolutionMode != EvolutionMode.RESCUE) ? Optional.empty()
            : Optional.of(DEFAULT_RESCUED_COLUMN);
    this.maxFilesPerTrigger = (int) positive(o, MAX_FILES_PER_TRIGGER, 1000);
    this.maxBytesPerTrigger = text(o, MAX_BYTES_PER_TRIGGER).map(v -> bytes(MAX_BYTES_PER_TRIGGER, v));
    this.pathGlobFilter = text(o, PATH_GLOB_FILTER).or(() -> text(o, "fileNamePattern"));
    this.modifiedAfter = text(o, MODIFIED_AFTER).map(v -> timestamp(MODIFIED_AFTER, v));
    this.modifiedBefore = text(o, MODIFIED_BEFORE).map(v -> timestamp(MODIFIED_BEFORE, v));
    this.includeExistingFiles = bool(o, INCLUDE_EXISTING_FILES, true);
    this.allowOverwrites = bool(o, ALLOW_OVERWRITES, false);
    this.cleanSource = text(o, CLEAN_SOURCE).map(CloudFilesOptions::cleanSource).orElse(CleanSource.OFF);
    this.moveDestination = text(o, CLEAN_SOURCE_MOVE_DESTINATION);
    this.cleanRetention = text(o, CLEAN_SOURCE_RETENTION).map(v -> duration(CLEAN_SOURCE_RETENTION, v))
        .orElse(Duration.ofDays(30));
    boolean notifications = bool(o, USE_NOTIFICATIONS, false);
    String incremental = text(o, USE_INCREMENTAL_LISTING).orElse("false").toLowerCase(Locale.ROOT);
    if (!Set.of("true", "false", "auto").contains(incremental)) {
      throw new IllegalArgumentException("Option " + USE_INCREMENTAL_LISTING + " = '" + incremental
          + "' must be true, false or auto.");
    }
    this.discovery = notifications ? Discovery.NOTIFICATIONS
        : incremental.equals("true") ? Discovery.INCREMENTAL_LISTING : Discovery.FULL_LISTING;
    this.queueUrl = text(o, QUEUE_URL);
    this.region = text(o, REGION);
    this.sqsEndpoint = text(o, SQS_ENDPOINT);
    this.awsAccessKey = text(o, AWS_ACCESS_KEY);
    this.awsSecretKey = text(o, AWS_SECRET_KEY);
    this.backfillInterval = text(o, BACKFILL_INTERVAL).map(v -> duration(BACKFILL_INTERVAL, v));
    this.sampleFiles = (int) positive(o, SAMPLE_FILES, 1000);
    this.sampleBytes = text(o, SAMPLE_BYTES).map(v -> bytes(SAMPLE_BYTES, v)).orElse(50L << 30);
    this.openCostInBytes = text(o, OPEN_COST).map(v -> bytes(OPEN_COST, v)).orElse(-1L);
    if (format.equals("csv") && reader.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("multiLine"))) {
      // A quoted value may hold a line break; line by line such a record would be cut in two
      // rows without a trace. The cost: a CSV file is read by one task (it is not split).
      reader.put("multiLine", "true");
    }
    this.readerOptions = Map.copyOf(reader);
    validate(userSchema);
  }

  private void validate(boolean userSchema) {
    if (!userSchema && schemaLocation.isEmpty()) {
      throw new IllegalArgumentException("Option " + SCHEMA_LOCATION + " is required when no schema"
          + " is given: the inferred schema and its history are kept there. Set it (the checkpoint"
          + " location is a good choice) or pass a schema with .schema(...).");
    }
    if (evolutionMode == EvolutionMode.ADD_NEW_COLUMNS && userSchema) {
      throw new IllegalArgumentException(SCHEMA_EVOLUTION_MODE + " = addNewColumns needs an inferred"
          + " schema; with a schema given by .schema(...) use rescue, failOnNewColumns or none.");
    }
    if (cleanSource == CleanSource.MOVE && moveDestination.isEmpty()) {
      throw new IllegalArgumentException(CLEAN_SOURCE + " = MOVE needs "
          + CLEAN_SOURCE_MOVE_DESTINATION + " (a directory outside the source path).");
    }
    if (discovery == Discovery.NOTIFICATIONS && queueUrl.isEmpty()) {
      throw new IllegalArgumentException(USE_NOTIFICATIONS + " = true needs " + QUEUE_URL
          + ": the SQS queue that receives the bucket's S3 event notifications. (medallion does not"
          + " create queues or bucket notifications for you.)");
    }
    if (awsAccessKey.isPresent() != awsSecretKey.isPresent()) {
      throw new IllegalArgumentException("Set both " + AWS_ACCESS_KEY + " and " + AWS_SECRET_KEY
          + ", or neither (then the default AWS credentials chain is used).");
    }
    if (modifiedAfter.isPresent() && modifiedBefore.isPresent()
        && modifiedAfter.get() >= modifiedBefore.get()) {
      throw new IllegalArgumentException(MODIFIED_AFTER + " must be before " + MODIFIED_BEFORE + ".");
    }
    if (rescuedDataColumn.isPresent() && rescuedDataColumn.get().isBlank()) {
      throw new IllegalArgumentException(RESCUED_DATA_COLUMN + " must not be blank.");
    }
  }

  /** Parses and validates options; {@code userSchema} says whether {@code .schema(...)} was given. */
  public static CloudFilesOptions parse(Map<String, String> options, boolean userSchema) {
    return new CloudFilesOptions(options, userSchema);
  }

  private static boolean isGeneric(String lower) {
    return lower.equals(RESCUED_DATA_COLUMN.toLowerCase(Locale.ROOT))
        || lower.equals(PATH_GLOB_FILTER.toLowerCase(Locale.ROOT))
        || lower.equals("filenamepattern")
        || lower.equals(MODIFIED_AFTER.toLowerCase(Locale.ROOT))
        || lower.equals(MODIFIED_BEFORE.toLowerCase(Locale.ROOT));
  }

  private static Optional<String> text(Map<String, String> o, String key) {
    String v = o.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  private static boolean bool(Map<String, String> o, String key, boolean dflt) {
    Optional<String> v = text(o, key);
    if (v.isEmpty()) {
      return dflt;
    }
    if (v.get().equalsIgnoreCase("true") || v.get().equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v.get());
    }
    throw new IllegalArgumentException("Option " + key + " = '" + v.get() + "' must be true or false.");
  }

  private static long positive(Map<String, String> o, String key, long dflt) {
    Optional<String> v = text(o, key);
    if (v.isEmpty()) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.get());
      if (n > 0 && n <= Integer.MAX_VALUE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("Option " + key + " = '" + v.get() + "' must be a positive whole number.");
  }

  static long bytes(String key, String v) {
    try {
      long n = JavaUtils.byteStringAsBytes(v.replace(" ", "").toLowerCase(Locale.ROOT));
      if (n > 0) {
        return n;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("Option " + key + " = '" + v + "' must be a positive size such"
        + " as 10g, 512m or 1048576.");
  }

  static Duration duration(String key, String v) {
    Matcher m = INTERVAL.matcher(v.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("Option " + key + " = '" + v + "' must be an interval such"
          + " as \"1 day\", \"12 hours\", \"30 minutes\" or \"10s\".");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    if (unit.startsWith("ms") || unit.startsWith("milli")) {
      return Duration.ofMillis(n);
    }
    return switch (unit.charAt(0)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  private static long timestamp(String key, String v) {
    // Spark's own format for modifiedAfter/modifiedBefore: YYYY-MM-DDTHH:mm:ss, in UTC here.
    try {
      return java.time.LocalDateTime.parse(v).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    } catch (RuntimeException e) {
      try {
        return java.time.Instant.parse(v).toEpochMilli();
      } catch (RuntimeException e2) {
        throw new IllegalArgumentException("Option " + key + " = '" + v + "' must be a timestamp"
            + " such as 2024-06-01T00:00:00 (UTC) or 2024-06-01T00:00:00Z.");
      }
    }
  }

  private static EvolutionMode evolutionMode(String v) {
    for (EvolutionMode m : EvolutionMode.values()) {
      if (m.optionValue.equalsIgnoreCase(v)) {
        return m;
      }
    }
    throw new IllegalArgumentException("Option " + SCHEMA_EVOLUTION_MODE + " = '" + v + "' is not a"
        + " mode. Use addNewColumns, rescue, failOnNewColumns or none.");
  }

  private static CleanSource cleanSource(String v) {
    try {
      return CleanSource.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Option " + CLEAN_SOURCE + " = '" + v + "' must be OFF,"
          + " DELETE or MOVE.");
    }
  }

  public String format() { return format; }
  public Optional<String> schemaLocation() { return schemaLocation; }
  public EvolutionMode evolutionMode() { return evolutionMode; }

  /**
   * How the readers treat a file's columns that the schema lacks: the evolution mode, except that
   * {@code none} with {@code rescuedDataColumn} set rescues them, as {@code rescue} does (Auto
   * Loader: "new columns are ignored, and data is not rescued unless the rescuedDataColumn option
   * is set"). JSON rescues unknown fields in both modes anyway.
   */
  public EvolutionMode newColumnsMode() {
    return evolutionMode == EvolutionMode.NONE && rescuedDataColumnSet ? EvolutionMode.RESCUE : evolutionMode;
  }
  public boolean inferColumnTypes() { return inferColumnTypes; }
  public Optional<String> schemaHints() { return schemaHints; }
  /** The partition columns named by {@code cloudFiles.partitionColumns} ("" = none); empty: inferred. */
  public Optional<List<String>> partitionColumns() { return Optional.ofNullable(partitionColumns); }
  public Optional<String> rescuedDataColumn() { return rescuedDataColumn; }
  public int maxFilesPerTrigger() { return maxFilesPerTrigger; }
  public Optional<Long> maxBytesPerTrigger() { return maxBytesPerTrigger; }
  public Optional<String> pathGlobFilter() { return pathGlobFilter; }
  public Optional<Long> modifiedAfter() { return modifiedAfter; }
  public Optional<Long> modifiedBefore() { return modifiedBefore; }
  public boolean includeExistingFiles() { return includeExistingFiles; }
  public boolean allowOverwrites() { return allowOverwrites; }
  public CleanSource cleanSource() { return cleanSource; }
  public Optional<String> moveDestination() { return moveDestination; }
  public Duration cleanRetention() { return cleanRetention; }
  public Discovery discovery() { return discovery; }
  public Optional<String> queueUrl() { return queueUrl; }
  public Optional<String> region() { return region; }
  public Optional<String> sqsEndpoint() { return sqsEndpoint; }
  public Optional<String> awsAccessKey() { return awsAccessKey; }
  public Optional<String> awsSecretKey() { return awsSecretKey; }
  public Optional<Duration> backfillInterval() { return backfillInterval; }
  public int sampleFiles() { return sampleFiles; }
  public long sampleBytes() { return sampleBytes; }
  /** Open cost per file for packing small files into tasks; negative = choose per batch. */
  public long openCostInBytes() { return openCostInBytes; }
  /** The options for the file format's reader (everything that is not a cloudFiles option). */
  public Map<String, String> readerOptions() { return readerOptions; }
  /** Auto Loader options given that have no effect here. */
  public List<String> ignoredOptions() { return ignored; }

  @Override
  public String toString() {
    return "CloudFilesOptions[format=" + format + ", discovery=" + discovery + ", evolution="
        + evolutionMode.optionValue + ", maxFilesPerTrigger=" + maxFilesPerTrigger
        + (awsAccessKey.isPresent() ? ", awsAccessKey=***" : "") + "]";
  }
}
