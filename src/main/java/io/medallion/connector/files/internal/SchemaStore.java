package io.medallion.connector.files.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.connector.files.internal.CloudFilesOptions.EvolutionMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.io.IOUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema of a {@code cloudFiles} stream and its history, kept under
 * {@code <schemaLocation>/_schemas/}: one JSON file per version ({@code 0}, {@code 1}, ...) with
 * the schema, when and why it was written (inferred from which files, or which columns were added
 * from which file). Readers that meet new columns in {@code addNewColumns} mode leave a note in
 * {@code _schemas/_new_columns/}; the next start folds the notes into a new version, so the stream
 * picks the columns up at a batch boundary.
 */
public final class SchemaStore {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String NEW_COLUMNS_DIR = "_new_columns";
  private static final String PARTITION_COLUMNS = "partitionColumns";

  /** The schema in force and its version number. */
  public record Versioned(StructType schema, int version) {}

  private final Path dir;
  private final FileSystem fs;

  private SchemaStore(Path dir, FileSystem fs) {
    this.dir = dir;
    this.fs = fs;
  }

  public static SchemaStore at(String schemaLocation, Configuration conf) {
    Path dir = new Path(schemaLocation, "_schemas");
    try {
      return new SchemaStore(dir, dir.getFileSystem(conf));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the schema location " + schemaLocation + ": " + e.getMessage(), e);
    }
  }

  /** The newest version, after folding in new columns that readers reported. */
  public Optional<Versioned> latest(EvolutionMode mode) {
    try {
      Optional<Versioned> current = newest();
      if (current.isEmpty()) {
        return current;
      }
      Path notes = new Path(dir, NEW_COLUMNS_DIR);
      if (!fs.exists(notes)) {
        return current;
      }
      FileStatus[] pending = fs.listStatus(notes);
      if (pending.length == 0 || mode != EvolutionMode.ADD_NEW_COLUMNS) {
        return current;
      }
      StructType schema = current.get().schema();
      Map<String, String> addedFrom = new LinkedHashMap<>();
      for (FileStatus st : pending) {
        JsonNode note = JSON.readTree(read(st.getPath()));
        StructType fields = (StructType) DataType.fromJson(note.get("fields").toString());
        for (StructField f : fields.fields()) {
          if (Arrays.asList(schema.fieldNames()).contains(f.name())) {
            continue;
          }
          schema = schema.add(f);
          addedFrom.put(f.name() + " " + f.dataType().simpleString(), note.path("file").asText());
        }
      }
      int version = current.get().version();
      if (!addedFrom.isEmpty()) {
        version++;
        ArrayNode added = JSON.createArrayNode();
        addedFrom.forEach((col, file) -> added.addObject().put("column", col).put("file", file));
        ObjectNode doc = doc(schema, "new columns (schemaEvolutionMode = addNewColumns)");
        doc.set("added", added);
        partitionColumns().forEach(doc.putArray(PARTITION_COLUMNS)::add);
        write(version, doc);
        LOG.warn("cloudFiles: schema at {} evolved to version {}: added columns {}", dir, version, addedFrom);
      }
      for (FileStatus st : pending) {
        fs.delete(st.getPath(), false);
      }
      return Optional.of(new Versioned(schema, version));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schema location " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The partition columns recorded with the newest version (none before the first). */
  public List<String> partitionColumns() {
    try {
      int v = newestVersion();
      if (v < 0) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      JSON.readTree(read(new Path(dir, Integer.toString(v)))).path(PARTITION_COLUMNS)
          .forEach(n -> out.add(n.asText()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schema location " + dir + ": " + e.getMessage(), e);
    }
  }

  private int newestVersion() throws IOException {
    if (!fs.exists(dir)) {
      return -1;
    }
    int best = -1;
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (name.matches("\\d+")) {
        best = Math.max(best, Integer.parseInt(name));
      }
    }
    return best;
  }

  private Optional<Versioned> newest() throws IOException {
    if (!fs.exists(dir)) {
      return Optional.empty();
    }
    int best = -1;
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (name.matches("\\d+")) {
        best = Math.max(best, Integer.parseInt(name));
      }
    }
    if (best < 0) {
      return Optional.empty();
    }
    JsonNode doc = JSON.readTree(read(new Path(dir, Integer.toString(best))));
    return Optional.of(new Versioned((StructType) DataType.fromJson(doc.get("schema").toString()), best));
  }

  /** Writes version 0 from inference. */
  public Versioned initial(StructType schema, List<String> sampledFiles, Optional<String> hints,
      List<String> partitionColumns) {
    ObjectNode doc = doc(schema, "inferred from " + sampledFiles.size() + " file(s)");
    partitionColumns.forEach(doc.putArray(PARTITION_COLUMNS)::add);
    ArrayNode files = doc.putArray("sampledFiles");
    sampledFiles.stream().limit(20).forEach(files::add);
    hints.ifPresent(h -> doc.put("schemaHints", h));
    try {
      write(0, doc);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the schema to " + dir + ": " + e.getMessage(), e);
    }
    return new Versioned(schema, 0);
  }

  private ObjectNode doc(StructType schema, String reason) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("formatVersion", 1);
    doc.put("createdAt", java.time.Instant.now().toString());
    doc.put("reason", reason);
    try {
      doc.set("schema", JSON.readTree(schema.json()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return doc;
  }

  private void write(int version, ObjectNode doc) throws IOException {
    fs.mkdirs(dir);
    Path target = new Path(dir, Integer.toString(version));
    Path tmp = new Path(dir, "." + version + "." + UUID.randomUUID() + ".tmp");
    try (FSDataOutputStream out = fs.create(tmp, true)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      if (!fs.exists(target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
    }
  }

  private String read(Path p) throws IOException {
    try (var in = fs.open(p)) {
      return IOUtils.toString(in, StandardCharsets.UTF_8);
    }
  }

  /**
   * Called by a reader (on an executor) that met columns the schema does not have, in
   * {@code addNewColumns} mode: leaves a note for the next start.
   */
  public static void noteNewColumns(String schemaLocation, Configuration conf, String file, StructType fields) {
    try {
      Path notes = new Path(new Path(schemaLocation, "_schemas"), NEW_COLUMNS_DIR);
      FileSystem fs = notes.getFileSystem(conf);
      fs.mkdirs(notes);
      ObjectNode doc = JSON.createObjectNode();
      doc.put("file", file);
      doc.set("fields", JSON.readTree(fields.json()));
      try (FSDataOutputStream out = fs.create(new Path(notes, UUID.randomUUID() + ".json"), true)) {
        out.write(doc.toString().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record new columns under " + schemaLocation + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- inference helpers

  /** Leaves of JSON/CSV schemas as strings (Auto Loader's default without inferColumnTypes). */
  static DataType allStrings(DataType t) {
    if (t instanceof StructType s) {
      StructField[] out = new StructField[s.fields().length];
      for (int i = 0; i < out.length; i++) {
        StructField f = s.fields()[i];
        out[i] = new StructField(f.name(), allStrings(f.dataType()), true, f.metadata());
      }
      return new StructType(out);
    }
    if (t instanceof ArrayType a) {
      return DataTypes.createArrayType(allStrings(a.elementType()), true);
    }
    if (t instanceof MapType m) {
      return DataTypes.createMapType(m.keyType(), allStrings(m.valueType()), true);
    }
    return DataTypes.StringType;
  }

  /**
   * Applies {@code cloudFiles.schemaHints}: {@code "a INT, b.c DECIMAL(10,2), `odd name` DATE"}.
   * A hinted column replaces the inferred type or is added when the files did not have it; dotted
   * names reach into structs.
   */
  public static StructType applyHints(StructType schema, String hints) {
    StructType out = schema;
    for (String hint : splitTopLevel(hints)) {
      String h = hint.trim();
      if (h.isEmpty()) {
        continue;
      }
      List<String> path = new ArrayList<>();
      int i = 0;
      StringBuilder part = new StringBuilder();
      boolean quoted = false;
      for (; i < h.length(); i++) {
        char c = h.charAt(i);
        if (c == '`') {
          quoted = !quoted;
        } else if (!quoted && c == '.') {
          path.add(part.toString());
          part.setLength(0);
        } else if (!quoted && Character.isWhitespace(c)) {
          break;
        } else {
          part.append(c);
        }
      }
      path.add(part.toString());
      String typeText = h.substring(i).trim();
      if (typeText.isEmpty() || path.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException("cloudFiles.schemaHints: '" + h + "' is not 'column TYPE'"
            + " (e.g. \"amount DECIMAL(12,2), customer.id BIGINT\").");
      }
      DataType type;
      try {
        type = DataType.fromDDL(typeText);
      } catch (Exception e) { // Spark's ParseException is checked in Java terms
        throw new IllegalArgumentException("cloudFiles.schemaHints: '" + typeText + "' in '" + h
            + "' is not a Spark SQL type (e.g. BIGINT, DOUBLE, DECIMAL(12,2), DATE, TIMESTAMP,"
            + " ARRAY<STRING>, STRUCT<a: INT>).", e);
      }
      out = put(out, path, type, h);
    }
    return out;
  }

  private static StructType put(StructType s, List<String> path, DataType type, String hint) {
    String name = path.get(0);
    int idx = Arrays.asList(s.fieldNames()).indexOf(name);
    if (path.size() == 1) {
      StructField f = new StructField(name, type, true, org.apache.spark.sql.types.Metadata.empty());
      if (idx < 0) {
        return s.add(f);
      }
      StructField[] fields = s.fields().clone();
      fields[idx] = f;
      return new StructType(fields);
    }
    StructType inner;
    if (idx < 0) {
      inner = new StructType();
    } else if (s.fields()[idx].dataType() instanceof StructType st) {
      inner = st;
    } else {
      throw new IllegalArgumentException("cloudFiles.schemaHints: '" + hint + "' reaches into "
          + name + ", which is " + s.fields()[idx].dataType().simpleString() + ", not a struct.");
    }
    StructField f = new StructField(name, put(inner, path.subList(1, path.size()), type, hint), true,
        org.apache.spark.sql.types.Metadata.empty());
    if (idx < 0) {
      return s.add(f);
    }
    StructField[] fields = s.fields().clone();
    fields[idx] = f;
    return new StructType(fields);
  }

  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    StringBuilder cur = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '`') {
        quoted = !quoted;
      } else if (!quoted && (c == '<' || c == '(')) {
        depth++;
      } else if (!quoted && (c == '>' || c == ')')) {
        depth--;
      } else if (!quoted && depth == 0 && c == ',') {
        parts.add(cur.toString());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    parts.add(cur.toString());
    return parts;
  }

  /** Infers a schema from sample files with Spark's reader for the format. */
  static StructType infer(SparkSession spark, CloudFilesOptions o, List<String> files) {
    Map<String, String> reader = new LinkedHashMap<>(o.readerOptions());
    String format = o.format();
    if (format.equals("json") && !o.inferColumnTypes()) {
      reader.putIfAbsent("primitivesAsString", "true");
    }
    if (format.equals("csv")) {
      reader.putIfAbsent("inferSchema", Boolean.toString(o.inferColumnTypes()));
    }
    if (format.equals("parquet") || format.equals("orc")) {
      reader.putIfAbsent("mergeSchema", "true"); // the union of the sampled files, as Auto Loader
    }
    StructType inferred = spark.read().format(format.equals("binaryfile") ? "binaryFile" : format)
        .options(reader).load(files.toArray(new String[0])).schema();
    if (o.rescuedDataColumn().isPresent()) {
      String rescued = o.rescuedDataColumn().get();
      inferred = new StructType(Arrays.stream(inferred.fields())
          .filter(f -> !f.name().equals(rescued) && !f.name().equals("_corrupt_record"))
          .toArray(StructField[]::new));
    }
    if ((format.equals("json") || format.equals("csv")) && !o.inferColumnTypes()) {
      inferred = (StructType) allStrings(inferred);
    }
    return inferred;
  }

  @Override
  public String toString() {
    return "SchemaStore[" + dir + "]";
  }
}
