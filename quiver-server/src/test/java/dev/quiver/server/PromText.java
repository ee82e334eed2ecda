package dev.quiver.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text exposition, parsed into samples: {@code name{label="value",...}} (labels sorted
 * by name) to value. Empty label values are kept ({@code service=""}).
 */
record PromText(Map<String, Double> samples) {
  private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static PromText parse(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      out.put(key(m.group(1), labels(m.group(2))), Double.parseDouble(m.group(3)));
    }
    return new PromText(out);
  }

  /** The labels of {@code name{...}} text, sorted by name. */
  static Map<String, String> labels(String text) {
    Map<String, String> labels = new TreeMap<>();
    if (text != null) {
      Matcher l = LABEL.matcher(text);
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
    }
    return labels;
  }

  /** The canonical key of a sample. */
  static String key(String name, Map<String, String> labels) {
    StringBuilder b = new StringBuilder(name).append('{');
    new TreeMap<>(labels).forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
    return b.append('}').toString();
  }

  /** A sample's value, 0 when absent. */
  double value(String name, Map<String, String> labels) {
    return samples.getOrDefault(key(name, labels), 0.0);
  }

  /** The samples of one metric name: labels to value. */
  Map<Map<String, String>, Double> series(String name) {
    Map<Map<String, String>, Double> out = new LinkedHashMap<>();
    samples.forEach((k, v) -> {
      if (k.startsWith(name + "{")) {
        out.put(labels(k.substring(name.length() + 1, k.length() - 1)), v);
      }
    });
    return out;
  }

  /** The metric names that have at least one sample. */
  java.util.Set<String> names() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    samples.keySet().forEach(k -> names.add(k.substring(0, k.indexOf('{'))));
    return names;
  }
}
