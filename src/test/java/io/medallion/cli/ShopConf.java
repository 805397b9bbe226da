package io.medallion.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small pipeline for CLI tests: bronze {@code items} from JSON files, one file per micro-batch,
 * with a rule of each action and a dataset check; written into a temporary conf dir with its own
 * environment (catalogs {@code <env>_bronze} ...), so each test class has tables of its own.
 */
final class ShopConf {
  final Path root;
  final Path conf;
  final Path landing;
  final String env;
  private int files;

  ShopConf(Path root, String env) throws IOException {
    this.root = root;
    this.env = env;
    this.conf = root.resolve("conf");
    this.landing = root.resolve("landing/items");
    Files.createDirectories(conf.resolve("pipelines"));
    Files.createDirectories(conf.resolve("env"));
    Files.createDirectories(landing);
    Files.writeString(conf.resolve("pipelines/shop.conf"), String.join("\n",
        "pipeline {",
        "  name = shop",
        "  schema = store",
        "  bronze.items {",
        "    source { type = files, path = ${env.landing-root}/items, format = json,",
        "             schema = \"id STRING, price STRING\", options { \"cloudFiles.maxFilesPerTrigger\" = \"1\" } }",
        "    expectations {",
        "      has_id { expr = \"id IS NOT NULL\", on-violation = drop }",
        "      positive { expr = \"CAST(price AS DOUBLE) >= 0\", on-violation = quarantine }",
        "      cheap { expr = \"CAST(price AS DOUBLE) < 100\", on-violation = warn }",
        "      not_free { expr = \"price <> '0'\", on-violation = fail }",
        "    }",
        "    checks { enough { type = row-count, min = 2, on-violation = warn } }",
        "  }",
        "}", ""));
    Files.writeString(conf.resolve("env/" + env + ".conf"), String.join("\n",
        "env {",
        "  name = " + env,
        "  platform = oss",
        "  warehouse-root = \"" + root.resolve("warehouse") + "\"",
        "  checkpoint-root = \"" + root.resolve("checkpoints") + "\"",
        "  landing-root = \"" + root.resolve("landing") + "\"",
        "  catalogs { bronze = " + env + "_bronze, silver = " + env + "_silver, gold = " + env + "_gold }",
        "}", ""));
  }

  /** Lands one file (one micro-batch) of JSON lines {@code {"id": .., "price": ..}}; a null id as {@code null}. */
  ShopConf land(String... idPricePairs) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < idPricePairs.length; i += 2) {
      String id = idPricePairs[i] == null ? "null" : "\"" + idPricePairs[i] + "\"";
      sb.append("{\"id\": ").append(id).append(", \"price\": \"").append(idPricePairs[i + 1]).append("\"}\n");
    }
    // Names sort in landing order: the file source takes the oldest first, one per batch.
    Path file = landing.resolve(String.format("items-%03d.json", files++));
    Files.writeString(file, sb.toString());
    file.toFile().setLastModified(System.currentTimeMillis() - 100_000 + files * 1000L);
    return this;
  }

  /** Runs a CLI command on this conf and environment; returns what it printed. */
  String cli(String command, String... more) {
    String[] base = {command, "--conf-dir", conf.toString(), "--pipeline", "shop", "--env", env};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Cli(new PrintStream(bytes, true, StandardCharsets.UTF_8)).execute(all);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
