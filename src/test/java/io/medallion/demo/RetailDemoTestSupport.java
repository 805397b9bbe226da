package io.medallion.demo;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.testkit.Lakehouse;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;

final class RetailDemoTestSupport {
  private RetailDemoTestSupport() {}

  /** Gold rows as "day country" -> "orders revenue". */
  static Map<String, String> expectedGold(RetailSampleData data) {
    Map<String, String> expected = new TreeMap<>();
    data.dailyRevenue.forEach((k, v) ->
        expected.put(k.day() + " " + k.country(), v.orders() + " " + v.revenue().toPlainString()));
    return expected;
  }

  /** The gold table's rows in the same shape as {@link #expectedGold}. */
  static Map<String, String> gold(Lakehouse lake, PipelineDefinition pipeline, Environment env) {
    Map<String, String> actual = new TreeMap<>();
    for (Row r : lake.table(pipeline, env, "gold.daily_revenue").collectAsList()) {
      actual.put(r.getAs("order_date").toString() + " " + r.getAs("country"),
          r.<Long>getAs("orders") + " " + r.<BigDecimal>getAs("revenue").toPlainString());
    }
    return actual;
  }
}
