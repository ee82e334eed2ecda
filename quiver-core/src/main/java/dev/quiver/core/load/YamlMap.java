package dev.quiver.core.load;

import dev.quiver.core.Names;
import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML mapping read with positions. Every accessor reports what is wrong to the shared problem
 * list and returns a neutral value, so one pass finds every problem of a file.
 */
final class YamlMap {
  private final String file;
  private final Node node;
  private final List<Problem> problems;
  private final Map<String, Node> values = new LinkedHashMap<>();
  private final Map<String, Node> keys = new LinkedHashMap<>();

  YamlMap(String file, Node node, List<Problem> problems) {
    this.file = file;
    this.node = node;
    this.problems = problems;
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
        if (values.containsKey(key)) {
          problems.add(new Problem(origin(t.getKeyNode()), "'" + key + "' is given twice; keep one"));
          continue;
        }
        values.put(key, t.getValueNode());
        keys.put(key, t.getKeyNode());
      }
    }
  }

  static boolean isMap(Node n) {
    return n instanceof MappingNode;
  }

  String file() {
    return file;
  }

  /** The shared problem list this map reports to. */
  List<Problem> problems() {
    return problems;
  }

  Origin origin() {
    return origin(node);
  }

  Origin origin(String key) {
    Node k = keys.get(key);
    return k == null ? origin() : origin(k);
  }

  Origin origin(Node n) {
    return new Origin(file, n.getStartMark().getLine() + 1);
  }

  void problem(Origin at, String message) {
    problems.add(new Problem(at, message));
  }

  boolean has(String key) {
    return values.containsKey(key) && !isNull(values.get(key));
  }

  Set<String> keys() {
    return values.keySet();
  }

  /** Reports keys outside {@code allowed}, suggesting the closest allowed one. */
  void allowOnly(String what, List<String> allowed) {
    for (String key : values.keySet()) {
      if (!allowed.contains(key)) {
        problem(
            origin(key),
            "unknown key '" + key + "' in " + what + Names.didYouMean(key, allowed)
                + " (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  /** The scalar at {@code key}, or null when absent; a problem when it is not a scalar. */
  String string(String key) {
    Node v = values.get(key);
    if (v == null || isNull(v)) {
      return null;
    }
    if (v instanceof ScalarNode s) {
      return s.getValue();
    }
    problem(origin(v), "'" + key + "' must be a single value, not a " + kind(v));
    return null;
  }

  /** The scalar at {@code key}; a problem naming {@code what} when missing. */
  String required(String key, String what) {
    if (!has(key)) {
      problem(origin(), what + " needs '" + key + "'");
      return null;
    }
    return string(key);
  }

  int integer(String key, int defaultValue) {
    String s = string(key);
    if (s == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      problem(origin(values.get(key)), "'" + key + "' must be a whole number, not '" + s + "'");
      return defaultValue;
    }
  }

  double decimal(String key, double defaultValue) {
    String s = string(key);
    if (s == null) {
      return defaultValue;
    }
    try {
      return Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      problem(origin(values.get(key)), "'" + key + "' must be a number, not '" + s + "'");
      return defaultValue;
    }
  }

  boolean bool(String key, boolean defaultValue) {
    String s = string(key);
    if (s == null) {
      return defaultValue;
    }
    return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        problem(origin(values.get(key)), "'" + key + "' must be true or false, not '" + s + "'");
        yield defaultValue;
      }
    };
  }

  /** The nodes of the list at {@code key}; empty when absent; a problem when not a list. */
  List<Node> list(String key) {
    Node v = values.get(key);
    if (v == null || isNull(v)) {
      return List.of();
    }
    if (v instanceof SequenceNode s) {
      return s.getValue();
    }
    problem(origin(v), "'" + key + "' must be a list (- item per line, or [a, b])");
    return List.of();
  }

  /** The list at {@code key} as strings; non-scalar items are problems. */
  List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    for (Node n : list(key)) {
      if (n instanceof ScalarNode s) {
        out.add(s.getValue());
      } else {
        problem(origin(n), "items of '" + key + "' must be single values, not a " + kind(n));
      }
    }
    return out;
  }

  /** The mapping at {@code key}, or null when absent; a problem when not a mapping. */
  YamlMap map(String key) {
    Node v = values.get(key);
    if (v == null || isNull(v)) {
      return null;
    }
    if (v instanceof MappingNode) {
      return new YamlMap(file, v, problems);
    }
    problem(origin(v), "'" + key + "' must be a mapping (key: value)");
    return null;
  }

  /** The mapping at {@code key} as string pairs, in file order; empty when absent. */
  Map<String, String> stringMap(String key) {
    YamlMap m = map(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (m != null) {
      for (String k : m.keys()) {
        String v = m.string(k);
        out.put(k, v == null ? "" : v);
      }
    }
    return out;
  }

  Node raw(String key) {
    return values.get(key);
  }

  static String kind(Node n) {
    return switch (n) {
      case MappingNode m -> "mapping";
      case SequenceNode s -> "list";
      default -> "value";
    };
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
  }
}
