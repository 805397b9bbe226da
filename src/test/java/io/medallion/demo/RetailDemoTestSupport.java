package io.medallion.demo;

import java.util.Map;
import java.util.TreeMap;

final class RetailDemoTestSupport {
  private RetailDemoTestSupport() {}

  /** Gold rows as "day country" -> "orders revenue". */
  static Map<String, String> expectedGold(RetailSampleData data) {
    Map<String, String> expected = new TreeMap<>();
    data.dailyRevenue.forEach((k, v) ->
        expected.put(k.day() + " " + k.country(), v.orders() + " " + v.revenue().toPlainString()));
    return expected;
  }
}
