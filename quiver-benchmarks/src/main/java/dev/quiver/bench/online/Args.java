package dev.quiver.bench.online;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line arguments of the online benchmarks: one work directory, then {@code --name value} and flags. */
public record Args(Path dir, Map<String, String> options, Set<String> flags) {

  public static Args parse(String[] args) {
    Path dir = null;
    Map<String, String> options = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        int eq = name.indexOf('=');
        if (eq > 0) {
          options.put(name.substring(0, eq), name.substring(eq + 1));
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          options.put(name, args[++i]);
        } else {
          flags.add(name);
        }
      } else if (dir == null) {
        dir = Path.of(a);
      } else {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
    }
    if (dir == null) {
      throw new IllegalArgumentException("the first argument is the work directory");
    }
    return new Args(dir, options, flags);
  }

  public long longOpt(String name, long dflt) {
    String v = options.get(name);
    return v == null ? dflt : Long.parseLong(v.replace("_", "").replace(",", ""));
  }

  public int intOpt(String name, int dflt) {
    return (int) longOpt(name, dflt);
  }

  public String opt(String name, String dflt) {
    return options.getOrDefault(name, dflt);
  }

  public List<String> listOpt(String name, String dflt) {
    return List.of(opt(name, dflt).split(","));
  }

  public boolean flag(String name) {
    return flags.contains(name);
  }
}
