package io.medallion.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The retail demo's expected results computed in plain Java straight from the sample files,
 * independently of Spark and of the pipeline's SQL.
 */
final class RetailSampleData {
  record DayCountry(LocalDate day, String country) implements Comparable<DayCountry> {
    @Override
    public int compareTo(DayCountry o) {
      int c = day.compareTo(o.day);
      return c != 0 ? c : country.compareTo(o.country);
    }
  }

  record Revenue(long orders, BigDecimal revenue) {}

  final long orderLines;
  final long malformedLines;
  final Map<Long, JsonNode> latestOrders = new HashMap<>();
  /** The latest version of each order that passes silver's expectations. */
  final Map<Long, JsonNode> silverOrders = new HashMap<>();
  /** Order ids silver quarantines (negative amount) and drops (no customer). */
  final java.util.Set<Long> quarantinedOrders = new java.util.TreeSet<>();
  final java.util.Set<Long> droppedOrders = new java.util.TreeSet<>();
  final Map<Long, String> countries = new HashMap<>();
  final Map<DayCountry, Revenue> dailyRevenue = new TreeMap<>();

  RetailSampleData(Path landing) {
    ObjectMapper json = new ObjectMapper();
    long lines = 0;
    long malformed = 0;
    for (Path file : files(landing.resolve("orders"), ".json")) {
      for (String line : read(file)) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        JsonNode order;
        try {
          order = json.readTree(line);
        } catch (IOException e) {
          malformed++;
          continue;
        }
        long id = order.get("order_id").asLong();
        JsonNode seen = latestOrders.get(id);
        if (seen == null || order.get("updated_at").asText().compareTo(seen.get("updated_at").asText()) > 0) {
          latestOrders.put(id, order);
        }
      }
    }
    orderLines = lines;
    malformedLines = malformed;
    for (Path file : files(landing.resolve("customers"), ".csv")) {
      List<String> rows = read(file);
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",");
        countries.put(Long.parseLong(f[0]), f[2]);
      }
    }
    for (Map.Entry<Long, JsonNode> e : latestOrders.entrySet()) {
      JsonNode o = e.getValue();
      if (new BigDecimal(o.get("amount").asText()).signum() < 0) {
        quarantinedOrders.add(e.getKey());
      } else if (o.get("customer_id").isNull()) {
        droppedOrders.add(e.getKey());
      } else {
        silverOrders.put(e.getKey(), o);
      }
    }
    for (JsonNode o : silverOrders.values()) {
      if (o.get("status").asText().equals("cancelled")) {
        continue;
      }
      DayCountry key = new DayCountry(
          LocalDate.parse(o.get("order_ts").asText().substring(0, 10)),
          countries.get(o.get("customer_id").asLong()));
      BigDecimal amount = new BigDecimal(o.get("amount").asText()).setScale(2);
      dailyRevenue.merge(key, new Revenue(1, amount),
          (a, b) -> new Revenue(a.orders() + b.orders(), a.revenue().add(b.revenue())));
    }
  }

  private static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
