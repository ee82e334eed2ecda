package dev.quiver.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.security.Resource;
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
 * GET /api/v1/permissions[/NAME]
 * </pre>
 *
 * <p>Lists hold only what the caller may {@code describe}; one named item the caller may not
 * describe, the registry's versions and the permissions are denied ({@link Access}).
 */
final class Catalogue {
  /** The sections under {@code /api/v1/}; each but {@code features} also answers {@code /NAME}. */
  static final List<String> SECTIONS = List.of("entities", "sources", "feature-views", "on-demand-views",
      "feature-services", "features", "permissions", "registry");

  private record Encoded(long version, ObjectNode root) {}

  private final ObjectMapper mapper;
  private final AtomicReference<Encoded> cache = new AtomicReference<>();

  Catalogue(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** What the caller may see: {@code describe} decided per definition. */
  interface Access {
    /** Whether the caller may describe it (lists keep only those). */
    boolean visible(Resource r);

    /** Throws {@link dev.quiver.core.security.AccessDeniedException} when the caller may not describe it. */
    void require(Resource r);

    /** Everything is visible. */
    Access ALL = new Access() {
      @Override
      public boolean visible(Resource r) {
        return true;
      }

      @Override
      public void require(Resource r) {}
    };
  }

  /** The reply for {@code path} (after {@code /api/v1/}) against {@code snapshot}, for everyone. */
  JsonNode get(String path, RegistrySnapshot snapshot, List<VersionInfo> log) {
    return get(path, snapshot, log, Access.ALL);
  }

  /** The reply for {@code path} (after {@code /api/v1/}) against {@code snapshot}, as {@code access} lets the caller see it. */
  JsonNode get(String path, RegistrySnapshot snapshot, List<VersionInfo> log, Access access) {
    String[] parts = path.split("/", -1);
    if (parts.length > 2 || !SECTIONS.contains(parts[0]) || (parts.length == 2 && parts[1].isEmpty())) {
      throw notFound(path);
    }
    String name = parts.length == 2 ? parts[1] : null;
    ObjectNode root = encoded(snapshot);
    JsonNode defs = root.get("definitions");
    return switch (parts[0]) {
      case "entities" -> pick(defs, "entities", "entity", name, Resource.Kind.ENTITY, access);
      case "sources" -> pick(defs, "sources", "source", name, Resource.Kind.SOURCE, access);
      case "feature-views" -> pick(defs, "feature_views", "feature view", name, Resource.Kind.FEATURE_VIEW, access);
      case "on-demand-views" -> pick(defs, "on_demand_views", "on-demand view", name, Resource.Kind.ON_DEMAND_VIEW, access);
      case "feature-services" -> pick(defs, "feature_services", "feature service", name, Resource.Kind.FEATURE_SERVICE, access);
      case "features" -> {
        if (name != null) {
          throw notFound(path);
        }
        yield features(defs, access);
      }
      case "permissions" -> {
        access.require(Resource.REGISTRY_ROOT);
        yield pick(defs, "permissions", "permission", name, Resource.Kind.REGISTRY, Access.ALL);
      }
      case "registry" -> {
        access.require(Resource.REGISTRY_ROOT);
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

  private JsonNode pick(JsonNode defs, String field, String what, String name, Resource.Kind kind, Access access) {
    ObjectNode out = mapper.createObjectNode();
    ArrayNode items = out.putArray(field);
    for (JsonNode item : defs.path(field)) {
      if (name != null && name.equals(item.path("name").asText())) {
        access.require(resource(kind, item));
        items.add(item);
      } else if (name == null && access.visible(resource(kind, item))) {
        items.add(item);
      }
    }
    if (name != null && items.isEmpty()) {
      throw new NotFoundException("no " + what + " named '" + name + "' in registry version " + cache.get().version());
    }
    return out;
  }

  /** A definition's JSON as the resource permissions see: its kind, name and tags. */
  private static Resource resource(Resource.Kind kind, JsonNode item) {
    java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
    item.path("metadata").path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
    return new Resource(kind, item.path("name").asText(), tags);
  }

  private JsonNode features(JsonNode defs, Access access) {
    ObjectNode out = mapper.createObjectNode();
    ArrayNode items = out.putArray("features");
    for (String field : List.of("feature_views", "on_demand_views")) {
      Resource.Kind kind = field.equals("feature_views") ? Resource.Kind.FEATURE_VIEW : Resource.Kind.ON_DEMAND_VIEW;
      for (JsonNode view : defs.path(field)) {
        if (!access.visible(resource(kind, view))) {
          continue;
        }
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
        + " on-demand-views, features, feature-services, permissions, registry or registry/versions");
  }
}
