package io.medallion.run;

import io.medallion.MedallionException;
import io.medallion.pipeline.BronzeTable;
import io.medallion.pipeline.SilverTable;
import io.medallion.source.FileSource;
import io.medallion.source.KafkaSource;
import io.medallion.source.KinesisSource;
import io.medallion.pipeline.TableDefinition;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a full refresh (drop the table and its checkpoint, recompute from the whole input) may
 * run, as Delta Live Tables' {@code pipelines.reset.allowed}. A bronze table whose source cannot
 * be read again from the start would lose its data for good: files removed after ingestion
 * ({@code cloudFiles.cleanSource = DELETE | MOVE}), Kafka and Kinesis (retention); likewise the
 * history of an SCD type 2 snapshot CDC table whose snapshots are its {@code from} table's versions
 * (only the current version is read again). Such a refresh is
 * refused unless the table property {@value #PROPERTY} is {@code true} or the run allows it
 * ({@code --allow-reset}). {@value #PROPERTY} = {@code false} refuses every full refresh of the table.
 */
public final class ResetPolicy {
  /** The table property that allows ({@code true}) or refuses ({@code false}) a full refresh. */
  public static final String PROPERTY = "pipelines.reset.allowed";

  private ResetPolicy() {}

  /**
   * @param allowedByRun the run's explicit permission ({@code --allow-reset})
   * @throws MedallionException saying why the refresh would lose data and how to allow it
   */
  public static void check(TableDefinition table, boolean allowedByRun, String origin) {
    String setting = table.spec().properties().get(PROPERTY);
    if ("false".equalsIgnoreCase(setting)) {
      throw RunErrors.resetDisabled(table.ref(), PROPERTY, origin);
    }
    if ("true".equalsIgnoreCase(setting) || allowedByRun) {
      return;
    }
    Optional<String> reason = notReplayable(table);
    if (reason.isPresent()) {
      throw RunErrors.resetLosesData(table.ref(), reason.get(), PROPERTY, origin);
    }
  }

  /** Why the table's source cannot be read again from the start, if it cannot. */
  static Optional<String> notReplayable(TableDefinition table) {
    if (table instanceof SilverTable s && s.cdc().isPresent() && s.cdc().get().scd2()
        && s.cdc().get().fromSnapshot().map(f -> !f.isFolder()).orElse(false)) {
      return Optional.of("it keeps the SCD type 2 history of its from table's past versions (snapshot CDC), and"
          + " only the current version can be read again");
    }
    if (!(table instanceof BronzeTable bronze)) {
      return Optional.empty();
    }
    if (bronze.source() instanceof KafkaSource) {
      return Optional.of("its source is Kafka, which keeps messages only for the topic's retention");
    }
    if (bronze.source() instanceof KinesisSource) {
      return Optional.of("its source is Kinesis, which keeps records only for the stream's retention");
    }
    if (bronze.source() instanceof FileSource files) {
      for (Map.Entry<String, String> e : files.options().entrySet()) {
        String mode = e.getValue() == null ? "" : e.getValue().strip().toUpperCase(Locale.ROOT);
        if (e.getKey().equalsIgnoreCase("cloudFiles.cleanSource") && (mode.equals("DELETE") || mode.equals("MOVE"))) {
          return Optional.of("its files are removed after ingestion (cloudFiles.cleanSource = " + mode + ")");
        }
      }
    }
    return Optional.empty();
  }
}
