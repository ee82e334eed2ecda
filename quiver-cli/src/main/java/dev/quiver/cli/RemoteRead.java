package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code quiver online} through the server that owns the online store: the request as {@code POST
 * /get-online-features} takes it (keys as text, which the server parses as strictly as the CLI
 * does; request data typed), and the answer back as an {@link OnlineResponse} typed by the
 * features' declared types, so the table prints exactly what a local read prints. Stateless.
 */
final class RemoteRead {
  private RemoteRead() {}

  /** The JSON request: {@code features} (or {@code feature_service}), {@code entities}, {@code request_context}. */
  static ObjectNode request(List<String> refs, String service, OnlineArgs args, boolean fullFeatureNames) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    if (service != null) {
      n.put("feature_service", service);
    } else {
      refs.forEach(n.putArray("features")::add);
    }
    ObjectNode entities = n.putObject("entities");
    args.entities().forEach((key, values) -> values.forEach(v -> entities.withArrayProperty(key).add(String.valueOf(v))));
    if (!args.requestData().isEmpty()) {
      ObjectNode context = n.putObject("request_context");
      args.requestData().forEach((field, values) -> {
        ArrayNode column = context.putArray(field);
        values.forEach(v -> add(column, v));
      });
    }
    n.put("full_feature_names", fullFeatureNames);
    return n;
  }

  private static void add(ArrayNode to, Object v) {
    switch (v) {
      case null -> to.addNull();
      case Double d -> to.add(d);
      case Float f -> to.add(f);
      case Long l -> to.add(l);
      case Integer i -> to.add(i);
      case Boolean b -> to.add(b);
      case Instant t -> to.add(t.toString());
      case byte[] b -> to.add(Base64.getEncoder().encodeToString(b));
      case List<?> list -> {
        ArrayNode items = to.addArray();
        list.forEach(item -> add(items, item));
      }
      default -> to.add(String.valueOf(v));
    }
  }

  /** Each requested feature's column name and declared type. */
  static Map<String, ValueType> types(Definitions defs, ClassLoader transforms, List<FeatureRef> refs, boolean fullFeatureNames) {
    Map<String, ValueType> types = new HashMap<>();
    for (FeatureResolver.Resolved r : DerivedFeatures.cached(defs, transforms).resolve(refs)) {
      ValueType type = switch (r) {
        case FeatureResolver.ViewFeature v -> v.feature().type();
        case FeatureResolver.OnDemandFeature o -> o.feature().type();
      };
      if (type != null) {
        types.put(r.outputName(fullFeatureNames), type);
      }
    }
    return types;
  }

  /**
   * The answer as a response: its first {@code keyColumns} columns are the entity keys, the others
   * features, whose JSON values are read back by their declared types.
   */
  static OnlineResponse response(JsonNode answer, int keyColumns, Map<String, ValueType> types) {
    JsonNode names = answer.path("metadata").path("feature_names");
    JsonNode results = answer.path("results");
    if (names.size() != results.size() || names.size() < keyColumns) {
      throw new QuiverException("the server's answer does not have the columns asked for: " + names);
    }
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    List<FeatureColumn> features = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      String name = names.get(c).asText();
      JsonNode column = results.get(c);
      ValueType type = types.get(name);
      List<Object> values = new ArrayList<>();
      column.path("values").forEach(v -> values.add(value(v, type)));
      if (c < keyColumns) {
        entities.put(name, values);
        continue;
      }
      List<FeatureStatus> statuses = new ArrayList<>();
      column.path("statuses").forEach(s -> statuses.add(FeatureStatus.valueOf(s.asText())));
      List<Instant> times = new ArrayList<>();
      column.path("event_timestamps").forEach(t -> times.add(Instant.parse(t.asText())));
      features.add(new FeatureColumn(name, null, type, values, statuses, times));
    }
    return new OnlineResponse(entities, features);
  }

  private static Object value(JsonNode v, ValueType type) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      ValueType element = type instanceof ListType l ? l.element() : null;
      List<Object> items = new ArrayList<>();
      v.forEach(item -> items.add(value(item, element)));
      return items;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    String text = v.asText();
    if (type == ScalarType.TIMESTAMP) {
      return Instant.parse(text);
    }
    if (type == ScalarType.FLOAT64 || type == ScalarType.FLOAT32) {
      return Double.parseDouble(text); // NaN and the infinities travel as strings
    }
    return text;
  }
}
