package dev.quiver.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feast's HTTP JSON shapes: the {@code /get-online-features} response, and the column maps requests
 * carry ({@code entities}, {@code request_context}, {@code df}); {@link FeastRequests} reads the
 * requests around them. Every value is checked for its JSON type and a wrong one is an {@link
 * InvalidRequestException} naming the field. Stateless.
 */
final class FeastJson {
  /** Feast reports entity key columns with this event time. */
  private static final String NO_TIME = "1970-01-01T00:00:00Z";
  private static final SerializedString NO_TIME_JSON = new SerializedString(NO_TIME);
  /** Each status's JSON string, encoded once. */
  private static final SerializedString[] STATUS_JSON = java.util.Arrays.stream(FeatureStatus.values())
      .map(st -> new SerializedString(st.name())).toArray(SerializedString[]::new);

  private FeastJson() {}

  /** A column map {@code {"name": [v1, v2]}} as Java values, every column of the same length. */
  static Map<String, List<Object>> columns(JsonNode node, String field) {
    ObjectNode obj = object(node, "'" + field + "'");
    Map<String, List<Object>> out = new LinkedHashMap<>();
    int rows = -1;
    String first = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode col = e.getValue();
      if (!col.isArray()) {
        throw new InvalidRequestException("'" + field + "." + e.getKey() + "' must be a list of values (column-major),"
            + " got " + kind(col));
      }
      if (rows >= 0 && col.size() != rows) {
        throw new InvalidRequestException("columns of '" + field + "' have different lengths: '" + first + "' has "
            + rows + " values, '" + e.getKey() + "' has " + col.size());
      }
      if (rows < 0) {
        rows = col.size();
        first = e.getKey();
      }
      List<Object> values = new ArrayList<>(col.size());
      for (JsonNode v : col) {
        values.add(value(v, field + "." + e.getKey()));
      }
      out.put(e.getKey(), values);
    }
    return out;
  }

  private static Object value(JsonNode v, String where) {
    if (v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) {
        throw new InvalidRequestException("'" + where + "' holds " + v.asText() + ", which does not fit in 64 bits");
      }
      return v.longValue();
    }
    if (v.isNumber()) {
      double d = v.doubleValue();
      if (Double.isInfinite(d)) { // JSON has no infinity: 1e400 overflowed
        throw new InvalidRequestException("'" + where + "' holds a number out of the range of a 64-bit float (about ±1.8e308);"
            + " send \"Infinity\" or \"-Infinity\" for an infinite value");
      }
      return d;
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>(v.size());
      for (JsonNode e : v) {
        if (e.isArray() || e.isObject()) {
          throw new InvalidRequestException("'" + where + "' holds nested lists or objects; values are scalars or lists of scalars");
        }
        list.add(value(e, where));
      }
      return list;
    }
    throw new InvalidRequestException("'" + where + "' holds an object; values are scalars or lists of scalars");
  }

  static ObjectNode object(JsonNode node, String what) {
    if (node instanceof ObjectNode o) {
      return o;
    }
    throw new InvalidRequestException(what + " must be a JSON object, got " + kind(node));
  }

  static String kind(JsonNode n) {
    return n == null ? "nothing" : switch (n.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case BINARY -> "binary";
    };
  }

  // Field names and feature names pre-encoded: Jackson then copies bytes instead of escaping char by char.
  private static final SerializedString METADATA = new SerializedString("metadata");
  private static final SerializedString FEATURE_NAMES = new SerializedString("feature_names");
  private static final SerializedString FEATURE_VIEW_METADATA = new SerializedString("feature_view_metadata");
  private static final SerializedString RESULTS = new SerializedString("results");
  private static final SerializedString VALUES = new SerializedString("values");
  private static final SerializedString STATUSES = new SerializedString("statuses");
  private static final SerializedString EVENT_TIMESTAMPS = new SerializedString("event_timestamps");
  private static final java.util.concurrent.ConcurrentHashMap<String, SerializedString> NAMES =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_NAMES = 100_000;

  private static SerializedString name(String name) {
    SerializedString s = NAMES.get(name);
    if (s == null) {
      s = new SerializedString(name);
      if (NAMES.size() < MAX_NAMES) {
        NAMES.put(name, s);
      }
    }
    return s;
  }

  /**
   * Writes Feast's response: entity columns first (PRESENT, time 0), then each feature column; with
   * {@code viewMetadata}, {@code metadata.feature_view_metadata} names each view read and its version.
   */
  static void writeResponse(OnlineResponse response, boolean viewMetadata, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeFieldName(METADATA);
    g.writeStartObject();
    g.writeFieldName(FEATURE_NAMES);
    g.writeStartArray();
    for (String k : response.entities().keySet()) {
      g.writeString(name(k));
    }
    for (FeatureColumn f : response.features()) {
      g.writeString(name(f.name()));
    }
    g.writeEndArray();
    if (viewMetadata) {
      g.writeFieldName(FEATURE_VIEW_METADATA);
      g.writeStartArray();
      for (VersionedName v : response.viewsRead()) {
        g.writeStartObject();
        g.writeStringField("name", v.name());
        g.writeNumberField("version", v.version());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeFieldName(RESULTS);
    g.writeStartArray();
    for (List<Object> keys : response.entities().values()) {
      g.writeStartObject();
      g.writeFieldName(VALUES);
      g.writeStartArray();
      for (Object v : keys) {
        writeValue(g, v);
      }
      g.writeEndArray();
      g.writeFieldName(STATUSES);
      g.writeStartArray();
      for (int i = 0; i < keys.size(); i++) {
        g.writeString(STATUS_JSON[FeatureStatus.PRESENT.ordinal()]);
      }
      g.writeEndArray();
      g.writeFieldName(EVENT_TIMESTAMPS);
      g.writeStartArray();
      for (int i = 0; i < keys.size(); i++) {
        g.writeString(NO_TIME_JSON);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    // Every feature of a view shares its row's event time: format each distinct time once.
    Map<Instant, SerializedString> times = new java.util.HashMap<>();
    // index loops: the lists are random access, and iterators here were a tenth of the allocation
    List<FeatureColumn> features = response.features();
    for (int c = 0; c < features.size(); c++) {
      FeatureColumn f = features.get(c);
      g.writeStartObject();
      g.writeFieldName(VALUES);
      g.writeStartArray();
      List<Object> values = f.values();
      for (int i = 0; i < values.size(); i++) {
        writeValue(g, values.get(i));
      }
      g.writeEndArray();
      g.writeFieldName(STATUSES);
      g.writeStartArray();
      List<FeatureStatus> statuses = f.statuses();
      for (int i = 0; i < statuses.size(); i++) {
        g.writeString(STATUS_JSON[statuses.get(i).ordinal()]);
      }
      g.writeEndArray();
      g.writeFieldName(EVENT_TIMESTAMPS);
      g.writeStartArray();
      List<Instant> eventTimes = f.eventTimes();
      for (int i = 0; i < eventTimes.size(); i++) {
        Instant t = eventTimes.get(i);
        g.writeString(t == null ? NO_TIME_JSON : times.computeIfAbsent(t, x -> new SerializedString(x.toString())));
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * One value as JSON: numbers, strings, booleans, lists; bytes as base64; timestamps as ISO-8601
   * UTC; NaN and infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
   */
  static void writeValue(JsonGenerator g, Object v) throws IOException {
    switch (v) {
      case null -> g.writeNull();
      case Long l -> g.writeNumber(l);
      case Integer i -> g.writeNumber(i);
      case Double d -> {
        if (Double.isFinite(d)) {
          g.writeNumber(d);
        } else {
          g.writeString(d.toString());
        }
      }
      case Float f -> {
        if (Float.isFinite(f)) {
          g.writeNumber(f);
        } else {
          g.writeString(f.toString());
        }
      }
      case Boolean b -> g.writeBoolean(b);
      case String s -> g.writeString(s);
      case byte[] b -> g.writeString(Base64.getEncoder().encodeToString(b));
      case Instant t -> g.writeString(t.toString());
      case List<?> list -> {
        g.writeStartArray();
        for (Object e : list) {
          writeValue(g, e);
        }
        g.writeEndArray();
      }
      default -> g.writeString(v.toString());
    }
  }
}
