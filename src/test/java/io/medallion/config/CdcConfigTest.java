package io.medallion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.table.CdcSpec;
import io.medallion.pipeline.ConfigurationException;
import io.medallion.pipeline.SilverTable;
import io.medallion.pipeline.TableRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.medallion.pipeline.Execution;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cdc { ... }} block of a silver table: DLT's names hyphenated, defaults, mistakes; and
 * snapshot CDC's {@code from-snapshot { ... }}: the two sources, and every load-time mistake with
 * its path and fix.
 */
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
    return loadTable("from = bronze.cdc_feed\n" + silver);
  }

  /** A pipeline with bronze.cdc_feed and silver.customers { <table> }. */
  private LoadedPipeline loadTable(String table) throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"), "pipeline {\n  name = p\n  schema = s\n"
        + "  bronze.cdc_feed.source { type = files, path = /x, format = csv }\n"
        + "  silver.customers {\n" + table + "\n  }\n}\n");
    return ConfigLoader.load(conf, "p", "t", conf);
  }

  private SilverTable silver(String table) throws IOException {
    return (SilverTable) loadTable(table).pipeline().table(TableRef.parse("silver.customers")).orElseThrow();
  }

  private ConfigurationException error(String silver) {
    return tableError("from = bronze.cdc_feed\n" + silver);
  }

  private ConfigurationException tableError(String table) {
    ConfigurationException e = catchThrowableOfType(() -> loadTable(table), ConfigurationException.class);
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
    // a key left out of the target is a config mistake, named with its line (not at the first batch)
    assertThat(error("keys = [id]\n sequence-by = ts\n cdc { except-column-list = [ID, op] }"))
        .hasMessageContaining("p.conf:9: pipeline.silver.customers.cdc.except-column-list")
        .hasMessageContaining("leaves out the key column(s) [id]").hasMessageContaining("remove them from except-column-list");
    assertThat(error("keys = [id, region]\n sequence-by = ts\n cdc { column-list = [id, name] }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.column-list")
        .hasMessageContaining("leaves out the key column(s) [region]").hasMessageContaining("add them to column-list");
    // a CDC target MERGEs: mode = append would let a streaming table read it, and fail on its first update
    assertThat(error("keys = [id]\n sequence-by = ts\n mode = append\n cdc { }"))
        .hasMessageContaining("pipeline.silver.customers.mode")
        .hasMessageContaining("applies its changes by MERGE").hasMessageContaining("remove mode");
  }

  // ---- snapshot CDC: cdc { from-snapshot { ... } } ----

  @Test
  void theTableSourceReadsFromInBatch() throws IOException {
    SilverTable t = silver("from = bronze.cdc_feed\n keys = [id]\n cdc { stored-as-scd-type = 2, from-snapshot { } }");
    CdcSpec spec = t.cdc().orElseThrow();
    assertThat(spec.fromSnapshot()).contains(CdcSpec.FromSnapshot.fromTable());
    assertThat(spec.scd2()).isTrue();
    assertThat(spec.sequenceBy()).isEmpty();
    assertThat(t.execution()).isEqualTo(Execution.BATCH);
    assertThat(t.sequenceBy()).isEmpty();
    assertThat(t.inputs()).containsExactly(TableRef.parse("bronze.cdc_feed"));
    assertThat(spec).isEqualTo(CdcSpec.builder(List.of("id"), List.of()).scdType2()
        .fromSnapshot(CdcSpec.FromSnapshot.fromTable()).build());
  }

  @Test
  void theFolderSourceReadsNoTable() throws IOException {
    SilverTable t = silver("keys = [id]\n cdc.from-snapshot { path = snaps, format = csv,"
        + " schema = \"id INT, name STRING\", options { header = true } }");
    CdcSpec.FromSnapshot f = t.cdc().orElseThrow().fromSnapshot().orElseThrow();
    assertThat(f).isEqualTo(CdcSpec.FromSnapshot.folder(conf.resolve("snaps").toAbsolutePath().normalize().toString(),
        "csv", Optional.of("id INT, name STRING"), Map.of("header", "true")));
    assertThat(t.readsSnapshotFolder()).isTrue();
    assertThat(t.inputs()).isEmpty();
    assertThat(t.execution()).isEqualTo(Execution.BATCH);
    assertThat(silver("keys = [id]\n cdc.from-snapshot { path = \"s3a://b/customers_snapshots\", format = parquet }")
        .cdc().orElseThrow().fromSnapshot().orElseThrow().path()).contains("s3a://b/customers_snapshots");
  }

  @Test
  void versionsAreNumbersUnlessVersionTypeSaysTimestamp() throws IOException {
    assertThat(silver("keys = [id]\n cdc.from-snapshot { path = snaps, format = csv }").cdc().orElseThrow()
        .fromSnapshot().orElseThrow().versionType()).isEqualTo(CdcSpec.FromSnapshot.VersionType.NUMBER);
    CdcSpec.FromSnapshot folder = silver("keys = [id]\n cdc.from-snapshot { path = snaps, format = csv,"
        + " version-type = timestamp }").cdc().orElseThrow().fromSnapshot().orElseThrow();
    assertThat(folder).isEqualTo(CdcSpec.FromSnapshot.folder(conf.resolve("snaps").toAbsolutePath().normalize().toString(),
        "csv", Optional.empty(), Map.of(), CdcSpec.FromSnapshot.VersionType.TIMESTAMP));
    assertThat(folder.timeVersions()).isTrue();
    assertThat(silver("from = bronze.cdc_feed\n keys = [id]\n cdc.from-snapshot { version-type = TIMESTAMP }")
        .cdc().orElseThrow().fromSnapshot()).contains(CdcSpec.FromSnapshot.fromTable(CdcSpec.FromSnapshot.VersionType.TIMESTAMP));
    assertThat(tableError("keys = [id]\n cdc.from-snapshot { path = snaps, format = csv, version-type = time }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.version-type")
        .hasMessageContaining("expected number (the default").hasMessageContaining("or timestamp")
        .hasMessageContaining("but found 'time'");
    assertThat(tableError("keys = [id]\n cdc.from-snapshot { path = snaps, format = csv, sequence-by = ts }"))
        .hasMessageContaining("version-type = timestamp");
  }

  @Test
  void changeFeedOptionsAreRefusedWithTheirPathAndFix() {
    String table = "from = bronze.cdc_feed\n keys = [id]\n";
    assertThat(tableError(table + "sequence-by = ts\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.sequence-by")
        .hasMessageContaining("sequenced by the snapshot version").hasMessageContaining("remove sequence-by");
    assertThat(tableError(table + "cdc { apply-as-deletes = \"Op = 'D'\", from-snapshot { } }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.apply-as-deletes")
        .hasMessageContaining("derives deletes").hasMessageContaining("remove apply-as-deletes");
    assertThat(tableError(table + "cdc { apply-as-truncates = \"Op = 'T'\", from-snapshot { } }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.apply-as-truncates")
        .hasMessageContaining("remove apply-as-truncates");
    assertThat(tableError(table + "cdc { ignore-null-updates = true, from-snapshot { } }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.ignore-null-updates")
        .hasMessageContaining("whole rows");
    assertThat(tableError("from = bronze.cdc_feed\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.keys").hasMessageContaining("needs keys")
        .hasMessageContaining("keys = [customer_id]");
    assertThat(tableError(table + "execution = streaming\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.execution").hasMessageContaining("in batch");
  }

  @Test
  void sourceMistakesAreRefusedWithTheirPathAndFix() {
    assertThat(tableError("from = bronze.cdc_feed\n keys = [id]\n cdc.from-snapshot { path = /s, format = parquet }"))
        .hasMessageContaining("pipeline.silver.customers.from").hasMessageContaining("remove from");
    assertThat(tableError("sql = \"SELECT 1\"\n keys = [id]\n cdc.from-snapshot { path = /s, format = parquet }"))
        .hasMessageContaining("pipeline.silver.customers.sql").hasMessageContaining("remove sql");
    assertThat(tableError("keys = [id]\n cdc.from-snapshot { path = /s }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.format")
        .hasMessageContaining("format = parquet");
    assertThat(tableError("from = bronze.cdc_feed\n keys = [id]\n cdc.from-snapshot { format = parquet }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.format")
        .hasMessageContaining("add path");
    assertThat(tableError("from = bronze.cdc_feed\n keys = [id]\n cdc.from-snapshot { versions = folder }"))
        .hasMessageContaining("pipeline.silver.customers.cdc.from-snapshot.versions")
        .hasMessageContaining("no path reads the table's from");
    assertThat(tableError("keys = [id]\n cdc.from-snapshot { }"))
        .hasMessageContaining("pipeline.silver.customers.from").hasMessageContaining("missing required key 'from'");
  }

  // ---- the same in code: PipelineBuilder's SilverOptions.cdc ----

  @Test
  void theBuilderMakesTheSameCdcTablesAsTheFile() throws IOException {
    Files.writeString(conf.resolve("pipelines/p.conf"), "pipeline {\n  name = p\n  schema = s\n"
        + "  bronze.cdc_feed.source { type = files, path = /x, format = csv }\n"
        + "  silver.feed { from = bronze.cdc_feed, keys = [id], sequence-by = seq,\n"
        + "    cdc { apply-as-deletes = \"op = 'D'\", stored-as-scd-type = 2, except-column-list = [op] } }\n"
        + "  silver.table_snapshots { from = bronze.cdc_feed, keys = [id], cdc.from-snapshot { } }\n"
        + "  silver.folder_snapshots { keys = [id], cdc.from-snapshot { path = /snaps, format = parquet } }\n"
        + "}\n");
    var fromFile = ConfigLoader.load(conf, "p", "t", conf).pipeline();
    var inCode = PipelineBuilder.pipeline("p").schema("s")
        .bronze("cdc_feed", io.medallion.source.FileSource.of("/x", "csv"))
        .silver("feed", t -> t.from("bronze.cdc_feed").cdc(CdcSpec.builder(List.of("id"), List.of("seq"))
            .applyAsDeletes("op = 'D'").scdType2().exceptColumnList(List.of("op")).build()))
        .silver("table_snapshots", t -> t.from("bronze.cdc_feed").keys("id").cdc(CdcSpec.builder(List.of("id"), List.of())
            .fromSnapshot(CdcSpec.FromSnapshot.fromTable()).build()))
        .silver("folder_snapshots", t -> t.cdc(CdcSpec.builder(List.of("id"), List.of())
            .fromSnapshot(CdcSpec.FromSnapshot.folder("/snaps", "parquet", Optional.empty(), Map.of())).build()))
        .build();
    for (String name : List.of("silver.feed", "silver.table_snapshots", "silver.folder_snapshots")) {
      assertThat(inCode.table(TableRef.parse(name))).as(name).isEqualTo(fromFile.table(TableRef.parse(name)));
    }
    SilverTable feed = (SilverTable) inCode.table(TableRef.parse("silver.feed")).orElseThrow();
    assertThat(feed.keys()).containsExactly("id");
    assertThat(feed.sequenceBy()).contains("seq");
    assertThat(feed.execution()).isEqualTo(Execution.STREAMING);
    assertThat(((SilverTable) inCode.table(TableRef.parse("silver.folder_snapshots")).orElseThrow()).execution())
        .isEqualTo(Execution.BATCH);
  }

  @Test
  void builderCdcMistakesNameTheTableAndTheFix() {
    CdcSpec feed = CdcSpec.builder(List.of("id"), List.of("seq")).build();
    CdcSpec folder = CdcSpec.builder(List.of("id"), List.of())
        .fromSnapshot(CdcSpec.FromSnapshot.folder("/snaps", "parquet", Optional.empty(), Map.of())).build();
    CdcSpec table = CdcSpec.builder(List.of("id"), List.of()).fromSnapshot(CdcSpec.FromSnapshot.fromTable()).build();
    assertThat(catchThrowableOfType(() -> PipelineBuilder.pipeline("p").silver("c",
            t -> t.from("bronze.f").keys("key").cdc(feed)), ConfigurationException.class))
        .hasMessageContaining("pipeline 'p' built in code: pipeline.silver.c")
        .hasMessageContaining("keys(key) differs from the cdc spec's keys [id]").hasMessageContaining("remove keys(...)");
    assertThat(catchThrowableOfType(() -> PipelineBuilder.pipeline("p").silver("c",
            t -> t.from("bronze.f").sequenceBy("ts").cdc(feed)), ConfigurationException.class))
        .hasMessageContaining("sequenceBy(ts) differs from the cdc spec's sequenceBy [seq]");
    assertThat(catchThrowableOfType(() -> PipelineBuilder.pipeline("p").silver("c",
            t -> t.from("bronze.f").cdc(folder)), ConfigurationException.class))
        .hasMessageContaining("pipeline.silver.c").hasMessageContaining("reads no table: remove from(...)");
    assertThat(catchThrowableOfType(() -> PipelineBuilder.pipeline("p").silver("c",
            t -> t.from("bronze.f").execution(Execution.STREAMING).cdc(table)), ConfigurationException.class))
        .hasMessageContaining("reads whole snapshots in batch").hasMessageContaining("remove execution(STREAMING)");
    assertThat(catchThrowableOfType(() -> PipelineBuilder.pipeline("p").silver("c", t -> t.cdc(feed)),
            ConfigurationException.class))
        .hasMessageContaining("pipeline.silver.c.from");
    assertThat(catchThrowableOfType(() -> PipelineBuilder.pipeline("p").silver("c",
            t -> t.from("bronze.f").mode(io.medallion.pipeline.WriteMode.APPEND).cdc(feed)), ConfigurationException.class))
        .hasMessageContaining("pipeline.silver.c").hasMessageContaining("remove mode(APPEND)");
    assertThatThrownBy(() -> CdcSpec.builder(List.of("id"), List.of("seq")).exceptColumnList(List.of("id")).build())
        .hasMessageContaining("cdc.except-column-list: leaves out the key column(s) [id]");
  }
}
