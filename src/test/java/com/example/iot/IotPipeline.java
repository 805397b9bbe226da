package com.example.iot;

import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.source.FileSource;

/** The IoT pipeline in Java: readings as JSON lines, devices as CSV, temperature per site. */
public final class IotPipeline {
  private IotPipeline() {}

  public static PipelineDefinition definition(String landingRoot) {
    return PipelineBuilder.pipeline("iot")
        .schema("plant")
        .bronze("readings",
            FileSource.of(landingRoot + "/readings", "json")
                .withSchema("device_id STRING, ts STRING, temperature STRING, sent_at STRING"),
            b -> b.comment("Readings as delivered").expect("parsable", "_rescued_data IS NULL"))
        .bronze("devices",
            FileSource.of(landingRoot + "/devices", "csv")
                .withSchema("device_id STRING, site STRING")
                .withOption("header", "true"))
        .silver("readings", s -> s.from("bronze.readings")
            .sql("""
                SELECT device_id, CAST(ts AS TIMESTAMP) AS ts,
                       CAST(temperature AS DOUBLE) AS temperature, CAST(sent_at AS TIMESTAMP) AS sent_at
                FROM {bronze.readings}""")
            .keys("device_id", "ts")     // one row per device and time
            .sequenceBy("sent_at")       // a later correction wins
            .expectOrDrop("has_device", "device_id IS NOT NULL")
            .expectOrQuarantine("plausible", "temperature BETWEEN -40 AND 125"))
        .silver("devices", s -> s.from("bronze.devices").keys("device_id"))
        .gold("site_temperature", """
            SELECT d.site, COUNT(*) AS readings, ROUND(AVG(r.temperature), 2) AS avg_temperature
            FROM {silver.readings} r JOIN {silver.devices} d ON r.device_id = d.device_id
            GROUP BY d.site""")
        .build();
  }
}
