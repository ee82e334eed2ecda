package dev.quiver.core.load;

import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * What the readers of one definition file share: where each definition and field is ({@link
 * Origins}, a definition declared twice refused), and the fields every kind has (lists of items,
 * metadata, durations, types), each read with a {@link Problem} naming the line and the fix when it is
 * wrong. Not thread-safe (one per load).
 */
final class DefinitionFields {
  private final List<Problem> problems;
  private final Origins origins;

  DefinitionFields(List<Problem> problems, Origins origins) {
    this.problems = problems;
    this.origins = origins;
  }

  /** The mappings of a list; a problem for each item that is not one. */
  List<YamlMap> items(YamlMap parent, String key) {
    List<YamlMap> out = new ArrayList<>();
    for (Node n : parent.list(key)) {
      if (n instanceof MappingNode) {
        out.add(new YamlMap(parent.file(), n, problems));
      } else {
        parent.problem(parent.origin(n), "each item of '" + key + "' must be a mapping with at least 'name'");
      }
    }
    return out;
  }

  Metadata metadata(YamlMap m) {
    Map<String, String> tags = new java.util.LinkedHashMap<>();
    Node t = m.raw("tags");
    if (t instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
      for (String tag : m.strings("tags")) {
        tags.put(tag, "");
      }
    } else {
      tags.putAll(m.stringMap("tags"));
    }
    return new Metadata(m.string("description"), m.string("owner"), tags);
  }

  /** Records where a definition is; false (and a problem) when the same one was defined before. */
  boolean declare(String key, YamlMap m, String what) {
    Origin first = origins.declare(key, m.origin());
    if (first != null) {
      m.problem(m.origin(), what + " is defined twice (first at " + first + "); give one a different name or version");
      return false;
    }
    return true;
  }

  void record(String elementKey, String field, YamlMap m, String yamlKey) {
    if (m.keys().contains(yamlKey)) {
      origins.put(elementKey + "/" + field, m.origin(yamlKey));
    }
  }

  Duration duration(YamlMap m, String key) {
    String text = m.string(key);
    Duration d = text == null ? null : Durations.parse(text).orElse(null);
    if (d == null) {
      m.problem(m.origin(key), "'" + key + "' must be a duration such as 90s, 15m, 1h, 30d or 2w, at most "
          + Durations.format(Durations.MAX) + " (about 100 years), not '" + text + "'");
    }
    return d;
  }

  ValueType type(YamlMap m, Origin at, String text) {
    ValueType t = ValueType.parse(text).orElse(null);
    if (t == null) {
      m.problem(at, "unknown type '" + text + "'; use one of " + ValueType.spellings());
    }
    return t;
  }

  ScalarType scalar(YamlMap m, Origin at, String text) {
    ValueType t = type(m, at, text);
    if (t == null) {
      return null;
    }
    if (t instanceof ScalarType s) {
      return s;
    }
    m.problem(at, "join keys must be scalar, not " + t.spelling());
    return null;
  }
}
