package dev.quiver.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A node of a registry snapshot or dataset record and its JSON path, with the strict typed reads
 * {@link SnapshotReader} and its parts use: every failure names the path ({@link #damaged}).
 */
record JsonAt(JsonNode node, String path, Document document) {

  /** The documents read with it, for messages. */
  enum Document {
    SNAPSHOT("registry snapshot", RegistryCodec.FORMAT),
    DATASET("dataset record", RegistryCodec.DATASET_FORMAT);

    final String description;
    final int format;

    Document(String description, int format) {
      this.description = description;
      this.format = format;
    }
  }

  JsonAt field(String name) {
    requireObject();
    JsonNode child = node.get(name);
    String childPath = path.isEmpty() ? name : path + "." + name;
    if (child == null) {
      throw new JsonAt(null, childPath, document).damaged("missing");
    }
    return new JsonAt(child, childPath, document);
  }

  void requireObject() {
    if (!node.isObject()) {
      throw damaged("expected an object, found " + describe());
    }
  }

  void allowOnly(String... names) {
    requireObject();
    Set<String> allowed = Set.of(names);
    node.properties()
        .forEach(
            property -> {
              if (!allowed.contains(property.getKey())) {
                throw damaged(
                    "unknown field '"
                        + property.getKey()
                        + "' (written by a newer Quiver? this one reads format "
                        + document.format
                        + ")");
              }
            });
  }

  String text() {
    if (!node.isTextual()) {
      throw damaged("expected a string, found " + describe());
    }
    return node.textValue();
  }

  String textOrNull() {
    return node.isNull() ? null : text();
  }

  long longValue() {
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw damaged("expected an integer, found " + describe());
    }
    return node.longValue();
  }

  int intValue() {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw damaged("expected a 32-bit integer, found " + describe());
    }
    return node.intValue();
  }

  double doubleValue() {
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) { // NaN and the infinities are written as strings
      switch (node.textValue()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw damaged("expected a number, found " + describe());
  }

  boolean bool() {
    if (!node.isBoolean()) {
      throw damaged("expected true or false, found " + describe());
    }
    return node.booleanValue();
  }

  Instant instant() {
    String text = text();
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw damaged("'" + text + "' is not an ISO-8601 instant");
    }
  }

  ValueType valueType() {
    return parsed("a type (" + ValueType.spellings() + ")", JsonAt::canonicalType);
  }

  ValueType valueTypeOrNull() {
    return node.isNull() ? null : valueType();
  }

  ScalarType scalarType() {
    ValueType t = valueType();
    if (t instanceof ScalarType s) {
      return s;
    }
    throw damaged("a join key has a scalar type, found '" + t.spelling() + "'");
  }

  /** Only the canonical spellings; aliases ({@code long}, {@code array<...>}) are never written. */
  private static Optional<ValueType> canonicalType(String spelling) {
    return ValueType.parse(spelling).filter(t -> t.spelling().equals(spelling));
  }

  /** Only the canonical spellings ({@code parquet}, {@code csv}). */
  FileFormat fileFormat() {
    return parsed(
        "a file format (parquet, csv)",
        s -> FileFormat.parse(s).filter(f -> f.spelling().equals(s)));
  }

  Duration durationOrNull() {
    return node.isNull() ? null : parsed("a duration (30d, 90m, 1500ms)", JsonAt::duration);
  }

  Window window() {
    return parsed(
        "a window (30d, lifetime)",
        s -> s.equals("lifetime") ? Optional.of(Window.lifetime()) : duration(s).map(Window::of));
  }

  /** The definition spelling, or ISO-8601 for the durations that spelling cannot carry. */
  private static Optional<Duration> duration(String s) {
    if (s.startsWith("P") || s.startsWith("-P")) {
      try {
        return Optional.of(Duration.parse(s));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Durations.parse(s);
  }

  Map<String, String> stringMap() {
    requireObject();
    Map<String, String> map = new LinkedHashMap<>();
    node.properties()
        .forEach(
            property ->
                map.put(property.getKey(), field(property.getKey()).textOrNull()));
    return map;
  }

  <T> List<T> list(Function<JsonAt, T> read) {
    if (!node.isArray()) {
      throw damaged("expected an array, found " + describe());
    }
    List<T> items = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      items.add(read.apply(new JsonAt(node.get(i), path + "[" + i + "]", document)));
    }
    return items;
  }

  <T> T parsed(String expected, Function<String, Optional<T>> parse) {
    String text = text();
    return parse
        .apply(text)
        .orElseThrow(() -> damaged("'" + text + "' is not " + expected));
  }

  /** Runs a record constructor, reporting what it rejects as damage at this path. */
  <T> T build(java.util.function.Supplier<T> construct) {
    try {
      return construct.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw damaged(String.valueOf(e.getMessage()));
    }
  }

  QuiverException damaged(String problem) {
    return new QuiverException(
        "damaged "
            + document.description
            + " at "
            + (path.isEmpty() ? "the top level" : path)
            + ": "
            + problem);
  }

  private String describe() {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    String text = node.toString();
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
  }
}
