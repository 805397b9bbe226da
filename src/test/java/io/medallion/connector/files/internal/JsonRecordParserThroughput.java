package io.medallion.connector.files.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TimeZone;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.json.JacksonParser;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Throughput of {@link JsonRecordParser} against Spark's own {@link JacksonParser} (what {@code
 * spark.read.json} runs per line), on generated ~200-byte lines of 10 fields. Not a test: run
 * {@code main} by hand (with the test classpath and Spark's Java 17 flags); it prints lines/s.
 *
 * <p>Arguments: [lines (default 1,000,000)] [rounds (default 5)].
 */
public final class JsonRecordParserThroughput {
  private JsonRecordParserThroughput() {}

  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("name", DataTypes.StringType)
          .add("email", DataTypes.StringType)
          .add("city", DataTypes.StringType)
          .add("amount", DataTypes.DoubleType)
          .add("score", DataTypes.DoubleType)
          .add("qty", DataTypes.LongType)
          .add("status", DataTypes.StringType)
          .add("ts", DataTypes.TimestampType)
          .add(
              "addr",
              new StructType()
                  .add("street", DataTypes.StringType)
                  .add("zip", DataTypes.LongType));

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String tz = TimeZone.getDefault().getID();

    byte[][] lines = generate(n);
    long bytes = 0;
    for (byte[] l : lines) {
      bytes += l.length;
    }
    System.out.printf(Locale.ROOT, "%,d lines, %.1f bytes/line%n", n, (double) bytes / n);

    StructType required = SCHEMA.add("_rescued_data", DataTypes.StringType);
    JsonRecordParser ours =
        new JsonRecordParser(SCHEMA, required, Optional.of("_rescued_data"), Map.of(), tz);
    JsonRecordParser.Observations obs = new JsonRecordParser.Observations();

    scala.collection.immutable.Map<String, String> noOptions =
        scala.collection.immutable.Map$.MODULE$.empty();
    JacksonParser spark =
        new JacksonParser(
            SCHEMA,
            new JSONOptions(noOptions, tz, "_corrupt_record"),
            false,
            scala.collection.JavaConverters.asScalaBuffer(
                new java.util.ArrayList<org.apache.spark.sql.sources.Filter>()).toSeq());

    // The two parsers alternate on chunks of 20,000 lines so that both see the same machine load.
    int chunk = 20_000;
    long oursTotal = 0;
    long sparkTotal = 0;
    for (int r = 0; r < rounds; r++) {
      long oursNanos = 0;
      long sparkNanos = 0;
      long sink = 0;
      for (int from = 0; from < n; from += chunk) {
        int to = Math.min(n, from + chunk);
        long t0 = System.nanoTime();
        for (int i = from; i < to; i++) {
          byte[] l = lines[i];
          InternalRow row = ours.parse(l, 0, l.length, "file:/bench/part-0.json", obs);
          sink += row.getLong(0);
        }
        long t1 = System.nanoTime();
        for (int i = from; i < to; i++) {
          InternalRow row = spark.parse(lines[i], JsonRecordParserThroughput::create, UTF8String::fromBytes).head();
          sink -= row.getLong(0);
        }
        long t2 = System.nanoTime();
        oursNanos += t1 - t0;
        sparkNanos += t2 - t1;
      }
      if (r > 0) { // round 1 is warm-up
        oursTotal += oursNanos;
        sparkTotal += sparkNanos;
      }
      System.out.printf(
          Locale.ROOT,
          "round %d: JsonRecordParser %,.0f lines/s, Spark JacksonParser %,.0f lines/s,"
              + " time ratio ours/Spark %.2f%s%n",
          r + 1,
          n / (oursNanos / 1e9),
          n / (sparkNanos / 1e9),
          (double) oursNanos / sparkNanos,
          sink == 0 ? "" : " (rows differ!)");
    }
    if (rounds > 1) {
      System.out.printf(
          Locale.ROOT,
          "after warm-up: JsonRecordParser %,.0f lines/s, Spark JacksonParser %,.0f lines/s,"
              + " time ratio ours/Spark %.2f%n",
          (double) n * (rounds - 1) / (oursTotal / 1e9),
          (double) n * (rounds - 1) / (sparkTotal / 1e9),
          (double) oursTotal / sparkTotal);
    }
    System.out.println(obs);
  }

  private static com.fasterxml.jackson.core.JsonParser create(
      com.fasterxml.jackson.core.JsonFactory factory, byte[] record) {
    try {
      return factory.createParser(record, 0, record.length); // as Spark's CreateJacksonParser
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static byte[][] generate(int n) {
    Random rnd = new Random(42);
    String[] cities = {"Oslo", "Lisbon", "Zürich", "Montréal", "Kyoto", "Austin", "Nairobi"};
    String[] statuses = {"new", "paid", "shipped", "cancelled"};
    byte[][] out = new byte[n][];
    StringBuilder sb = new StringBuilder(256);
    for (int i = 0; i < n; i++) {
      sb.setLength(0);
      sb.append("{\"id\":").append(1_000_000_000L + i);
      sb.append(",\"name\":\"customer-").append(rnd.nextInt(100_000)).append('"');
      sb.append(",\"email\":\"user").append(rnd.nextInt(1_000_000)).append("@example.com\"");
      sb.append(",\"city\":\"").append(cities[rnd.nextInt(cities.length)]).append('"');
      sb.append(",\"amount\":").append(rnd.nextInt(100_000) / 100.0);
      sb.append(",\"score\":").append(rnd.nextDouble());
      sb.append(",\"qty\":").append(rnd.nextInt(50));
      sb.append(",\"status\":\"").append(statuses[rnd.nextInt(statuses.length)]).append('"');
      sb.append(",\"ts\":\"2024-")
          .append(String.format(Locale.ROOT, "%02d-%02dT%02d:%02d:%02d.%03dZ",
              1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(24), rnd.nextInt(60),
              rnd.nextInt(60), rnd.nextInt(1000)))
          .append('"');
      sb.append(",\"addr\":{\"street\":\"").append(rnd.nextInt(999)).append(" Main Street\"");
      sb.append(",\"zip\":").append(10_000 + rnd.nextInt(89_999)).append('}');
      sb.append('}');
      out[i] = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }
}
