package io.medallion.connector.kinesis.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.net.URI;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The source's options, parsed and validated once on the driver; serializable so that executors
 * build their own clients from it. Option names are the Databricks Kinesis source's (Spark hands
 * them over case-insensitively). {@link #toString()} never shows the secret key.
 */
public final class KinesisOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String STREAM_NAME = "streamName";
  static final String REGION = "region";
  static final String ENDPOINT = "endpoint";
  static final String INITIAL_POSITION = "initialPosition";
  static final String MAX_RECORDS_PER_FETCH = "maxRecordsPerFetch";
  static final String MAX_FETCH_RATE = "maxFetchRate";
  static final String MIN_FETCH_PERIOD = "minFetchPeriod";
  static final String MAX_FETCH_DURATION = "maxFetchDuration";
  static final String MAX_RECORDS_PER_TRIGGER = "maxRecordsPerTrigger";
  static final String FAIL_ON_DATA_LOSS = "failOnDataLoss";
  static final String ACCESS_KEY = "awsAccessKey";
  static final String SECRET_KEY = "awsSecretKey";
  static final String ROLE_ARN = "roleArn";
  static final String ROLE_EXTERNAL_ID = "roleExternalId";
  static final String ROLE_SESSION_NAME = "roleSessionName";
  static final String STS_ENDPOINT = "stsEndpoint";
  static final String API_CALL_TIMEOUT = "apiCallTimeout";
  static final String MAX_THROTTLE_RETRIES = "maxThrottleRetries";

  /** Databricks options we accept and ignore (a warning says so). */
  private static final List<String> IGNORED = List.of("fetchBufferSize", "shardsPerTask",
      "shardFetchInterval", "coalesceThresholdBlockSize", "coalesceBinSize");

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
  private static final Pattern STREAM = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

  /** Where a query without a checkpoint starts. */
  public enum Start { LATEST, TRIM_HORIZON, AT_TIMESTAMP }

  /** A parsed {@code initialPosition}: the kind and, for {@code AT_TIMESTAMP}, the instant. */
  record InitialPosition(Start start, Instant timestamp) implements Serializable {}

  private final String streamName;
  private final String region;
  private final String endpoint;
  private final Start initialPosition;
  private final Instant initialTimestamp;
  private final int maxRecordsPerFetch;
  private final double maxFetchRateMbPerSecond;
  private final long minFetchPeriodMs;
  private final long maxFetchDurationMs;
  private final long maxRecordsPerTrigger;
  private final boolean failOnDataLoss;
  private final String accessKey;
  private final String secretKey;
  private final String roleArn;
  private final String roleExternalId;
  private final String roleSessionName;
  private final String stsEndpoint;
  private final long apiCallTimeoutMs;
  private final int maxThrottleRetries;

  private KinesisOptions(CaseInsensitiveStringMap o) {
    String streams = require(o, STREAM_NAME);
    if (streams.contains(",")) {
      throw new IllegalArgumentException("Option streamName='" + streams + "' names several"
          + " streams; this source reads one stream per query. Fix: start one query per stream"
          + " (and union them downstream if needed).");
    }
    streamName = streams.trim();
    if (!STREAM.matcher(streamName).matches()) {
      throw new IllegalArgumentException("Option streamName='" + streamName + "' is not a valid"
          + " Kinesis stream name (1 to 128 of a-z A-Z 0-9 _ . -).");
    }
    region = blankToNull(o.get(REGION));
    endpoint = blankToNull(o.get(ENDPOINT));
    if (endpoint != null) {
      checkUri(ENDPOINT, endpoint);
    }
    String position = Optional.ofNullable(blankToNull(o.get(INITIAL_POSITION))).orElse("latest");
    InitialPosition start = parseInitialPosition(position);
    initialPosition = start.start();
    initialTimestamp = start.timestamp();
    maxRecordsPerFetch = (int) positive(o, MAX_RECORDS_PER_FETCH, 10_000, 10_000);
    maxFetchRateMbPerSecond = positiveDouble(o, MAX_FETCH_RATE, 1.0);
    minFetchPeriodMs = duration(o, MIN_FETCH_PERIOD, 400);
    maxFetchDurationMs = duration(o, MAX_FETCH_DURATION, 10_000);
    maxRecordsPerTrigger = positive(o, MAX_RECORDS_PER_TRIGGER, Long.MAX_VALUE, Long.MAX_VALUE);
    failOnDataLoss = bool(o, FAIL_ON_DATA_LOSS, true);
    accessKey = blankToNull(o.get(ACCESS_KEY));
    secretKey = blankToNull(o.get(SECRET_KEY));
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("Options awsAccessKey and awsSecretKey go together, but"
          + " only " + (accessKey == null ? "awsSecretKey" : "awsAccessKey") + " is set. Fix: set"
          + " both, or neither to use the default AWS credentials chain.");
    }
    roleArn = blankToNull(o.get(ROLE_ARN));
    roleExternalId = blankToNull(o.get(ROLE_EXTERNAL_ID));
    roleSessionName = Optional.ofNullable(blankToNull(o.get(ROLE_SESSION_NAME)))
        .orElse("medallion-kinesis");
    stsEndpoint = blankToNull(o.get(STS_ENDPOINT));
    if (stsEndpoint != null) {
      checkUri(STS_ENDPOINT, stsEndpoint);
    }
    if (roleArn == null && (roleExternalId != null || o.containsKey(ROLE_SESSION_NAME))) {
      throw new IllegalArgumentException("Options roleExternalId/roleSessionName are set but"
          + " roleArn is not. Fix: set roleArn to the role to assume, or remove them.");
    }
    apiCallTimeoutMs = duration(o, API_CALL_TIMEOUT, 20_000);
    maxThrottleRetries = (int) positive(o, MAX_THROTTLE_RETRIES, 10, 1_000);
    if ("efo".equalsIgnoreCase(o.get("consumerMode"))) {
      throw new IllegalArgumentException("Option consumerMode=efo (enhanced fan-out) is not"
          + " supported by this source; it reads by polling (GetRecords). Fix: remove the option.");
    }
  }

  /** Parses and validates {@code options}, failing with a message naming the bad option. */
  public static KinesisOptions parse(CaseInsensitiveStringMap options) {
    return new KinesisOptions(options);
  }

  /** Databricks options this source accepts without effect (the provider warns about them). */
  public static List<String> ignoredOptions() {
    return IGNORED;
  }

  public String streamName() {
    return streamName;
  }

  /** The region option, or null to resolve it from the environment. */
  public String region() {
    return region;
  }

  /** The endpoint override, or null for the region's public endpoint. */
  public String endpoint() {
    return endpoint;
  }

  public Start initialPosition() {
    return initialPosition;
  }

  /** The timestamp of {@link Start#AT_TIMESTAMP}, else null. */
  public Instant initialTimestamp() {
    return initialTimestamp;
  }

  public int maxRecordsPerFetch() {
    return maxRecordsPerFetch;
  }

  public double maxFetchRateMbPerSecond() {
    return maxFetchRateMbPerSecond;
  }

  public long minFetchPeriodMs() {
    return minFetchPeriodMs;
  }

  public long maxFetchDurationMs() {
    return maxFetchDurationMs;
  }

  /** Upper bound of records per micro-batch (all shards), {@code Long.MAX_VALUE} if none. */
  public long maxRecordsPerTrigger() {
    return maxRecordsPerTrigger;
  }

  public boolean failOnDataLoss() {
    return failOnDataLoss;
  }

  String accessKey() {
    return accessKey;
  }

  String secretKey() {
    return secretKey;
  }

  String roleArn() {
    return roleArn;
  }

  String roleExternalId() {
    return roleExternalId;
  }

  String roleSessionName() {
    return roleSessionName;
  }

  String stsEndpoint() {
    return stsEndpoint;
  }

  long apiCallTimeoutMs() {
    return apiCallTimeoutMs;
  }

  int maxThrottleRetries() {
    return maxThrottleRetries;
  }

  /** Where the stream lives, for messages: {@code region us-east-1, endpoint http://...}. */
  String location() {
    return "region " + (region == null ? "(resolved from the environment)" : region)
        + (endpoint == null ? "" : ", endpoint " + endpoint);
  }

  @Override
  public String toString() {
    return "KinesisOptions[streamName=" + streamName + ", " + location()
        + ", initialPosition=" + initialPosition
        + (initialTimestamp == null ? "" : " " + initialTimestamp)
        + ", maxRecordsPerFetch=" + maxRecordsPerFetch
        + ", maxFetchRate=" + maxFetchRateMbPerSecond + "MB/s, minFetchPeriod=" + minFetchPeriodMs
        + "ms, maxFetchDuration=" + maxFetchDurationMs + "ms"
        + (maxRecordsPerTrigger == Long.MAX_VALUE ? "" : ", maxRecordsPerTrigger="
            + maxRecordsPerTrigger)
        + ", failOnDataLoss=" + failOnDataLoss
        + ", credentials=" + (accessKey != null ? "static key (id and secret hidden)"
            : "default chain")
        + (roleArn == null ? "" : ", roleArn=" + roleArn) + "]";
  }

  // ---- parsing ----

  /**
   * {@code latest}, {@code trim_horizon}, {@code earliest}, an ISO-8601 instant, or Databricks'
   * JSON {@code {"at_timestamp": "06/25/2020 10:23:45 PDT", "format": "MM/dd/yyyy HH:mm:ss ZZZ"}}
   * (without {@code format} the value is an ISO-8601 instant).
   */
  static InitialPosition parseInitialPosition(String value) {
    String v = value.trim();
    switch (v.toLowerCase(Locale.ROOT)) {
      case "latest":
        return new InitialPosition(Start.LATEST, null);
      case "trim_horizon":
      case "earliest":
        return new InitialPosition(Start.TRIM_HORIZON, null);
      default:
        break;
    }
    if (v.startsWith("{")) {
      JsonNode json;
      try {
        json = new ObjectMapper().readTree(v);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw badPosition(value, "it is not valid JSON (" + e.getOriginalMessage() + ")");
      }
      JsonNode at = json.get("at_timestamp");
      if (at == null || !at.isTextual()) {
        throw badPosition(value, "the JSON has no string field at_timestamp");
      }
      JsonNode format = json.get("format");
      if (format == null) {
        return new InitialPosition(Start.AT_TIMESTAMP, isoInstant(value, at.asText()));
      }
      SimpleDateFormat parser = new SimpleDateFormat(format.asText(), Locale.ROOT);
      parser.setLenient(false);
      try {
        return new InitialPosition(Start.AT_TIMESTAMP, parser.parse(at.asText()).toInstant());
      } catch (ParseException e) {
        throw badPosition(value, "'" + at.asText() + "' does not match format '"
            + format.asText() + "'");
      }
    }
    return new InitialPosition(Start.AT_TIMESTAMP, isoInstant(value, v));
  }

  private static Instant isoInstant(String option, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw badPosition(option, "'" + text + "' is not an ISO-8601 instant");
    }
  }

  private static IllegalArgumentException badPosition(String value, String why) {
    return new IllegalArgumentException("Option initialPosition='" + value + "' is invalid: "
        + why + ". Fix: use latest, trim_horizon (or earliest), an ISO-8601 instant such as"
        + " 2020-06-25T17:23:45Z, or {\"at_timestamp\": \"06/25/2020 10:23:45 PDT\", \"format\":"
        + " \"MM/dd/yyyy HH:mm:ss ZZZ\"}.");
  }

  private static String require(CaseInsensitiveStringMap o, String key) {
    String v = blankToNull(o.get(key));
    if (v == null) {
      throw new IllegalArgumentException("Option " + key + " is required: the name of the Kinesis"
          + " stream to read. Fix: .option(\"" + key + "\", \"<stream>\").");
    }
    return v;
  }

  private static long positive(CaseInsensitiveStringMap o, String key, long dflt, long max) {
    String v = blankToNull(o.get(key));
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n > 0 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("Option " + key + "='" + v + "' must be a whole number"
        + " from 1 to " + max + ".");
  }

  private static double positiveDouble(CaseInsensitiveStringMap o, String key, double dflt) {
    String v = blankToNull(o.get(key));
    if (v == null) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v.trim());
      if (d > 0 && !Double.isInfinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("Option " + key + "='" + v + "' must be a positive number"
        + " (MB per second per shard).");
  }

  /** A duration such as {@code 400ms}, {@code 10s}, {@code 2m}, {@code 1h} (plain number = ms). */
  static long duration(CaseInsensitiveStringMap o, String key, long dfltMs) {
    String v = blankToNull(o.get(key));
    if (v == null) {
      return dfltMs;
    }
    Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("Option " + key + "='" + v + "' is not a duration."
          + " Fix: use e.g. 400ms, 10s, 2m or 1h.");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return Map.of("ms", 1L, "s", 1_000L, "m", 60_000L, "h", 3_600_000L).get(unit) * n;
  }

  private static boolean bool(CaseInsensitiveStringMap o, String key, boolean dflt) {
    String v = blankToNull(o.get(key));
    if (v == null) {
      return dflt;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException("Option " + key + "='" + v + "' must be true or false.");
  }

  private static void checkUri(String key, String value) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() != null && uri.getHost() != null) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IllegalArgumentException("Option " + key + "='" + value + "' is not a URL."
        + " Fix: use e.g. https://kinesis.us-east-1.amazonaws.com or http://127.0.0.1:4567.");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
