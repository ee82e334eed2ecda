package dev.quiver.stream.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.online.StrictValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes record values of a JSON stream source into rows keyed by the names definitions use (after
 * the source's field mapping), with JSON values as the HTTP push path gives them (strings, booleans,
 * {@code Long}, {@code Double}, lists). A record that is not a JSON object, or lacks its event time or
 * a key some view needs, is refused with the reason. Thread-safe.
 */
final class JsonEvents {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** A decoded record, or why it was refused (exactly one is non-null). */
  record Decoded(Map<String, Object> row, Instant eventTime, String refusal) {
    static Decoded refused(String why) {
      return new Decoded(null, null, why);
    }
  }

  private final StreamSource source;
  private final List<String> requiredKeys;

  /** @param requiredKeys the join keys every row must carry (of every online view over the source) */
  JsonEvents(StreamSource source, List<String> requiredKeys) {
    this.source = source;
    this.requiredKeys = List.copyOf(requiredKeys);
  }

  Decoded decode(byte[] value) {
    if (value == null) {
      return Decoded.refused("the record has no value (a tombstone)");
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      return Decoded.refused("not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      return Decoded.refused("not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      String text = new String(value, StandardCharsets.UTF_8);
      return Decoded.refused("not a JSON object: " + (text.length() > 60 ? text.substring(0, 60) + "…" : text));
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (var it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      Object v;
      try {
        v = value(e.getValue());
      } catch (IllegalArgumentException bad) {
        return Decoded.refused("field '" + e.getKey() + "' " + bad.getMessage());
      }
      row.put(source.fieldMapping().getOrDefault(e.getKey(), e.getKey()), v);
    }
    String ts = source.timestampColumn();
    Object t = row.get(ts);
    if (t == null) {
      return Decoded.refused("no event time: field '" + source.batch().rawColumn(ts) + "' is missing or null");
    }
    Instant eventTime;
    try {
      eventTime = (Instant) StrictValues.parse(ScalarType.TIMESTAMP, t);
    } catch (IllegalArgumentException e) {
      return Decoded.refused("event time '" + source.batch().rawColumn(ts) + "' is " + StrictValues.describe(t) + ", not "
          + e.getMessage());
    }
    for (String k : requiredKeys) {
      if (row.get(k) == null) {
        return Decoded.refused("key '" + source.batch().rawColumn(k) + "' is missing or null");
      }
    }
    return new Decoded(row, eventTime, null);
  }

  private static Object value(JsonNode v) {
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
        throw new IllegalArgumentException("holds " + v.asText() + ", which does not fit in 64 bits");
      }
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>(v.size());
      for (JsonNode e : v) {
        if (e.isArray() || e.isObject()) {
          throw new IllegalArgumentException("holds nested lists or objects; values are scalars or lists of scalars");
        }
        list.add(value(e));
      }
      return list;
    }
    throw new IllegalArgumentException("holds an object; values are scalars or lists of scalars");
  }
}
