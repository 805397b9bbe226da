package io.medallion.connector.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

class CloudFilesSmokeTest extends CloudFilesTestBase {
  @Test
  void csvWithMetadata() throws Exception {
    write("2024/01/a.csv", "id,name\n1,a\n2,b\n");
    write("2024/01/b.csv", "id,name\n3,c\n4,d,EXTRA\n");
    Dataset<Row> s = autoLoader("csv").option("header", "true").load(landing().toString())
        .select(functions.col("*"), functions.col("_metadata.file_path").as("src"),
            functions.col("_metadata.file_size").as("size"));
    availableNow(s);
    table().show(false);
    assertThat(table().count()).isEqualTo(4);
    write("2024/02/c.csv", "id,name\n5,e\n");
    availableNow(s);
    assertThat(table().count()).isEqualTo(5);
  }
}
