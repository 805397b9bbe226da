package io.medallion.connector.files.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.io.IOUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.execution.datasources.PartitionedFile;

/**
 * Multi-line JSON ({@code multiLine = true}): a file holds one JSON object, an array of objects,
 * or several objects one after the other. The file (never split, as in Spark) is cut into its
 * records, each parsed by {@link JsonRecordParser} like a JSON Lines record, so unknown fields and
 * values that do not fit are rescued and new columns drive schema evolution, as for JSON Lines.
 * Malformed JSON makes the rest of the file one corrupt record.
 */
final class MultiLineJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private MultiLineJson() {}

  /** The records of the file, each as its own bytes (UTF-8). */
  static List<byte[]> records(PartitionedFile file, Configuration conf) throws IOException {
    Path path = file.toPath();
    byte[] bytes;
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
    try (InputStream raw = path.getFileSystem(conf).open(path);
        InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
      bytes = IOUtils.toByteArray(in);
    }
    List<byte[]> out = new ArrayList<>();
    long start = 0;
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        start = p.getTokenLocation().getByteOffset();
        if (t == JsonToken.START_ARRAY) {
          while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            start = p.getTokenLocation().getByteOffset();
            p.skipChildren();
            out.add(Arrays.copyOfRange(bytes, (int) start, (int) p.getCurrentLocation().getByteOffset()));
          }
          start = p.getCurrentLocation().getByteOffset();
        } else {
          p.skipChildren();
          out.add(Arrays.copyOfRange(bytes, (int) start, (int) p.getCurrentLocation().getByteOffset()));
        }
      }
    } catch (JsonProcessingException e) {
      // the rest is not JSON: one record that the parser reports as corrupt
      out.add(Arrays.copyOfRange(bytes, (int) Math.min(start, bytes.length), bytes.length));
    }
    return out;
  }
}
