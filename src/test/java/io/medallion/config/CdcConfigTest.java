package io.medallion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.table.CdcSpec;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cdc { ... }} block of a silver table: DLT's names hyphenated, defaults, mistakes. */
class CdcConfigTest {
  private static final String ENV = "env {\n  name = t\n  storage-root = /data\n"
      + "  warehouse-root = ${env.storage-root}/warehouse\n  checkpoint-root = ${env.storage-root}/checkpoints\n"
      + "  landing-root = /landing\n  catalogs { bronze = t_bronze, silver = t_silver, gold = t_gold }\n}\n";

  @TempDir Path conf;

  @BeforeEach
  void environment() throws IOException {
    ConfFolders.withEnvironment(conf, ENV);
  }

  private LoadedPipeline load(String silver) throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"), "pipeline {\n  name = p\n  schema = s\n"
        + "  bronze.cdc_feed.source { type = files, path = /x, format = csv }\n"
        + "  silver.customers {\n    from = bronze.cdc_feed\n" + silver + "\n  }\n}\n");
    return ConfigLoader.load(conf, "p", "t", conf);
  }

  private ConfigurationException error(String silver) {
    ConfigurationException e = catchThrowableOfType(() -> load(silver), ConfigurationException.class);
    assertThat(e).as("a ConfigurationException").isNotNull();
    return e;
  }

  private CdcSpec spec(String silver) throws IOException {
    SilverTable t = (SilverTable) load(silver).pipeline().table(TableRef.parse("silver.customers")).orElseThrow();
    return t.cdc().orElseThrow();
  }

  @Test
  void aCdcBlockReadsDltsOptionsWithDefaultsFromReferenceConf() throws IOException {
    CdcSpec s = spec("keys = [customer_id]\n sequence-by = [commit_ts, lsn]\n cdc {\n"
        + "  apply-as-deletes = \"Op = 'D'\"\n except-column-list = [Op, commit_ts, lsn]\n"
        + "  stored-as-scd-type = 2\n track-history-except-column-list = [last_login]\n }");
    assertThat(s).isEqualTo(CdcSpec.builder(List.of("customer_id"), List.of("commit_ts", "lsn"))
        .applyAsDeletes("Op = 'D'").exceptColumnList(List.of("Op", "commit_ts", "lsn")).scdType2()
        .trackHistoryExceptColumnList(List.of("last_login")).build());
    assertThat(s.tombstoneRetention()).isEqualTo(Duration.ofDays(2));
    SilverTable t = (SilverTable) load("keys = [id]\n sequence-by = ts\n cdc { tombstone-retention = 1h }")
        .pipeline().table(TableRef.parse("silver.customers")).orElseThrow();
    assertThat(t.sequenceBy()).isEqualTo(Optional.of("ts"));
    assertThat(t.cdc().orElseThrow().tombstoneRetention()).isEqualTo(Duration.ofHours(1));
    assertThat(t.cdc().orElseThrow().storedAsScdType()).isEqualTo(1);
  }

  @Test
  void mistakesNameThePathAndTheFix() {
    assertThat(error("keys = [id]\n sequence-by = ts\n cdc { stored-as-scd-type = 2, apply-as-truncates = \"Op = 'T'\" }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.apply-as-truncates").hasMessageContaining("SCD type 1 only");
    assertThat(error("keys = [id]\n sequence-by = ts\n cdc { column-list = [a], except-column-list = [b] }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.column-list").hasMessageContaining("not both");
    assertThat(error("keys = [id]\n cdc { }"))
        .hasMessageContaining("pipeline.silver.customers.sequence-by").hasMessageContaining("needs sequence-by");
    assertThat(error("keys = [id]\n sequence-by = ts\n cdc { stored-as = 2 }"))
        .hasMessageContaining("stored-as-scd-type");
    assertThat(error("keys = [id]\n sequence-by = ts\n cdc { stored-as-scd-type = 3 }"))
        .hasMessageContaining("use 1 or 2");
  }
}
