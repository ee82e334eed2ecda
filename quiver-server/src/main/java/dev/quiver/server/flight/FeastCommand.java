package dev.quiver.server.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The command a Feast client puts in a Flight descriptor: JSON with {@code api} (the offline store
 * method, e.g. {@code get_historical_features}) and that method's parameters.
 *
 * @param api the method name
 * @param json the whole command, for the method's parameters
 */
record FeastCommand(String api, JsonNode json) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static FeastCommand parse(byte[] command) {
    JsonNode node;
    try {
      node = JSON.readTree(new String(command, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidRequestException("the Flight command is not JSON (Feast's remote offline store sends"
          + " {\"api\": ..., ...}): " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject() || !node.path("api").isTextual()) {
      throw new InvalidRequestException("the Flight command has no \"api\" (Feast's remote offline store sends"
          + " {\"api\": \"get_historical_features\", ...})");
    }
    return new FeastCommand(node.get("api").asText(), node);
  }

  /** A text parameter, or null when absent or JSON null. */
  String text(String name) {
    JsonNode n = json.get(name);
    return n == null || n.isNull() ? null : n.asText();
  }

  boolean flag(String name) {
    return json.path(name).asBoolean(false);
  }

  /** A list of texts (JSON nulls kept as null); empty when absent. */
  List<String> texts(String name) {
    JsonNode n = json.get(name);
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw new InvalidRequestException("\"" + name + "\" in the Flight command must be a list, not " + n);
    }
    n.forEach(e -> out.add(e.isNull() ? null : e.asText()));
    return out;
  }

  /** A required list, refused with a message naming it when absent. */
  List<String> required(String name) {
    if (!json.has(name)) {
      throw new InvalidRequestException("the " + api + " command has no \"" + name + "\"; Feast's client sends it");
    }
    return texts(name);
  }
}
