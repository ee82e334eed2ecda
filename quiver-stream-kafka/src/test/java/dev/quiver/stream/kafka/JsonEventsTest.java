package dev.quiver.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.online.StrictValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming decoder decides every record as the tree decoder it replaced did (kept here as the
 * reference): the same refusals with the same reasons, the same rows, except that an event time with
 * a time of day is its instant.
 */
class JsonEventsTest {
  private static final StreamSource SOURCE = new StreamSource("txns", "localhost:9092", "txns", StreamFormat.JSON, Map.of(),
      null, false, new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "ts", null,
      Map.of("uid", "user_id", "other", "user_id"), Metadata.EMPTY));
  private static final JsonEvents EVENTS = new JsonEvents(SOURCE, List.of("user_id"));

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"amount\": 1.5, \"tags\": [\"a\", null, 2]}",
      "{\"uid\": 1, \"ts\": \"2026-01-01 10:00:00.123456789\", \"n\": -0.0, \"big\": 1e400, \"b\": true, \"z\": null}",
      "{\"user_id\": 9223372036854775807, \"ts\": \"2026-01-01T10:00:00+02:00\"}",
      "{\"user_id\": -9223372036854775808, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": 123456789012345678901234567890}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [1, 123456789012345678901234567890]}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [1, [2]], \"y\": {\"a\": 1}}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"y\": {\"a\": [1, {\"b\": 2}]}, \"x\": [[1]]}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [[1]], \"x\": 2}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"a\": 1, \"b\": 2, \"a\": 3}",
      "{\"uid\": 1, \"other\": 2, \"uid\": 3, \"ts\": \"2026-01-01T10:00:00Z\"}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01\"}",
      "{\"user_id\": 1, \"ts\": \"yesterday\"}",
      "{\"user_id\": 1, \"ts\": 1767261600}",
      "{\"user_id\": null, \"ts\": \"2026-01-01T10:00:00Z\"}",
      "{\"ts\": \"2026-01-01T10:00:00Z\"}",
      "{\"user_id\": 1}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\"} trailing",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\"}}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [1, 2}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [[1]], \"y\": tru}",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": {\"a\": 1}, \"y\": }",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [1, 2]",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": [1,",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": {\"a\": 1",
      "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\",",
      "{\"user_id\": 1, 'ts': 2}",
      "{\"user_id\": 01, \"ts\": \"2026-01-01T10:00:00Z\"}",
      "{\"user_id\": NaN, \"ts\": \"2026-01-01T10:00:00Z\"}",
      "{}", "{", "}", "", "   ", "null", "17", "\"text\"", "[1, 2]", "[{\"user_id\": 1}]", "[1, 2", "not json at all",
      "{\"a\":1}{\"b\":2}"})
  void decidesAsTheTreeDecoderDid(String json) {
    byte[] value = json.getBytes(StandardCharsets.UTF_8);
    JsonEvents.Decoded want = TreeDecoder.decode(value);
    JsonEvents.Decoded got = EVENTS.decode(value);
    assertThat(got.refusal()).isEqualTo(want.refusal());
    assertThat(got.eventTime()).isEqualTo(want.eventTime());
    if (want.row() != null) {
      Map<String, Object> expected = new LinkedHashMap<>(want.row());
      if (expected.get("ts") instanceof String s && s.length() > 10) {
        expected.put("ts", want.eventTime());
      }
      assertThat(got.row()).containsExactlyEntriesOf(expected);
    }
  }

  @Test
  void anEventTimeWithATimeOfDayIsItsInstantAndADateAloneStaysText() {
    JsonEvents.Decoded timed = EVENTS.decode("{\"user_id\": 1, \"ts\": \"2026-01-01 10:00:00.1234567Z\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(timed.row().get("ts")).isEqualTo(Instant.parse("2026-01-01T10:00:00.123456Z"));
    JsonEvents.Decoded date = EVENTS.decode("{\"user_id\": 1, \"ts\": \"2026-01-01\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(date.row().get("ts")).isEqualTo("2026-01-01");
    assertThat(date.eventTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void numbersWithAFractionOrExponentAreTheDoublesTheJdkParses() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(19);
    int compared = 0;
    for (int i = 0; i < 20_000; i++) {
      String text = switch (i % 4) {
        case 0 -> Double.toString(Double.longBitsToDouble(r.nextLong()));
        case 1 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(-12, 12)));
        case 2 -> { // long digit strings: the rounding cases a fast parser can get wrong
          StringBuilder b = new StringBuilder(r.nextBoolean() ? "-" : "");
          b.append(r.nextInt(1, 10));
          for (int d = r.nextInt(0, 25); d > 0; d--) {
            b.append(r.nextInt(10));
          }
          b.append('.');
          for (int d = r.nextInt(1, 25); d > 0; d--) {
            b.append(r.nextInt(10));
          }
          yield b.append('e').append(r.nextInt(-330, 310)).toString();
        }
        default -> (r.nextInt(1000) - 500) + "." + r.nextInt(100);
      };
      if (text.contains("NaN") || text.contains("Infinity")) {
        continue;
      }
      JsonEvents.Decoded d = EVENTS.decode(("{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"x\": " + text + "}")
          .getBytes(StandardCharsets.UTF_8));
      assertThat(d.refusal()).as(text).isNull();
      assertThat(Double.doubleToRawLongBits((Double) d.row().get("x"))).as(text)
          .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
      compared++;
    }
    assertThat(compared).isGreaterThan(19_000);
  }

  /** The decoder as it was before it read token streams (Jackson's tree), as the reference. */
  private static final class TreeDecoder {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    static JsonEvents.Decoded decode(byte[] value) {
      JsonNode node;
      try {
        node = JSON.readTree(value);
      } catch (JsonProcessingException e) {
        return JsonEvents.Decoded.refused("not JSON: " + e.getOriginalMessage());
      } catch (java.io.IOException e) {
        return JsonEvents.Decoded.refused("not JSON: " + e.getMessage());
      }
      if (node == null || !node.isObject()) {
        String text = new String(value, StandardCharsets.UTF_8);
        return JsonEvents.Decoded.refused("not a JSON object: " + (text.length() > 60 ? text.substring(0, 60) + "…" : text));
      }
      Map<String, Object> row = new LinkedHashMap<>();
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        Object v;
        try {
          v = value(e.getValue());
        } catch (IllegalArgumentException bad) {
          return JsonEvents.Decoded.refused("field '" + e.getKey() + "' " + bad.getMessage());
        }
        row.put(SOURCE.fieldMapping().getOrDefault(e.getKey(), e.getKey()), v);
      }
      Object t = row.get("ts");
      if (t == null) {
        return JsonEvents.Decoded.refused("no event time: field 'ts' is missing or null");
      }
      Instant eventTime;
      try {
        eventTime = (Instant) StrictValues.parse(ScalarType.TIMESTAMP, t);
      } catch (IllegalArgumentException e) {
        return JsonEvents.Decoded.refused("event time 'ts' is " + StrictValues.describe(t) + ", not " + e.getMessage());
      }
      if (row.get("user_id") == null) {
        return JsonEvents.Decoded.refused("key '" + SOURCE.batch().rawColumn("user_id") + "' is missing or null");
      }
      return new JsonEvents.Decoded(row, eventTime, null);
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
}
