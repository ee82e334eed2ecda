package dev.quiver.core.registry;

import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import java.util.Set;

/** Reads a snapshot's feature services (with their logging) and permissions. */
final class SnapshotServices {
  private SnapshotServices() {}

  static FeatureService service(JsonAt at) {
    at.allowOnly("name", "version", "features", "metadata", "logging");
    return at.build(
        () ->
            new FeatureService(
                at.field("name").text(),
                at.field("version").intValue(),
                at.field("features").list(SnapshotReader::ref),
                SnapshotReader.metadata(at.field("metadata")),
                at.node().hasNonNull("logging") ? logging(at.field("logging")) : null));
  }

  private static FeatureLogging logging(JsonAt at) {
    at.allowOnly("sample_rate");
    return at.build(() -> new FeatureLogging(at.field("sample_rate").doubleValue()));
  }

  static Permission permission(JsonAt at) {
    at.allowOnly("name", "roles", "actions", "kinds", "names", "tags", "description");
    return at.build(
        () ->
            new Permission(
                at.field("name").text(),
                Set.copyOf(at.field("roles").list(JsonAt::text)),
                Set.copyOf(at.field("actions").list(a -> a.parsed("an action (" + actionSpellings() + ")",
                    s -> java.util.Arrays.stream(Action.values()).filter(x -> x.wireName().equals(s)).findFirst()))),
                Set.copyOf(at.field("kinds").list(k -> k.parsed("a resource kind (" + Permission.kindSpellings() + ")",
                    s -> java.util.Arrays.stream(Resource.Kind.values()).filter(x -> Permission.spelling(x).equals(s)).findFirst()))),
                at.field("names").list(JsonAt::text),
                at.field("tags").stringMap(),
                at.field("description").textOrNull()));
  }

  private static String actionSpellings() {
    return String.join(", ", java.util.Arrays.stream(Action.values()).map(Action::wireName).toList());
  }
}
