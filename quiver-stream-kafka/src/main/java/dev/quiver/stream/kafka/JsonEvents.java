package dev.quiver.stream.kafka;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.model.StreamSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes record values of a JSON stream source into rows keyed by the names definitions use (after
 * the source's field mapping), with JSON values as the HTTP push path gives them (strings, booleans,
 * {@code Long}, {@code Double}, lists), except the event time, which is its {@link java.time.Instant} (parsed
 * once, here). Objects are read as a token stream, straight into the row. A record that is not a JSON
 * object, or lacks its event time or a key some view needs, is refused with the reason. Thread-safe.
 */
final class JsonEvents implements RecordDecoder {
  /**
   * Numbers with a fraction or exponent are parsed with Jackson's fast double parser (a correctly
   * rounded one, so the same doubles as {@link Double#parseDouble}, about a quarter of decoding's time
   * before; {@code JsonEventsTest} checks it on random numbers).
   */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private final StreamSource source;
  private final List<String> requiredKeys;

  /** @param requiredKeys the join keys every row must carry (of every online view over the source) */
  JsonEvents(StreamSource source, List<String> requiredKeys) {
    this.source = source;
    this.requiredKeys = List.copyOf(requiredKeys);
  }

  @Override
  public Decoded decode(byte[] value) {
    if (value == null) {
      return Decoded.refused("the record has no value (a tombstone)");
    }
    Map<String, Object> fields;
    try {
      fields = fields(value);
    } catch (JsonProcessingException e) {
      return Decoded.refused("not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      return Decoded.refused("not JSON: " + e.getMessage());
    }
    if (fields == null) {
      return tree(value);
    }
    if (source.fieldMapping().isEmpty() && !anyRefused(fields)) {
      return checked(fields); // the fields are the row
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (var e : fields.entrySet()) {
      if (e.getValue() instanceof Refusal bad) {
        return Decoded.refused("field '" + e.getKey() + "' " + bad.why());
      }
      row.put(source.fieldMapping().getOrDefault(e.getKey(), e.getKey()), e.getValue());
    }
    return checked(row);
  }

  /** A field whose value is not one a row can hold, and why. */
  private record Refusal(String why) {}

  private static boolean anyRefused(Map<String, Object> fields) {
    for (Object v : fields.values()) {
      if (v instanceof Refusal) {
        return true;
      }
    }
    return false;
  }

  /**
   * The fields of a JSON object, read as a token stream (no tree): by name in the order of first
   * appearance, a repeated name taking the last value (as Jackson's tree does), a value a row cannot
   * hold as a {@link Refusal}. Null when the value is not an object (left to {@link #tree}, whose
   * message says what it is).
   */
  private static Map<String, Object> fields(byte[] value) throws java.io.IOException {
    try (JsonParser p = JSON.createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        JsonToken t = p.nextToken();
        Object v;
        if (t == JsonToken.START_ARRAY) {
          v = list(p);
        } else if (t == JsonToken.START_OBJECT) {
          p.skipChildren();
          v = new Refusal("holds an object; values are scalars or lists of scalars");
        } else {
          v = scalar(p, t);
        }
        fields.put(name, v);
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        p.nextToken(); // reports what is wrong at the position reached
      }
      return fields;
    }
  }

  /** The list the parser is at the start of, or a {@link Refusal} (after reading past its end). */
  private static Object list(JsonParser p) throws java.io.IOException {
    List<Object> list = new ArrayList<>();
    Refusal refusal = null;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new JsonParseException(p, "Unexpected end-of-input: expected close marker for Array");
      }
      if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
        p.skipChildren();
        refusal = refusal != null ? refusal
            : new Refusal("holds nested lists or objects; values are scalars or lists of scalars");
        continue;
      }
      Object v = scalar(p, t);
      if (v instanceof Refusal r) {
        refusal = refusal != null ? refusal : r;
      }
      list.add(v);
    }
    return refusal != null ? refusal : list;
  }

  private static Object scalar(JsonParser p, JsonToken t) throws java.io.IOException {
    return switch (t) {
      case VALUE_NULL -> null;
      case VALUE_STRING -> p.getText();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          java.math.BigInteger big = p.getBigIntegerValue();
          yield big.bitLength() < 64 ? (Object) big.longValue()
              : new Refusal("holds " + big + ", which does not fit in 64 bits");
        }
        yield p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      default -> throw new JsonParseException(p, "unexpected " + t);
    };
  }

  /** The record decoded through Jackson's tree: for values that are not JSON objects, to say what they are. */
  private Decoded tree(byte[] value) {
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
    return checked(row);
  }

  private Decoded checked(Map<String, Object> row) {
    return RecordDecoder.checked(source, requiredKeys, row);
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
