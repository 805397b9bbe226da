package io.medallion.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The options of a subcommand that are not {@code run}'s: {@code --name value} pairs, some repeatable. */
final class CommandArgs {
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  private CommandArgs() {}

  /**
   * Parses {@code args} after the command name.
   *
   * @param known every option the command takes, each with a value
   */
  static CommandArgs parse(String[] args, Set<String> known, String usage) {
    CommandArgs a = new CommandArgs();
    for (int i = 1; i < args.length; i++) {
      String option = args[i];
      if (!known.contains(option)) {
        throw CliErrors.usage("Unknown option '" + option + "' of " + args[0] + ". Usage: medallion " + args[0] + " " + usage);
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw CliErrors.usage("Option " + option + " needs a value.");
      }
      a.values.computeIfAbsent(option, k -> new ArrayList<>()).add(args[++i]);
    }
    return a;
  }

  /** The last value of an option, or {@code fallback}. */
  String value(String option, String fallback) {
    List<String> v = values.get(option);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  /** The last value of a required option. */
  String required(String option, String what) {
    String v = value(option, null);
    if (v == null) {
      throw CliErrors.usage("Missing " + option + " (" + what + ").");
    }
    return v;
  }

  /** Every value of a repeatable option (comma-separated values split), or {@code fallback}. */
  List<String> values(String option, List<String> fallback) {
    List<String> v = values.get(option);
    if (v == null) {
      return fallback;
    }
    List<String> all = new ArrayList<>();
    v.forEach(s -> all.addAll(List.of(s.split(","))));
    return all;
  }

  static String confDir() {
    return System.getenv().getOrDefault("MEDALLION_CONF_DIR", "conf");
  }
}
