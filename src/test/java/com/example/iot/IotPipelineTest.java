package com.example.iot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.medallion.pipeline.Environment;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MedallionExtension.class)
class IotPipelineTest {
  @Test
  void readingsReachGoldAndImplausibleOnesTheQuarantine(Lakehouse lake) throws Exception {
    Path landing = lake.root().resolve("landing");
    Files.createDirectories(landing.resolve("readings"));
    Files.createDirectories(landing.resolve("devices"));
    Files.writeString(landing.resolve("readings/2026-12-01.json"), """
        {"device_id": "d1", "ts": "2026-12-01T10:00:00", "temperature": "21.5", "sent_at": "2026-12-01T10:00:01"}
        {"device_id": "d1", "ts": "2026-12-01T10:05:00", "temperature": "22.0", "sent_at": "2026-12-01T10:05:01"}
        {"device_id": "d1", "ts": "2026-12-01T10:05:00", "temperature": "22.4", "sent_at": "2026-12-01T10:30:00"}
        {"device_id": "d2", "ts": "2026-12-01T10:00:00", "temperature": "19.0", "sent_at": "2026-12-01T10:00:02"}
        {"device_id": "d2", "ts": "2026-12-01T10:05:00", "temperature": "900", "sent_at": "2026-12-01T10:05:02"}
        """);
    Files.writeString(landing.resolve("devices/devices.csv"), "device_id,site\nd1,hall-a\nd2,hall-b\n");

    Environment env = lake.environment(landing.toString()); // catalogs and storage of this test only
    PipelineDefinition pipeline = IotPipeline.definition(env.landingRoot());
    lake.run(pipeline, env);

    assertEquals("[[hall-a,2,21.95], [hall-b,1,19.0]]",
        lake.table(pipeline, env, "gold.site_temperature").orderBy("site").collectAsList().toString());
    Row quarantined = lake.quarantine(pipeline, env, "silver.readings")
        .selectExpr("device_id", "temperature", "_errors[0].rule").first();
    assertEquals("[d2,900.0,plausible]", quarantined.toString());
  }
}
