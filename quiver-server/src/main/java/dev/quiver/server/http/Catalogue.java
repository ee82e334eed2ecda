package dev.quiver.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The read-only catalogue under {@code /api/v1}: entities, sources, feature views, on-demand views,
 * features, feature services and registry versions, in the registry's own JSON form (docs/registry.md).
 * The JSON of a registry version is built once and reused until the next version. Thread-safe.
 *
 * <pre>
 * GET /api/v1/entities[/NAME]            GET /api/v1/sources[/NAME]
 * GET /api/v1/feature-views[/NAME]       GET /api/v1/on-demand-views[/NAME]      (every version of NAME)
 * GET /api/v1/feature-services[/NAME]    GET /api/v1/features                    (flattened, with view and version)
 * GET /api/v1/registry                   GET /api/v1/registry/versions
 * </pre>
 */
final class Catalogue {
  private record Encoded(long version, ObjectNode root) {}

  private final ObjectMapper mapper;
  private final AtomicReference<Encoded> cache = new AtomicReference<>();

  Catalogue(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The reply for {@code path} (after {@code /api/v1/}) against {@code snapshot}. */
  JsonNode get(String path, RegistrySnapshot snapshot, List<VersionInfo> log) {
    String[] parts = path.split("/", -1);
    if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
      throw notFound(path);
    }
    String name = parts.length == 2 ? parts[1] : null;
    ObjectNode root = encoded(snapshot);
    JsonNode defs = root.get("definitions");
    return switch (parts[0]) {
      case "entities" -> pick(defs, "entities", "entity", name);
      case "sources" -> pick(defs, "sources", "source", name);
      case "feature-views" -> pick(defs, "feature_views", "feature view", name);
      case "on-demand-views" -> pick(defs, "on_demand_views", "on-demand view", name);
      case "feature-services" -> pick(defs, "feature_services", "feature service", name);
      case "features" -> {
        if (name != null) {
          throw notFound(path);
        }
        yield features(defs);
      }
      case "registry" -> {
        if (name == null) {
          ObjectNode out = mapper.createObjectNode();
          out.put("project", defs.path("project").asText());
          out.set("version", root.get("info"));
          yield out;
        }
        if (!name.equals("versions")) {
          throw notFound(path);
        }
        ObjectNode out = mapper.createObjectNode();
        ArrayNode versions = out.putArray("versions");
        for (VersionInfo v : log) {
          ObjectNode n = versions.addObject();
          n.put("version", v.version());
          n.put("parent", v.parent());
          n.put("author", v.author());
          n.put("applied_at", v.appliedAt().toString());
          n.put("message", v.message());
          n.put("content_hash", v.contentHash());
        }
        yield out;
      }
      default -> throw notFound(path);
    };
  }

  private JsonNode pick(JsonNode defs, String field, String what, String name) {
    ObjectNode out = mapper.createObjectNode();
    ArrayNode items = out.putArray(field);
    for (JsonNode item : defs.path(field)) {
      if (name == null || name.equals(item.path("name").asText())) {
        items.add(item);
      }
    }
    if (name != null && items.isEmpty()) {
      throw new NotFoundException("no " + what + " named '" + name + "' in registry version " + cache.get().version());
    }
    return out;
  }

  private JsonNode features(JsonNode defs) {
    ObjectNode out = mapper.createObjectNode();
    ArrayNode items = out.putArray("features");
    for (String field : List.of("feature_views", "on_demand_views")) {
      for (JsonNode view : defs.path(field)) {
        for (JsonNode f : view.path("features")) {
          ObjectNode n = items.addObject();
          n.put("ref", view.path("name").asText() + "@v" + view.path("version").asText() + ":" + f.path("name").asText());
          n.put("view", view.path("name").asText());
          n.set("version", view.path("version"));
          n.set("owner", view.path("metadata").path("owner"));
          n.setAll((ObjectNode) f);
        }
      }
    }
    return out;
  }

  private ObjectNode encoded(RegistrySnapshot snapshot) {
    Encoded e = cache.get();
    if (e == null || e.version() != snapshot.info().version()) {
      try {
        e = new Encoded(snapshot.info().version(), (ObjectNode) mapper.readTree(RegistryCodec.encode(snapshot)));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      cache.set(e);
    }
    return e.root();
  }

  private static NotFoundException notFound(String path) {
    return new NotFoundException("no catalogue resource /api/v1/" + path + "; try entities, sources, feature-views,"
        + " on-demand-views, features, feature-services, registry or registry/versions");
  }
}
