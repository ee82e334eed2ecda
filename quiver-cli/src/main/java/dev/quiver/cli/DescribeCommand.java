package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver describe NAME}: one definition in full, with what reads it. */
@Command(name = "describe", description = "Show one entity, source, view, feature (view:feature), service or permission in full, with its consumers.")
final class DescribeCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME", description = "A name, name@vN, or view:feature.")
  String name;

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
      if (name.contains(":")) {
        describeFeature(d, out);
        return 0;
      }
      Optional<dev.quiver.core.security.Permission> permission = d.permission(name); // names may hold '-'
      if (permission.isPresent()) {
        dev.quiver.core.security.Permission p = permission.get();
        JsonNode json = ListCommand.pick(all, "permissions", p.name(), 0);
        if (!output.json()) {
          out.printf("permission %s%n  roles: %s%n  actions: %s%n  kinds: %s%n  names: %s%n  tags: %s%n  description: %s%n",
              p.name(), String.join(", ", p.roles()),
              String.join(", ", p.actions().stream().map(dev.quiver.core.security.Action::wireName).toList()),
              p.kinds().isEmpty() ? "all" : String.join(", ", p.kinds().stream().map(dev.quiver.core.security.Permission::spelling).toList()),
              p.names().isEmpty() ? "all" : String.join(", ", p.names()),
              p.tags().isEmpty() ? "none" : p.tags().toString(), p.description());
        }
        if (output.json()) {
          Json.print(json, out);
        }
        out.flush();
        return 0;
      }
      VersionedName parsed = VersionedName.parse(name).orElseThrow(() ->
          new NotFoundException("'" + name + "' is not a name; give NAME, NAME@vN or view:feature"));
      String n = parsed.name();
      int version = parsed.version();
      Optional<FeatureView> view = d.view(n, version);
      Optional<OnDemandView> odv = d.onDemandView(n, version);
      Optional<FeatureService> service = d.service(n, version);
      Optional<Entity> entity = d.entity(n);
      Optional<Source> source = d.source(n);
      JsonNode json;
      if (view.isPresent()) {
        FeatureView v = view.get();
        json = withConsumers(withEffectiveHops(ListCommand.pick(all, "feature_views", v.name(), v.version()), v),
            Catalog.consumers(d, v.name(), v.version(), null));
        if (!output.json()) {
          out.printf("feature view %s%n  entities: %s%n  source: %s%n  ttl: %s%n  online: %s%n  owner: %s%n  description: %s%n  tags: %s%n  features:%n",
              v.qualifiedName(), String.join(", ", v.entities()), v.source(), v.ttl() == null ? "none" : Durations.format(v.ttl()),
              v.online(), v.metadata().owner(), v.metadata().description(), Catalog.tags(v.metadata()));
          for (var f : v.features()) {
            out.printf("    %-28s %-10s %s%n", f.name(), f.type() == null ? "?" : f.type().spelling(), Catalog.definition(f));
          }
          if (!v.rules().isEmpty()) {
            out.printf("  validation:%n");
            for (var rule : v.rules()) {
              out.printf("    %-28s %-32s on_fail: %s%n", rule.feature() == null ? "(view)" : rule.feature(),
                  rule.kind() + "(" + rule.argument() + ")", rule.onFail().spelling());
            }
          }
          out.printf("  read by: %s%n", String.join(", ", orNone(Catalog.consumers(d, v.name(), v.version(), null))));
          out.printf("  versions: %s%n", String.join(", ", d.views().stream().filter(x -> x.name().equals(v.name())).map(FeatureView::qualifiedName).toList()));
        }
      } else if (odv.isPresent()) {
        OnDemandView o = odv.get();
        json = withConsumers(ListCommand.pick(all, "on_demand_views", o.name(), o.version()), Catalog.consumers(d, o.name(), o.version(), null));
        if (!output.json()) {
          out.printf("on-demand view %s%n  inputs: %s%n  request: %s%n  owner: %s%n  features:%n", o.qualifiedName(),
              o.inputs().isEmpty() ? "none (request data alone)" : String.join(", ", o.inputs()),
              o.requestFields().isEmpty() ? "none"
                  : String.join(", ", o.requestFields().stream().map(f -> f.name() + " " + f.type().spelling()).toList()),
              o.metadata().owner());
          for (var f : o.features()) {
            out.printf("    %-28s %-10s %s%n", f.name(), f.type() == null ? "?" : f.type().spelling(), f.expression());
          }
          out.printf("  read by: %s%n", String.join(", ", orNone(Catalog.consumers(d, o.name(), o.version(), null))));
        }
      } else if (service.isPresent()) {
        FeatureService s = service.get();
        json = ListCommand.pick(all, "feature_services", s.name(), s.version());
        if (!output.json()) {
          out.printf("feature service %s%n  owner: %s%n  description: %s%n  features:%n", s.qualifiedName(), s.metadata().owner(), s.metadata().description());
          s.features().forEach(f -> out.printf("    %s%s%n", f,
              f.pinned() ? "" : "  (reads " + f.view() + "@v" + dev.quiver.core.model.FeatureResolver.versionRead(d, f) + ", the newest)"));
          out.printf("  logging: %s%n", s.logging() == null ? "off"
              : "sample_rate " + s.logging().sampleRate() + " (the server's feature_logging says where; docs/monitoring.md)");
        }
      } else if (entity.isPresent()) {
        Entity e = entity.get();
        List<String> used = d.views().stream().filter(v -> v.entities().contains(e.name())).map(FeatureView::qualifiedName).toList();
        ObjectNode j = ListCommand.pick(all, "entities", e.name(), 0).deepCopy();
        used.forEach(j.putArray("used_by")::add);
        json = j;
        if (!output.json()) {
          out.printf("entity %s%n  join keys: %s%n  owner: %s%n  description: %s%n  used by: %s%n", e.name(), Catalog.joinKeys(e),
              e.metadata().owner(), e.metadata().description(), String.join(", ", orNone(used)));
        }
      } else if (source.isPresent()) {
        Source s = source.get();
        List<String> used = d.views().stream().filter(v -> v.source().equals(s.name())).map(FeatureView::qualifiedName).toList();
        ObjectNode j = ListCommand.pick(all, "sources", s.name(), 0).deepCopy();
        used.forEach(j.putArray("used_by")::add);
        json = j;
        if (!output.json()) {
          printSource(s, used, out);
        }
      } else {
        List<String> known = new ArrayList<>();
        d.permissions().forEach(v -> known.add(v.name()));
        d.views().forEach(v -> known.add(v.name()));
        d.onDemandViews().forEach(v -> known.add(v.name()));
        d.services().forEach(v -> known.add(v.name()));
        d.entities().forEach(v -> known.add(v.name()));
        d.sources().forEach(v -> known.add(v.name()));
        throw new NotFoundException("nothing named '" + name + "' is in the registry" + Names.didYouMean(n, known));
      }
      if (output.json()) {
        Json.print(json, out);
      }
      out.flush();
      return 0;
    }
  }

  private void describeFeature(Definitions d, PrintWriter out) {
    FeatureRef ref = FeatureRef.parse(name).orElseThrow(() ->
        new NotFoundException("'" + name + "' is not a feature ref; write view:feature or view@v2:feature"));
    for (Catalog.FeatureRow f : Catalog.features(d)) {
      int latest = d.view(ref.view(), 0).map(FeatureView::version)
          .or(() -> d.onDemandView(ref.view(), 0).map(OnDemandView::version)).orElse(0);
      int wanted = ref.pinned() ? ref.version() : latest;
      if (f.ref().view().equals(ref.view()) && f.ref().version() == wanted && f.ref().feature().equals(ref.feature())) {
        List<String> consumers = Catalog.consumers(d, ref.view(), wanted, ref.feature());
        if (output.json()) {
          ObjectNode j = ListCommand.featureJson(f);
          consumers.forEach(j.putArray("read_by")::add);
          Json.print(j, out);
        } else {
          out.printf("feature %s%n  type: %s%n  kind: %s%n  definition: %s%n  description: %s%n  owner: %s%n  tags: %s%n  read by: %s%n",
              f.ref(), f.type(), f.kind(), f.definition(), f.description(), f.viewMetadata().owner(),
              Catalog.tags(f.viewMetadata()), String.join(", ", orNone(consumers)));
        }
        return;
      }
    }
    List<String> known = Catalog.features(d).stream().map(f -> f.ref().view() + ":" + f.ref().feature()).toList();
    throw new NotFoundException("no feature " + ref + " in the registry" + Names.didYouMean(ref.view() + ":" + ref.feature(), known));
  }

  private static void printSource(Source source, List<String> usedBy, PrintWriter out) {
    switch (source) {
      case FileSource f -> {
        if (f.isIceberg()) {
          out.printf("source %s%n  kind: iceberg table%n  table: %s%n  catalog: %s%n", f.name(), f.table().iceberg().table(),
              String.join(", ", f.table().iceberg().catalog().entrySet().stream().map(e -> e.getKey() + "="
                  + (e.getValue().startsWith("${") || !e.getKey().toLowerCase(java.util.Locale.ROOT).matches(".*(token|secret|password|credential).*")
                      ? e.getValue() : "(hidden)")).toList()));
        } else {
          out.printf("source %s%n  kind: file%n  path: %s%n  format: %s%n", f.name(), f.path(), f.format().spelling());
        }
        out.printf("  timestamp: %s%n  created: %s%n  field mapping: %s%n",
            f.timestampColumn(), f.createdColumn() == null ? "none" : f.createdColumn(),
            f.fieldMapping().isEmpty() ? "none" : String.join(", ", f.fieldMapping().entrySet().stream()
                .map(e -> e.getKey() + " -> " + e.getValue()).toList()));
        printTableSettings(f, out);
        out.printf("  owner: %s%n  description: %s%n  tags: %s%n  used by: %s%n", f.metadata().owner(), f.metadata().description(),
            Catalog.tags(f.metadata()), String.join(", ", orNone(usedBy)));
      }
      case StreamSource st -> {
        out.printf("source %s%n  kind: kafka%n  brokers: %s%n  topic: %s%n  format: %s%n  consumer group: %s%n"
            + "  append to batch: %s%n  batch: %s (%s)%n", st.name(), st.brokers(), st.topic(), st.format().spelling(),
            st.groupId() == null ? "default (quiver.<project>." + st.name() + ")" : st.groupId(), st.appendToBatch(),
            st.batch().path(), st.batch().format().spelling());
        if (st.avro() != null) { // the password is a reference (${ENV}); it is not shown either
          out.printf(st.avro().usesRegistry() ? "  schema registry: %s%s%n" : "  schema: %s%s%n",
              st.avro().usesRegistry() ? st.avro().schemaRegistry() : st.avro().inlineSchema() ? "(inline)" : st.avro().schema(),
              st.avro().username() == null ? "" : " (basic auth as " + st.avro().username() + ")");
        }
        out.printf("  timestamp: %s%n  created: %s%n  field mapping: %s%n", st.timestampColumn(),
            st.createdColumn() == null ? "none" : st.createdColumn(), st.fieldMapping().isEmpty() ? "none"
                : String.join(", ", st.fieldMapping().entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).toList()));
        out.printf("  consumer properties: %s%n", st.consumerProperties().isEmpty() ? "none"
            : String.join(", ", st.consumerProperties().keySet()));
        out.printf("  owner: %s%n  description: %s%n  tags: %s%n  used by: %s%n", st.metadata().owner(),
            st.metadata().description(), Catalog.tags(st.metadata()), String.join(", ", orNone(usedBy)));
      }
    }
  }

  /** What a source says beyond a file glob: partitioning, time format, declared columns. */
  private static void printTableSettings(FileSource f, PrintWriter out) {
    var t = f.table();
    if (t.timestampFormat().kind() != dev.quiver.core.model.TimestampFormat.Kind.TIMESTAMP) {
      out.printf("  timestamp format: %s%n", t.timestampFormat().spelling());
    }
    if (t.partitioning() != dev.quiver.core.model.Partitioning.AUTO) {
      out.printf("  partitioning: %s%s%n", t.partitioning().spelling(), t.partitionTypes().isEmpty() ? ""
          : " (" + String.join(", ", t.partitionTypes().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().spelling())
              .toList()) + ")");
    }
    if (!t.schema().isEmpty()) {
      out.printf("  schema (declared, not checked against data here): %s%n", String.join(", ", t.schema().entrySet().stream()
          .map(e -> e.getKey() + ": " + e.getValue().spelling()).toList()));
    }
  }

  /** The view's JSON with each aggregate's effective hop in place of a null (the default). */
  private static JsonNode withEffectiveHops(JsonNode view, FeatureView v) {
    ObjectNode j = view.deepCopy();
    for (JsonNode f : j.path("features")) {
      if (f.path("aggregation") instanceof ObjectNode a && a.path("hop").isNull()) {
        v.feature(f.path("name").asText()).ifPresent(feature -> {
          if (feature instanceof dev.quiver.core.model.AggregateFeature agg) {
            a.put("hop", Durations.format(agg.aggregation().effectiveHop()));
          }
        });
      }
    }
    return j;
  }

  private static JsonNode withConsumers(JsonNode node, List<String> consumers) {
    ObjectNode j = node.deepCopy();
    consumers.forEach(j.putArray("read_by")::add);
    return j;
  }

  private static List<String> orNone(List<String> items) {
    return items.isEmpty() ? List.of("nothing") : items;
  }
}
