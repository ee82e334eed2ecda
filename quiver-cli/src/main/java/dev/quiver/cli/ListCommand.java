package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver list}: discover what the registry holds, by name, tag and owner. */
@Command(name = "list", description = "List applied entities, sources, views, features or services; filter by name, tag, owner.")
final class ListCommand implements Callable<Integer> {
  enum Kind {
    entities,
    sources,
    views,
    features,
    services
  }

  @Parameters(paramLabel = "KIND", description = "entities, sources, views, features or services.")
  Kind kind;

  @Option(names = "--name", paramLabel = "TEXT", description = "Names containing TEXT, or matching a glob (user_*).")
  String name;

  @Option(names = "--tag", paramLabel = "KEY[=VALUE]", description = "Only items (for features: views) with this tag; repeatable.")
  List<String> tags = new ArrayList<>();

  @Option(names = "--owner", paramLabel = "OWNER", description = "Only items (for features: views) owned by OWNER.")
  String owner;

  @Mixin RegistryVersionOption registryVersion;

  @Mixin RepoOption repo;
  @Mixin OutputOption output;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Definitions d = Catalog.snapshot(r, registryVersion.version).definitions();
      JsonNode all = RegistryCodec.toJson(d);
      ArrayNode json = Json.MAPPER.createArrayNode();
      Table table;
      switch (kind) {
        case entities -> {
          table = new Table("ENTITY", "JOIN KEYS", "OWNER", "DESCRIPTION");
          for (Entity e : d.entities()) {
            if (keep(e.name(), e.metadata())) {
              table.add(e.name(), Catalog.joinKeys(e), e.metadata().owner(), e.metadata().description());
              json.add(pick(all, "entities", e.name(), 0));
            }
          }
        }
        case sources -> {
          table = new Table("SOURCE", "TIMESTAMP", "OWNER", "DESCRIPTION");
          for (Source s : d.sources()) {
            if (keep(s.name(), s.metadata())) {
              table.add(s.name(), s.timestampColumn(), s.metadata().owner(), s.metadata().description());
              json.add(pick(all, "sources", s.name(), 0));
            }
          }
        }
        case views -> {
          table = new Table("VIEW", "KIND", "ENTITIES", "FEATURES", "ONLINE", "OWNER", "TAGS");
          for (FeatureView v : d.views()) {
            if (keep(v.name(), v.metadata())) {
              table.add(v.qualifiedName(), "feature view", String.join(",", v.entities()),
                  String.valueOf(v.features().size()), String.valueOf(v.online()), v.metadata().owner(), Catalog.tags(v.metadata()));
              json.add(pick(all, "feature_views", v.name(), v.version()));
            }
          }
          for (OnDemandView o : d.onDemandViews()) {
            if (keep(o.name(), o.metadata())) {
              table.add(o.qualifiedName(), "on-demand", String.join(",", o.inputs()),
                  String.valueOf(o.features().size()), "true", o.metadata().owner(), Catalog.tags(o.metadata()));
              json.add(pick(all, "on_demand_views", o.name(), o.version()));
            }
          }
        }
        case features -> {
          table = new Table("FEATURE", "TYPE", "KIND", "DEFINITION", "OWNER", "TAGS");
          for (Catalog.FeatureRow f : Catalog.features(d)) {
            boolean nameOk = Catalog.nameMatches(name, f.ref().feature()) || Catalog.nameMatches(name, f.ref().toString());
            if (nameOk && Catalog.metadataMatches(f.viewMetadata(), tags, owner)) {
              table.add(f.ref().toString(), f.type(), f.kind(), f.definition(), f.viewMetadata().owner(), Catalog.tags(f.viewMetadata()));
              json.add(featureJson(f));
            }
          }
        }
        case services -> {
          table = new Table("SERVICE", "FEATURES", "OWNER", "DESCRIPTION");
          for (FeatureService s : d.services()) {
            if (keep(s.name(), s.metadata())) {
              table.add(s.qualifiedName(), String.valueOf(s.features().size()), s.metadata().owner(), s.metadata().description());
              json.add(pick(all, "feature_services", s.name(), s.version()));
            }
          }
        }
        default -> throw new IllegalStateException(kind.name());
      }
      if (output.json()) {
        Json.print(json, out);
      } else {
        table.print(out);
      }
      return 0;
    }
  }

  private boolean keep(String itemName, Metadata m) {
    return Catalog.nameMatches(name, itemName) && Catalog.metadataMatches(m, tags, owner);
  }

  static JsonNode pick(JsonNode all, String section, String itemName, int version) {
    for (JsonNode n : all.path(section)) {
      if (n.path("name").asText().equals(itemName) && (version == 0 || n.path("version").asInt() == version)) {
        return n;
      }
    }
    throw new IllegalStateException(section + " has no " + itemName);
  }

  static ObjectNode featureJson(Catalog.FeatureRow f) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("ref", f.ref().toString());
    n.put("view", f.ref().view());
    n.put("version", f.ref().version());
    n.put("feature", f.ref().feature());
    n.put("kind", f.kind());
    n.put("type", f.type());
    n.put("definition", f.definition());
    if (f.feature() instanceof dev.quiver.core.model.AggregateFeature a) {
      n.set("aggregation", Catalog.aggregationJson(a.aggregation()));
    }
    n.put("description", f.description());
    n.put("owner", f.viewMetadata().owner());
    ObjectNode t = n.putObject("tags");
    f.viewMetadata().tags().forEach(t::put);
    return n;
  }
}
