package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * An online response as the feature server's {@code /get-online-features} writes it (Feast's shape:
 * {@code metadata.feature_names}, then column-major {@code results}), value for value: keys and
 * features keep their types (an int64 key is a JSON number, a string key a string), bytes are
 * base64, timestamps ISO-8601 UTC, NaN and infinities the strings {@code "NaN"}, {@code
 * "Infinity"}, {@code "-Infinity"}.
 */
final class OnlineJson {
  /** The event time the server gives entity columns and values without one. */
  private static final String NO_TIME = "1970-01-01T00:00:00Z";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OnlineJson() {}

  static ObjectNode of(OnlineResponse response) {
    ObjectNode root = NODES.objectNode();
    ArrayNode names = root.putObject("metadata").putArray("feature_names");
    ArrayNode results = root.putArray("results");
    for (var e : response.entities().entrySet()) {
      names.add(e.getKey());
      ObjectNode r = results.addObject();
      ArrayNode values = r.putArray("values");
      ArrayNode statuses = r.putArray("statuses");
      ArrayNode times = r.putArray("event_timestamps");
      for (Object v : e.getValue()) {
        values.add(value(v));
        statuses.add(FeatureStatus.PRESENT.name());
        times.add(NO_TIME);
      }
    }
    for (FeatureColumn f : response.features()) {
      names.add(f.name());
      ObjectNode r = results.addObject();
      ArrayNode values = r.putArray("values");
      ArrayNode statuses = r.putArray("statuses");
      ArrayNode times = r.putArray("event_timestamps");
      for (int i = 0; i < f.values().size(); i++) {
        values.add(value(f.values().get(i)));
        statuses.add(f.statuses().get(i).name());
        Instant t = f.eventTimes().get(i);
        times.add(t == null ? NO_TIME : t.toString());
      }
    }
    return root;
  }

  /** One value, typed as the server writes it. */
  static JsonNode value(Object v) {
    return switch (v) {
      case null -> NODES.nullNode();
      case Long l -> NODES.numberNode(l);
      case Integer i -> NODES.numberNode(i);
      case Double d -> Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(d.toString());
      case Float f -> Float.isFinite(f) ? NODES.numberNode(f) : NODES.textNode(f.toString());
      case Boolean b -> NODES.booleanNode(b);
      case String s -> NODES.textNode(s);
      case byte[] b -> NODES.textNode(Base64.getEncoder().encodeToString(b));
      case Instant t -> NODES.textNode(t.toString());
      case List<?> list -> {
        ArrayNode a = NODES.arrayNode();
        list.forEach(item -> a.add(value(item)));
        yield a;
      }
      default -> NODES.textNode(v.toString());
    };
  }
}
