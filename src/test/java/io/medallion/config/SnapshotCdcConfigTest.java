package io.medallion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.pipeline.ConfigurationException;
import io.medallion.pipeline.Execution;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableRef;
import io.medallion.table.CdcSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cdc { from-snapshot { ... } }}: the two sources, and every load-time mistake with its path and fix. */
class SnapshotCdcConfigTest {
  private static final String ENV = "env {\n  name = t\n  storage-root = /data\n"
      + "  warehouse-root = ${env.storage-root}/warehouse\n  checkpoint-root = ${env.storage-root}/checkpoints\n"
      + "  landing-root = /landing\n  catalogs { bronze = t_bronze, silver = t_silver, gold = t_gold }\n}\n";

  @TempDir Path conf;

  @BeforeEach
  void environment() throws IOException {
    ConfFolders.withEnvironment(conf, ENV);
  }

  private SilverTable load(String silver) throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"), "pipeline {\n  name = p\n  schema = s\n"
        + "  bronze.full.source { type = files, path = /x, format = csv }\n"
        + "  silver.customers {\n" + silver + "\n  }\n}\n");
    return (SilverTable) ConfigLoader.load(conf, "p", "t", conf).pipeline()
        .table(TableRef.parse("silver.customers")).orElseThrow();
  }

  private ConfigurationException error(String silver) {
    ConfigurationException e = catchThrowableOfType(() -> load(silver), ConfigurationException.class);
    assertThat(e).as("a ConfigurationException").isNotNull();
    return e;
  }

  @Test
  void theTableSourceReadsFromInBatch() throws IOException {
    SilverTable t = load("from = bronze.full\n keys = [id]\n cdc { stored-as-scd-type = 2, from-snapshot { } }");
    CdcSpec spec = t.cdc().orElseThrow();
    assertThat(spec.fromSnapshot()).contains(CdcSpec.FromSnapshot.fromTable());
    assertThat(spec.scd2()).isTrue();
    assertThat(spec.sequenceBy()).isEmpty();
    assertThat(t.execution()).isEqualTo(Execution.BATCH);
    assertThat(t.sequenceBy()).isEmpty();
    assertThat(t.inputs()).containsExactly(TableRef.parse("bronze.full"));
    assertThat(spec).isEqualTo(CdcSpec.builder(List.of("id"), List.of()).scdType2()
        .fromSnapshot(CdcSpec.FromSnapshot.fromTable()).build());
  }

  @Test
  void theFolderSourceReadsNoTable() throws IOException {
    SilverTable t = load("keys = [id]\n cdc.from-snapshot { path = snaps, format = csv,"
        + " schema = \"id INT, name STRING\", options { header = true } }");
    CdcSpec.FromSnapshot f = t.cdc().orElseThrow().fromSnapshot().orElseThrow();
    assertThat(f).isEqualTo(CdcSpec.FromSnapshot.folder(conf.resolve("snaps").toAbsolutePath().normalize().toString(),
        "csv", Optional.of("id INT, name STRING"), Map.of("header", "true")));
    assertThat(t.readsSnapshotFolder()).isTrue();
    assertThat(t.inputs()).isEmpty();
    assertThat(t.execution()).isEqualTo(Execution.BATCH);
    assertThat(load("keys = [id]\n cdc.from-snapshot { path = \"s3a://b/customers_snapshots\", format = parquet }")
        .cdc().orElseThrow().fromSnapshot().orElseThrow().path()).contains("s3a://b/customers_snapshots");
  }

  @Test
  void changeFeedOptionsAreRefusedWithTheirPathAndFix() {
    String table = "from = bronze.full\n keys = [id]\n";
    assertThat(error(table + "sequence-by = ts\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.sequence-by")
        .hasMessageContaining("sequenced by the snapshot version").hasMessageContaining("remove sequence-by");
    assertThat(error(table + "cdc { apply-as-deletes = \"Op = 'D'\", from-snapshot { } }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.apply-as-deletes")
        .hasMessageContaining("derives deletes").hasMessageContaining("remove apply-as-deletes");
    assertThat(error(table + "cdc { apply-as-truncates = \"Op = 'T'\", from-snapshot { } }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.apply-as-truncates")
        .hasMessageContaining("remove apply-as-truncates");
    assertThat(error(table + "cdc { ignore-null-updates = true, from-snapshot { } }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.ignore-null-updates")
        .hasMessageContaining("whole rows");
    assertThat(error("from = bronze.full\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.keys").hasMessageContaining("needs keys")
        .hasMessageContaining("keys = [customer_id]");
    assertThat(error(table + "execution = streaming\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.execution").hasMessageContaining("in batch");
  }

  @Test
  void sourceMistakesAreRefusedWithTheirPathAndFix() {
    assertThat(error("from = bronze.full\n keys = [id]\n cdc.from-snapshot { path = /s, format = parquet }"))
        .hasMessageContaining("pipeline.silver.customers.from").hasMessageContaining("remove from");
    assertThat(error("sql = \"SELECT 1\"\n keys = [id]\n cdc.from-snapshot { path = /s, format = parquet }"))
        .hasMessageContaining("pipeline.silver.customers.sql").hasMessageContaining("remove sql");
    assertThat(error("keys = [id]\n cdc.from-snapshot { path = /s }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.format")
        .hasMessageContaining("format = parquet");
    assertThat(error("from = bronze.full\n keys = [id]\n cdc.from-snapshot { format = parquet }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.format")
        .hasMessageContaining("add path");
    assertThat(error("from = bronze.full\n keys = [id]\n cdc.from-snapshot { versions = folder }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.versions")
        .hasMessageContaining("no path reads the table's from");
    assertThat(error("keys = [id]\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.from").hasMessageContaining("missing required key 'from'");
  }
}
