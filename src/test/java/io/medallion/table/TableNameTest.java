package io.medallion.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableNameTest {
  @Test
  void parsesThreePartsAndNormalizesCase() {
    TableName name = TableName.parse("Dev_Bronze.Sales.Orders");
    assertThat(name.catalog()).isEqualTo("dev_bronze");
    assertThat(name.schema()).isEqualTo("sales");
    assertThat(name.table()).isEqualTo("orders");
    assertThat(name.toString()).isEqualTo("dev_bronze.sales.orders");
    assertThat(name).isEqualTo(TableName.of("dev_bronze", "sales", "orders"))
        .hasSameHashCodeAs(TableName.of("DEV_BRONZE", "SALES", "ORDERS"));
    assertThat(TableName.parse("`dev`.`sales`.`order-lines`")).isEqualTo(TableName.of("dev", "sales", "order-lines"));
  }

  @Test
  void quotesEveryPartForSql() {
    assertThat(TableName.parse("dev.sales.order-lines").quoted()).isEqualTo("`dev`.`sales`.`order-lines`");
    assertThat(TableName.quote("a`b")).isEqualTo("`a``b`");
  }

  @Test
  void rejectsWrongShapesWithTheExpectedForm() {
    assertThatThrownBy(() -> TableName.parse("sales.orders"))
        .hasMessageContaining("'sales.orders' has 2 parts: expected three, catalog.schema.table");
    assertThatThrownBy(() -> TableName.parse("a.b.c.d")).hasMessageContaining("has 4 parts");
    assertThatThrownBy(() -> TableName.parse("dev..orders")).hasMessageContaining("empty schema part");
    assertThatThrownBy(() -> TableName.parse("  ")).hasMessageContaining("Table name is empty");
    assertThatThrownBy(() -> TableName.parse("`dev.sales.orders")).hasMessageContaining("unclosed backtick");
  }

  @Test
  void rejectsCharactersThatCouldEscapeQuotingOrPaths() {
    assertThatThrownBy(() -> TableName.parse("dev.sales.orders; DROP TABLE x; --"))
        .hasMessageContaining("may only contain letters, digits, '_' and '-'");
    assertThatThrownBy(() -> TableName.parse("dev.sales.`a``b`")).hasMessageContaining("table 'a`b'");
    assertThatThrownBy(() -> TableName.parse("dev.sales.`a.b`")).hasMessageContaining("table 'a.b'");
    assertThatThrownBy(() -> TableName.of("dev", "..", "orders")).hasMessageContaining("schema '..'");
    assertThatThrownBy(() -> TableName.of("dev", "sales", "a/b")).hasMessageContaining("table 'a/b'");
  }
}
