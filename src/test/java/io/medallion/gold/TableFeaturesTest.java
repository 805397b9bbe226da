package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.MedallionException;
import io.medallion.pipeline.Environment;
import io.medallion.config.PipelineBuilder;
import io.medallion.pipeline.PipelineDefinition;
import io.medallion.run.RunOptions;
import io.medallion.run.RunResult;
import io.medallion.pipeline.TableRef;
import io.medallion.table.TableSpec;
import io.medallion.table.TableName;
import io.medallion.table.internal.DeltaTables;
import io.medallion.table.TableFeatures;
import io.medallion.testkit.Lakehouse;
import io.medallion.testkit.MedallionExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Table features from config: created, evolved in place, refused when breaking. */
@ExtendWith(MedallionExtension.class)
class TableFeaturesTest {
  static final TableRef GOLD = TableRef.parse("gold.stores");

  static PipelineDefinition pipeline(String sql, Consumer<PipelineBuilder.GoldOptions> options) {
    return PipelineBuilder.pipeline("feat").schema("f")
        .bronze("orders", IncrementalGoldTest.NO_FILES)
        .silver("orders", s -> s.from("bronze.orders").keys("id"))
        .gold("stores", sql, options)
        .build();
  }

  static Map<String, String> properties(SparkSession spark, TableName name) {
    Row detail = spark.sql("DESCRIBE DETAIL " + name.quoted()).first();
    return detail.getJavaMap(detail.fieldIndex("properties"));
  }

  @Test
  void featuresAreCreatedEvolvedInPlaceAndRefusedWhenBreaking(Lakehouse lake) {
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    PipelineDefinition first = pipeline("SELECT store, COUNT(*) AS n FROM {silver.orders} GROUP BY store", g -> g
        .clusterBy("store").constraint("positive_n", "n > 0").changeDataFeed()
        .columnComment("n", "orders per store").property("team", "sales"));
    TableName silver = IncrementalGoldTest.silver(lake, first, env, true);
    IncrementalGoldTest.append(spark, silver, 0, 30, new Random(1));
    RunOptions gold = RunOptions.all().only(GOLD);
    lake.run(first, env, gold);

    TableName name = env.tableName(first, GOLD);
    assertThat(TableFeatures.clustering(spark, name)).containsExactly("store");
    assertThat(properties(spark, name)).containsEntry("delta.constraints.positive_n", "n > 0")
        .containsEntry("delta.enableChangeDataFeed", "true").containsEntry("team", "sales");
    StructType schema = spark.table(name.quoted()).schema();
    assertThat(schema.apply("n").getComment().get()).isEqualTo("orders per store");

    // Additive: a new column in the SQL, a new property, a new constraint, a new clustering key.
    PipelineDefinition second = pipeline(
        "SELECT store, day, COUNT(*) AS n, SUM(qty) AS qty FROM {silver.orders} GROUP BY store, day", g -> g
        .clusterBy("store", "day").constraint("positive_n", "n > 0").constraint("some_qty", "qty >= 0")
        .changeDataFeed().columnComment("n", "orders per store").property("team", "sales").property("tier", "1"));
    RunResult evolved = lake.run(second, env, gold);
    assertThat(evolved.table(GOLD).orElseThrow().note()).startsWith("full recompute: its query or rules changed");
    assertThat(TableFeatures.clustering(spark, name)).containsExactly("store", "day");
    assertThat(properties(spark, name)).containsEntry("delta.constraints.some_qty", "qty >= 0")
        .containsEntry("tier", "1");
    assertThat(spark.table(name.quoted()).columns()).contains("day", "qty");

    // The same query with new features: applied in place and reported (the refresh itself is skipped).
    String sql2 = ((io.medallion.pipeline.GoldTable) second.table(GOLD).orElseThrow()).sql();
    PipelineDefinition third = pipeline(sql2, g -> g
        .clusterBy("day").constraint("positive_n", "n > 0").constraint("some_qty", "qty >= 0")
        .constraint("has_store", "n IS NOT NULL").changeDataFeed().columnComment("n", "orders per store")
        .property("team", "sales").property("tier", "2"));
    RunResult inPlace = lake.run(third, env, gold);
    assertThat(inPlace.table(GOLD).orElseThrow().note()).startsWith("skipped: ")
        .contains("applied in place: property tier = 2, constraint has_store added, clustered by [day]");
    assertThat(TableFeatures.clustering(spark, name)).containsExactly("day");
    assertThat(properties(spark, name)).containsEntry("delta.constraints.has_store", "n IS NOT NULL");

    // Breaking: a constraint the existing rows violate; nothing is written.
    long version = DeltaTables.version(spark, name).getAsLong();
    PipelineDefinition violating = pipeline(sql2, g -> g.clusterBy("day").constraint("tiny", "n < 1"));
    assertThatThrownBy(() -> lake.run(violating, env, gold)).isInstanceOf(MedallionException.class)
        .hasMessageContaining("Table gold.stores (" + name + ") cannot change in place: constraint tiny (n < 1)"
            + " is violated by")
        .hasMessageContaining("Nothing was written")
        .hasMessageContaining("--full-refresh gold.stores");
    assertThat(DeltaTables.version(spark, name).getAsLong()).isEqualTo(version);

    // Breaking: a changed partitioning, refused in validate as well as at load.
    PipelineDefinition partitioned = pipeline("SELECT store, COUNT(*) AS n FROM {silver.orders} GROUP BY store",
        g -> g.partitionBy("store"));
    assertThatThrownBy(() -> lake.run(partitioned, env, gold)).isInstanceOf(MedallionException.class)
        .hasMessageContaining("its partitioning changes from [] to [store]")
        .hasMessageContaining("--full-refresh gold.stores");
    assertThatThrownBy(() -> new io.medallion.run.PipelineRunner(spark, partitioned, env,
            new io.medallion.platform.internal.OssPlatform()).validate())
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("Table gold.stores (" + name + ") cannot change in place: its partitioning changes")
        .hasMessageContaining("Nothing was written").hasMessageContaining("--full-refresh gold.stores");
    assertThat(DeltaTables.version(spark, name).getAsLong()).isEqualTo(version);

    // Breaking: a column's type and a dropped key column of an upserted table.
    TableSpec spec = new TableSpec(Optional.empty(), List.of(), Map.of());
    StructType next = StructType.fromDDL("id STRING, store STRING, customer STRING, day DATE, amount DOUBLE");
    assertThat(TableFeatures.breaking(spark, silver, spec, Optional.of(next), List.of("id", "qty")))
        .containsExactly("column id changes type from BIGINT to STRING", "key column qty is dropped");

    // The fix the message names works: a full refresh rebuilds the table with the new layout.
    lake.run(partitioned, env, gold.fullRefresh(GOLD));
    assertThat(spark.sql("DESCRIBE DETAIL " + name.quoted()).first().<String>getList(
        spark.sql("DESCRIBE DETAIL " + name.quoted()).first().fieldIndex("partitionColumns"))).containsExactly("store");
  }

  /**
   * A full recompute checks the spec's constraints against the rows it writes, in the replacing
   * commit: rows that break one are never written (the table keeps its version and rows), and a
   * new constraint that comes with a changed query is checked against the new rows, not the old.
   */
  @Test
  void aRecomputeThatBreaksAConstraintWritesNothingAndNewConstraintsMeetTheNewRows(Lakehouse lake) {
    Environment env = lake.environment();
    SparkSession spark = lake.spark();
    PipelineDefinition counts = pipeline("SELECT store, COUNT(*) AS n FROM {silver.orders} GROUP BY store", g -> {});
    TableName silver = IncrementalGoldTest.silver(lake, counts, env, true);
    IncrementalGoldTest.append(spark, silver, 0, 30, new Random(2));
    RunOptions gold = RunOptions.all().only(GOLD);
    lake.run(counts, env, gold);
    TableName name = env.tableName(counts, GOLD);
    long version = DeltaTables.version(spark, name).getAsLong();
    List<String> rows = IncrementalGoldTest.sorted(spark.table(name.quoted()));

    // The query changes, with a constraint its new rows break (the old rows meet it); replaced by
    // Spark's writer, and clustered (by CREATE OR REPLACE TABLE ... AS SELECT).
    String negated = "SELECT store, -COUNT(*) AS n FROM {silver.orders} GROUP BY store";
    List<Consumer<PipelineBuilder.GoldOptions>> layouts = List.of(
        g -> g.constraint("positive_n", "n > 0"), g -> g.clusterBy("store").constraint("positive_n", "n > 0"));
    for (Consumer<PipelineBuilder.GoldOptions> layout : layouts) {
      PipelineDefinition breaks = pipeline(negated, layout);
      assertThatThrownBy(() -> lake.run(breaks, env, gold)).isInstanceOf(MedallionException.class)
          .hasMessageContaining("Table gold.stores (" + name + ") of pipeline 'feat' failed")
          .hasMessageContaining("CHECK constraint positive_n (n > 0) violated by row with values: n : -")
          .hasMessageContaining("No rows were written")
          .hasMessageContaining("Fix the query or its input rows so that they meet constraint positive_n,"
              + " or change or remove constraint positive_n in the table's config");
      assertThat(DeltaTables.version(spark, name).getAsLong()).as("nothing was written").isEqualTo(version);
      assertThat(IncrementalGoldTest.sorted(spark.table(name.quoted()))).isEqualTo(rows);
      assertThat(properties(spark, name)).doesNotContainKey("delta.constraints.positive_n");
    }

    // A new constraint the old rows break and the new rows meet: neither validate nor the run
    // refuses it, and the recompute writes the new rows with it.
    PipelineDefinition meets = pipeline(negated, g -> g.constraint("negative_n", "n < 0"));
    new io.medallion.run.PipelineRunner(spark, meets, env, new io.medallion.platform.internal.OssPlatform()).validate();
    RunResult recomputed = lake.run(meets, env, gold);
    assertThat(recomputed.table(GOLD).orElseThrow().note()).isEqualTo(
        "full recompute: its query or rules changed since the last refresh");
    assertThat(properties(spark, name)).containsEntry("delta.constraints.negative_n", "n < 0");
    assertThat(IncrementalGoldTest.sorted(spark.table(name.quoted()))).isEqualTo(
        IncrementalGoldTest.sorted(spark.sql(negated.replace("{silver.orders}", silver.quoted()))));

    // With the query unchanged, a new constraint is still checked against the table's rows at load.
    PipelineDefinition old = pipeline(negated, g -> g.constraint("negative_n", "n < 0").constraint("big", "n > 100"));
    long now = DeltaTables.version(spark, name).getAsLong();
    assertThatThrownBy(() -> lake.run(old, env, gold)).isInstanceOf(MedallionException.class)
        .hasMessageContaining("Table gold.stores (" + name + ") cannot change in place: constraint big (n > 100)"
            + " is violated by")
        .hasMessageContaining("Nothing was written");
    assertThat(DeltaTables.version(spark, name).getAsLong()).isEqualTo(now);
  }
}
