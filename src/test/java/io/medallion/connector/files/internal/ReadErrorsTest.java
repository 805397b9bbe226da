package io.medallion.connector.files.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class ReadErrorsTest {

  @Test
  void contentErrorsAreTheFilesIoErrorsAreNot() {
    assertThat(ReadErrors.isContentError(new RuntimeException("x is not a Parquet file"))).isTrue();
    assertThat(ReadErrors.isContentError(new ZipException("invalid stored block lengths"))).isTrue();
    assertThat(ReadErrors.isContentError(new EOFException("Unexpected end of input stream"))).isTrue();
    assertThat(ReadErrors.isContentError(new FileNotFoundException("gone"))).isTrue();
    assertThat(ReadErrors.isContentError(new IllegalArgumentException("bad value"))).isTrue();
    assertThat(ReadErrors.isContentError(new SocketTimeoutException("Read timed out"))).isFalse();
    assertThat(ReadErrors.isContentError(new UncheckedIOException(new IOException("Connection reset")))).isFalse();
  }

  @Test
  void aMissingAvroModuleIsNamedWithItsPackagesLine() {
    assertThatThrownBy(() -> ReadFormat.avro("org.apache.spark.sql.avro.NoSuchFormat"))
        .hasMessageContaining("needs Spark's avro module (org.apache.spark:spark-avro_2.12)")
        .hasMessageContaining("--packages org.apache.spark:spark-avro_2.12:3.5.7");
    assertThat(ReadFormat.avro().getClass().getName()).isEqualTo(ReadFormat.AVRO_FORMAT);
  }
}
