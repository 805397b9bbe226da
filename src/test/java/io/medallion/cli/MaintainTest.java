package io.medallion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.internal.RunLock;
import io.medallion.pipeline.Environment;
import io.medallion.pipeline.Execution;
import io.medallion.config.PipelineBuilder;
import io.medallion.source.FileSource;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.RunOptions;
import io.medallion.pipeline.TableRef;
import io.medallion.platform.internal.OssPlatform;
import io.medallion.table.CdcSpec;
import io.medallion.table.TableMaintenance;
import io.medallion.table.TableSpec;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.internal.cdc.CdcEngine;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.apache.spark.sql.types.StructType;

/** {@code medallion maintain}: OPTIMIZE compacts, VACUUM keeps what the retention protects, events are logged. */
@ExtendWith(MedallionExtension.class)
class MaintainTest {
  @Test
  void optimizesVacuumsAndLogsEveryTable(Lakehouse lake) throws Exception {
    PipelineDefinition p = PipelineBuilder.pipeline("mnt").schema("m")
        .bronze("orders", FileSource.of("/nonexistent", "json").withSchema("id BIGINT, store STRING")
            .withOption("allowMissingPath", "true"))
        .silver("orders", s -> s.from("bronze.orders").keys("id"))
        .gold("by_store", "SELECT store, COUNT(*) AS n FROM {silver.orders} GROUP BY store", g -> g.zOrderBy("store"))
        .build();
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    new OssPlatform().prepareCatalogs(spark, env);
    TableName silver = env.tableName(p, TableRef.parse("silver.orders"));
    DeltaTables.ensureSchema(spark, silver);
    // A short retention, set on the table: VACUUM uses it without RETAIN, so Delta's safety check
    // (spark.databricks.delta.retentionDurationCheck.enabled) stays on and passes.
    spark.sql("CREATE TABLE " + silver.quoted() + " (id BIGINT, store STRING) USING delta"
        + " TBLPROPERTIES ('delta.deletedFileRetentionDuration' = 'interval 1 hours')");
    // 8 small files in one commit (range's 8 partitions of one row each): the files OPTIMIZE compacts
    spark.sql("INSERT INTO " + silver.quoted() + " SELECT id, concat('s', id % 3) FROM range(0, 8, 1, 8)");
    // bronze and a quarantine table with 4 small files each, as a stream's small batches leave
    TableName bronze = env.tableName(p, TableRef.parse("bronze.orders"));
    TableName quarantine = env.quarantineName(p, TableRef.parse("silver.orders"),
        io.medallion.config.Defaults.reference().quarantineSuffix());
    for (TableName t : List.of(bronze, quarantine)) {
      DeltaTables.ensureSchema(spark, t);
      spark.sql("CREATE TABLE " + t.quoted() + " (id BIGINT, _errors ARRAY<STRING>) USING delta");
      spark.sql("INSERT INTO " + t.quoted() + " SELECT id, array('valid_id') FROM range(0, 4, 1, 4)");
    }
    lake.run(p, env, RunOptions.all().only(TableRef.parse("gold.by_store")));
    Path dir = Path.of(DeltaTables.deltaLog(spark, silver).dataPath().toUri());
    Path old = Files.write(dir.resolve("part-00000-orphan-old.snappy.parquet"), new byte[] {1, 2, 3});
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(3, ChronoUnit.HOURS)));
    Path fresh = Files.write(dir.resolve("part-00000-orphan-new.snappy.parquet"), new byte[] {1, 2, 3});

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    // while a run that writes silver.orders holds its lock, maintain fails at once, naming that run,
    // and touches nothing (the 8 files below are still there for the maintain after it)
    Configuration hadoop = spark.sessionState().newHadoopConf();
    Duration stale = Duration.ofMinutes(2);
    try (RunLock run = RunLock.acquire(hadoop, env.checkpointRoot(), p.name(), List.of("silver.orders"), stale,
        RunLock.Activity.RUN)) {
      assertThatThrownBy(() -> maintain(spark, p, env, Set.of(), text))
          .hasMessageContaining("Table silver.orders of pipeline mnt is being written by a run in this environment: "
              + run.owner() + " holds its lock")
          .hasMessageContaining("A run and maintain at once write the same Delta table")
          .hasMessageContaining("Wait for that run to finish, or leave silver.orders out of this maintain (--only"
              + " bronze.orders --only gold.by_store); schedule maintain between runs");
    }
    assertThat(text.size()).isZero();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    List<TableMaintenance.Report> reports =
        scala.Console$.MODULE$.withOut(console, () -> maintain(spark, p, env, Set.of(), text));
    // Delta's own console line of each VACUUM goes to the log, not between the command's lines
    assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("files and directories");
    // maintain released its locks (the refused one too); while a maintain holds one, a run of
    // that table fails at once, naming it
    assertThat(Path.of(env.checkpointRoot(), p.name(), RunLock.FOLDER)).isEmptyDirectory();
    try (RunLock maintaining = RunLock.acquire(hadoop, env.checkpointRoot(), p.name(), List.of("gold.by_store"), stale,
        RunLock.Activity.MAINTAIN)) {
      assertThat(maintaining.owner()).startsWith("maintain ");
      assertThatThrownBy(() -> lake.run(p, env, RunOptions.all()))
          .hasMessageContaining("Table gold.by_store of pipeline mnt is being maintained in this environment: "
              + maintaining.owner())
          .hasMessageContaining("Wait for that maintain to finish, or leave gold.by_store out of this run (--only"
              + " bronze.orders --only silver.orders); schedule maintain between runs");
    }

    TableMaintenance.Report s = reports.stream().filter(r -> r.label().equals("silver.orders")).findFirst().orElseThrow();
    assertThat(s.filesBefore()).isEqualTo(8);
    assertThat(s.filesAfter()).isEqualTo(1);
    assertThat(s.optimize()).isEqualTo("compaction");
    assertThat(s.retention()).isEqualTo("interval 1 hours");
    assertThat(s.vacuumed()).isEqualTo(1); // the old orphan; the 8 compacted files are younger than 1 hour
    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
    assertThat(spark.table(silver.quoted()).count()).isEqualTo(8);
    TableMaintenance.Report g = reports.stream().filter(r -> r.label().equals("gold.by_store")).findFirst().orElseThrow();
    assertThat(g.optimize()).isEqualTo("z-order by [store]");
    assertThat(reports).extracting(TableMaintenance.Report::label)
        .containsExactly("bronze.orders", "silver.orders", "silver.orders quarantine", "gold.by_store", "event log");
    for (String label : List.of("bronze.orders", "silver.orders quarantine")) {
      TableMaintenance.Report r = reports.stream().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
      assertThat(r.filesBefore()).as(label).isEqualTo(4);
      assertThat(r.filesAfter()).as(label).isEqualTo(1);
    }
    TableMaintenance.Report eventLog = reports.get(reports.size() - 1);
    assertThat(eventLog.filesAfter()).isEqualTo(1);
    assertThat(eventLog.filesBefore()).isGreaterThan(1);
    assertThat(spark.table(quarantine.quoted()).count()).isEqualTo(4);
    String out = text.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("silver.orders (" + silver + "): OPTIMIZE (compaction) files 8 -> 1")
        .contains("VACUUM (retention interval 1 hours) deleted 1 file(s)");

    TableName log = env.eventLogTable(p).orElseThrow();
    List<String> events = spark.table(log.quoted()).where("event_type = 'maintenance'").select("message")
        .as(Encoders.STRING()).collectAsList();
    assertThat(events).anyMatch(m -> m.startsWith("Maintenance of silver.orders (") && m.contains("files 8 -> 1"))
        .anyMatch(m -> m.startsWith("Maintenance of gold.by_store ("))
        .anyMatch(m -> m.startsWith("Maintenance of bronze.orders ("))
        .anyMatch(m -> m.startsWith("Maintenance of silver.orders quarantine ("))
        .anyMatch(m -> m.startsWith("Maintenance of event log ("));

    // a table runs only append to is maintained beside a run that writes it, which keeps its lock
    try (RunLock run = RunLock.acquire(hadoop, env.checkpointRoot(), p.name(), List.of("bronze.orders"), stale,
        RunLock.Activity.RUN)) {
      ByteArrayOutputStream besideRun = new ByteArrayOutputStream();
      assertThat(maintain(spark, p, env, Set.of(TableRef.parse("bronze.orders")), besideRun))
          .extracting(TableMaintenance.Report::label).containsExactly("bronze.orders");
      assertThat(besideRun.toString(StandardCharsets.UTF_8)).contains("bronze.orders (" + bronze + "): OPTIMIZE");
      assertThat(Files.readString(Path.of(RunLock.file(env.checkpointRoot(), p.name(), "bronze.orders").toUri().getPath())))
          .isEqualTo(run.owner());
    }
    // ... but not beside another maintain
    try (RunLock other = RunLock.acquire(hadoop, env.checkpointRoot(), p.name(), List.of("bronze.orders"), stale,
        RunLock.Activity.MAINTAIN)) {
      assertThatThrownBy(() -> maintain(spark, p, env, Set.of(TableRef.parse("bronze.orders")), new ByteArrayOutputStream()))
          .hasMessageContaining("Table bronze.orders of pipeline mnt is being maintained in this environment: " + other.owner())
          .hasMessageContaining("Two maintains at once would rewrite the same table");
    }
  }

  @Test
  void anScd1StreamingTablesStoredChangesLoseTheirSupersededOnesABatchTableKeepsThem(Lakehouse lake) {
    StructType schema = StructType.fromDDL("id INT, v STRING, op STRING, seq BIGINT");
    CdcSpec spec = CdcSpec.builder(List.of("id"), List.of("seq")).applyAsDeletes("op = 'D'")
        .exceptColumnList(List.of("op", "seq")).build();
    PipelineDefinition p = PipelineBuilder.pipeline("mntc").schema("m")
        .bronze("changes", FileSource.of("/nonexistent", "json").withSchema(schema.toDDL())
            .withOption("allowMissingPath", "true"))
        .silver("customers", s -> s.from("bronze.changes").cdc(spec))
        // a batch table reads its whole input every run: each change comes back, and is recognized
        // as applied only while it is stored
        .silver("customers_batch", s -> s.from("bronze.changes").cdc(spec).execution(Execution.BATCH))
        .build();
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    new OssPlatform().prepareCatalogs(spark, env);
    TableName silver = env.tableName(p, TableRef.parse("silver.customers"));
    DeltaTables.ensureSchema(spark, silver);
    CdcEngine engine = CdcEngine.prepare(spark, silver, spec, schema, "test", TableSpec.defaults());
    // two batches, each a file of the stored changes: 1 updated, 2 inserted and deleted
    List<List<Row>> batches = List.of(
        List.of(RowFactory.create(1, "a", "U", 1L), RowFactory.create(2, "x", "U", 1L)),
        List.of(RowFactory.create(1, "c", "U", 3L), RowFactory.create(2, null, "D", 2L)));
    for (int b = 0; b < batches.size(); b++) {
      engine.apply(spark.createDataFrame(batches.get(b), schema), "mnt", b);
    }
    TableName batchSilver = env.tableName(p, TableRef.parse("silver.customers_batch"));
    CdcEngine.prepare(spark, batchSilver, spec, schema, "test", TableSpec.defaults())
        .apply(spark.createDataFrame(batches.get(0), schema).union(spark.createDataFrame(batches.get(1), schema)), "mnt", -1);
    TableName changes = TableMaintenance.changesTable(silver);
    assertThat(changes.table()).isEqualTo(silver.table() + "__cdc_changes");

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<TableMaintenance.Report> reports = maintain(spark, p, env,
        Set.of(TableRef.parse("silver.customers"), TableRef.parse("silver.customers_batch")), text);

    assertThat(reports).extracting(TableMaintenance.Report::label).containsExactly("silver.customers",
        "silver.customers changes", "silver.customers_batch", "silver.customers_batch changes");
    TableMaintenance.Report r = reports.get(1);
    assertThat(r.name()).isEqualTo(changes);
    assertThat(r.supersededRemoved()).isEqualTo(2); // 1 at 1, 2 at 1
    assertThat(r.filesBefore()).isEqualTo(2);
    assertThat(r.filesAfter()).isEqualTo(1);
    assertThat(reports.get(0).supersededRemoved()).isEqualTo(-1);
    assertThat(spark.read().table(changes.quoted()).select("id", "v", "seq", "__op").collectAsList())
        .extracting(Row::toString).containsExactlyInAnyOrder("[1,c,3,U]", "[2,null,2,D]");
    assertThat(spark.read().table(silver.quoted()).collectAsList()).extracting(Row::toString)
        .containsExactly("[1,c]");
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("silver.customers changes (" + changes + "): 2 superseded change(s) removed; OPTIMIZE (compaction) files 2 -> 1");
    List<String> events = spark.table(env.eventLogTable(p).orElseThrow().quoted()).where("event_type = 'maintenance'")
        .select("message").as(Encoders.STRING()).collectAsList();
    assertThat(events).anyMatch(m -> m.startsWith("Maintenance of silver.customers changes (")
        && m.contains("2 superseded change(s) removed"));
    assertThat(reports.get(3).supersededRemoved()).isEqualTo(-1);
    assertThat(spark.read().table(TableMaintenance.changesTable(batchSilver).quoted()).count()).isEqualTo(4);
    assertThat(spark.read().table(batchSilver.quoted()).collectAsList()).extracting(Row::toString)
        .containsExactly("[1,c]");
  }

  /** {@code maintain} of {@code only} (every table when empty), its lines to {@code text}. */
  private static List<TableMaintenance.Report> maintain(SparkSession spark, PipelineDefinition p, Environment env,
      Set<TableRef> only, ByteArrayOutputStream text) {
    // VACUUM lists files in the test kit's 2 tasks (spark.sql.sources.parallelPartitionDiscovery.parallelism)
    assertThat(spark.conf().get("spark.sql.sources.parallelPartitionDiscovery.parallelism")).isEqualTo("2");
    return new MaintainCommand(new PrintStream(text, true, StandardCharsets.UTF_8))
        .run(spark, p, env, new OssPlatform(), only);
  }
}
