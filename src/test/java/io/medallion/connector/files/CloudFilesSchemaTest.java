package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.junit.jupiter.api.Test;

/** Inference, hints, rescued data and the four schema evolution modes. */
class CloudFilesSchemaTest extends CloudFilesTestBase {

  @Test
  void inferColumnTypesSchemaHintsAndPartitionColumnsFromKeyValueFolders() throws Exception {
    write("year=2024/month=01/a.json", "{\"id\": 1, \"amount\": \"12.50\", \"ok\": true, \"at\": \"2024-06-01T10:00:00Z\"}\n");
    availableNow(autoLoader("json").option("cloudFiles.inferColumnTypes", "true")
        .option("cloudFiles.schemaHints", "amount DECIMAL(10,2), at TIMESTAMP").load(landing().toString()));
    assertThat(table().schema().fieldNames()).containsExactly("amount", "at", "id", "ok", "_rescued_data", "year", "month");
    assertThat(table().schema().apply("year").dataType()).isEqualTo(DataTypes.IntegerType);
    assertThat(table().schema().apply("month").dataType()).isEqualTo(DataTypes.IntegerType);
    assertThat(Files.readString(checkpoint().resolve("_schemas/0"))).contains("\"partitionColumns\" : [ \"year\", \"month\" ]");

    // a file in a partition folder that did not exist at the first start; a filter on a partition
    // column prunes by folder
    write("year=2024/month=02/b.json", "{\"id\": 2, \"amount\": \"1.00\", \"ok\": false, \"at\": \"2024-07-01T10:00:00Z\"}\n");
    write("year=2025/month=03/c.json", "{\"id\": 3, \"amount\": \"2.00\", \"ok\": false, \"at\": \"2025-03-01T10:00:00Z\"}\n");
    availableNow(autoLoader("json").option("cloudFiles.inferColumnTypes", "true")
        .option("cloudFiles.schemaHints", "amount DECIMAL(10,2), at TIMESTAMP").load(landing().toString())
        .where("year = 2024"));
    assertThat(table().orderBy("id").selectExpr("id", "year", "month").collectAsList().toString())
        .isEqualTo("[[1,2024,1], [2,2024,2]]");

    assertThat(table().schema().apply("id").dataType()).isEqualTo(DataTypes.LongType);
    assertThat(table().schema().apply("ok").dataType()).isEqualTo(DataTypes.BooleanType);
    assertThat(table().schema().apply("amount").dataType()).isEqualTo(new DecimalType(10, 2));
    assertThat(table().schema().apply("at").dataType()).isEqualTo(DataTypes.TimestampType);
    assertThat(table().where("id = 1").selectExpr("CAST(amount AS STRING)").first().getString(0)).isEqualTo("12.50");
  }

  @Test
  void valuesThatDoNotFitAreRescuedNotNulled() throws Exception {
    write("a.json", "{\"id\": 1, \"n\": 5}\n");
    availableNow(autoLoader("json").option("cloudFiles.schemaHints", "n INT").load(landing().toString()));
    java.nio.file.Path bad = write("b.json", "{\"id\": 2, \"n\": \"five\"}\n{\"id\": 3, \"n\": 7}\n{\"id\": 4, \"n\": \n");
    availableNow(autoLoader("json").option("cloudFiles.schemaHints", "n INT").load(landing().toString()));

    assertThat(table().count()).isEqualTo(4);
    assertThat(table().where("id = '2'").select("n", "_rescued_data").first().toString())
        .isEqualTo("[null,{\"n\":\"five\",\"_file_path\":\"file:" + bad + "\"}]");
    assertThat(table().where("id = '3'").select("n").first().getInt(0)).isEqualTo(7);
    assertThat(table().where("id IS NULL").select("_rescued_data").first().getString(0))
        .isEqualTo("{\"_corrupt_record\":\"{\\\"id\\\": 4, \\\"n\\\": \",\"_file_path\":\"file:" + bad + "\"}");
  }

  @Test
  void addNewColumnsStopsOnceThenTheRestartedStreamHasTheColumn() throws Exception {
    write("a.json", "{\"id\": 1}\n");
    availableNow(autoLoader("json").load(landing().toString()));
    write("b.json", "{\"id\": 2, \"color\": \"red\"}\n");

    assertThatThrownBy(() -> availableNow(autoLoader("json").load(landing().toString())))
        .hasStackTraceContaining("[CLOUD_FILES_NEW_COLUMNS]")
        .hasStackTraceContaining("b.json has new columns: `color` string")
        .hasStackTraceContaining("added to the schema at " + checkpoint());
    assertThat(table().count()).isEqualTo(1);

    availableNow(autoLoader("json").load(landing().toString()));
    assertThat(table().orderBy("id").select("id", "color").collectAsList().toString())
        .isEqualTo("[[1,null], [2,red]]");
    String history = Files.readString(checkpoint().resolve("_schemas/1"));
    assertThat(history).contains("\"column\" : \"color string\"").contains("b.json");
    assertThat(Files.exists(checkpoint().resolve("_schemas/0"))).isTrue();
  }

  @Test
  void failOnNewColumnsStopsUntilTheUserDecides() throws Exception {
    write("a.json", "{\"id\": 1}\n");
    availableNow(autoLoader("json").option("cloudFiles.schemaEvolutionMode", "failOnNewColumns").load(landing().toString()));
    write("b.json", "{\"id\": 2, \"color\": \"red\"}\n");
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(() -> availableNow(autoLoader("json")
          .option("cloudFiles.schemaEvolutionMode", "failOnNewColumns").load(landing().toString())))
          .hasStackTraceContaining("failOnNewColumns stops the stream");
    }
    availableNow(autoLoader("json").option("cloudFiles.schemaEvolutionMode", "rescue").load(landing().toString()));
    assertThat(table().where("_rescued_data LIKE '%\"color\":\"red\"%'").count()).isEqualTo(1);
  }

  @Test
  void noneIgnoresNewColumnsWithoutARescuedColumn() throws Exception {
    write("a.json", "{\"id\": 1}\n");
    write("b.json", "{\"id\": 2, \"n\": 3}\n");
    availableNow(spark().readStream().format("cloudFiles").option("cloudFiles.format", "json")
        .schema("id LONG").load(landing().toString()));
    assertThat(table().schema().fieldNames()).containsExactly("id");
    assertThat(table().count()).isEqualTo(2);
  }

  @Test
  void multiLineJsonRescuesUnknownFieldsAndEvolves() throws Exception {
    write("a.json", "[\n {\"id\": 1,\n  \"n\": 5},\n {\"id\": 2, \"n\": 6}\n]\n");
    availableNow(autoLoader("json").option("multiLine", "true").option("cloudFiles.schemaHints", "n INT")
        .load(landing().toString()));
    java.nio.file.Path b = write("b.json", "{\"id\": 3,\n \"n\": \"seven\",\n \"color\": \"red\"}\n");
    availableNow(autoLoader("json").option("multiLine", "true").option("cloudFiles.schemaHints", "n INT")
        .option("cloudFiles.schemaEvolutionMode", "rescue").load(landing().toString()));
    assertThat(table().orderBy("id").select("id", "n").collectAsList().toString()).isEqualTo("[[1,5], [2,6], [3,null]]");
    assertThat(table().where("id = '3'").select("_rescued_data").first().getString(0))
        .isEqualTo("{\"n\":\"seven\",\"color\":\"red\",\"_file_path\":\"file:" + b + "\"}");

    write("c.json", "{\"id\": 4,\n \"n\": 8,\n \"size\": \"L\"}");
    assertThatThrownBy(() -> availableNow(autoLoader("json").option("multiLine", "true")
        .option("cloudFiles.schemaHints", "n INT").load(landing().toString())))
        .hasStackTraceContaining("c.json has new columns: `size` string");
    availableNow(autoLoader("json").option("multiLine", "true").option("cloudFiles.schemaHints", "n INT")
        .load(landing().toString()));
    assertThat(table().where("id = '4'").select("n", "size").first().toString()).isEqualTo("[8,L]");
  }

  @Test
  void csvEvolvesByItsHeaderAndMatchesColumnsByName() throws Exception {
    write("a.csv", "id,n\n1,5\n");
    availableNow(autoLoader("csv").option("header", "true").load(landing().toString()));
    write("b.csv", "n,color,id\n6,red,2\n");
    assertThatThrownBy(() -> availableNow(autoLoader("csv").option("header", "true").load(landing().toString())))
        .hasStackTraceContaining("b.csv has new columns: `color` string");
    availableNow(autoLoader("csv").option("header", "true").load(landing().toString()));
    assertThat(table().orderBy("id").select("id", "n", "color", "_rescued_data").collectAsList().toString())
        .isEqualTo("[[1,5,null,null], [2,6,red,null]]");

    java.nio.file.Path c = write("c.csv", "id,size\n3,L\n");
    availableNow(autoLoader("csv").option("header", "true").option("cloudFiles.schemaEvolutionMode", "rescue")
        .load(landing().toString()));
    assertThat(table().where("id = '3'").select("n", "_rescued_data").first().toString())
        .isEqualTo("[null,{\"size\":\"L\",\"_file_path\":\"file:" + c + "\"}]");
  }

  /**
   * A given schema with {@code rescuedDataColumn} set (what a medallion bronze table with a declared
   * schema reads with): mode {@code none} keeps a file's new columns in the rescued column, as Auto
   * Loader does (CSV here; Parquet, ORC and Avro read new columns with the same mode). They were
   * dropped.
   */
  @Test
  void aGivenSchemaWithARescuedDataColumnRescuesNewColumnsInModeNone() throws Exception {
    write("a.csv", "id,n\n1,5\n");
    java.nio.file.Path b = write("b.csv", "id,n,phone\n2,6,555-1234\n");
    availableNow(autoLoader("csv").schema("id STRING, n STRING").option("header", "true")
        .option("rescuedDataColumn", "_rescued_data").load(landing().toString()));
    assertThat(table().orderBy("id").select("id", "n", "_rescued_data").collectAsList().toString())
        .isEqualTo("[[1,5,null], [2,6,{\"phone\":\"555-1234\",\"_file_path\":\"file:" + b + "\"}]]");
  }

  @Test
  void csvWithoutHeaderEvolvesByPositionWithSparksColumnNames() throws Exception {
    write("a.csv", "1,5\n");
    availableNow(autoLoader("csv").load(landing().toString()));
    assertThat(table().schema().fieldNames()).containsExactly("_c0", "_c1", "_rescued_data");

    // addNewColumns: a wider first record stops the stream once; the restart reads the columns
    write("b.csv", "2,6,red\n3,7,blue\n");
    assertThatThrownBy(() -> availableNow(autoLoader("csv").load(landing().toString())))
        .hasStackTraceContaining("b.csv has new columns: `_c2` string.");
    availableNow(autoLoader("csv").load(landing().toString()));
    assertThat(table().orderBy("_c0").select("_c0", "_c1", "_c2", "_rescued_data").collectAsList().toString())
        .isEqualTo("[[1,5,null,null], [2,6,red,null], [3,7,blue,null]]");
    assertThat(Files.readString(checkpoint().resolve("_schemas/1"))).contains("\"column\" : \"_c2 string\"");

    // rescue: the values beyond the schema are kept by their position's name, with the file
    java.nio.file.Path c = write("c.csv", "4,8,green,L,x\n");
    availableNow(autoLoader("csv").option("cloudFiles.schemaEvolutionMode", "rescue").load(landing().toString()));
    assertThat(table().where("_c0 = '4'").select("_c2", "_rescued_data").first().toString())
        .isEqualTo("[green,{\"_c3\":\"L\",\"_c4\":\"x\",\"_file_path\":\"file:" + c + "\"}]");

    // failOnNewColumns stops every start; none ingests the file without the new values
    write("d.csv", "5,9,grey,M\n");
    for (int start = 0; start < 2; start++) {
      assertThatThrownBy(() -> availableNow(autoLoader("csv")
          .option("cloudFiles.schemaEvolutionMode", "failOnNewColumns").load(landing().toString())))
          .hasStackTraceContaining("d.csv has new columns: `_c3` string. cloudFiles.schemaEvolutionMode = failOnNewColumns");
    }
    availableNow(autoLoader("csv").option("cloudFiles.schemaEvolutionMode", "none").load(landing().toString()));
    assertThat(table().where("_c0 = '5'").select("_c0", "_c1", "_c2", "_rescued_data").collectAsList().toString())
        .isEqualTo("[[5,9,grey,null]]");
    assertThat(table().count()).isEqualTo(5);
  }
}
