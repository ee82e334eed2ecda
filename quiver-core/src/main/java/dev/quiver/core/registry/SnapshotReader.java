package dev.quiver.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.security.Permission;
import java.util.List;

/**
 * Maps a JSON tree of registry format 1 back to a snapshot, and one of dataset format 1 or 2 back
 * to a dataset record. Strict: a missing or mistyped field, an unknown field or kind, or a value the model
 * rejects fails with a {@link QuiverException} naming the JSON path ({@code
 * definitions.feature_views[0].features[2].kind}). Unknown fields are refused rather than skipped
 * because dropping them would silently lose definitions written by a newer Quiver; a new field means
 * a new format number.
 */
final class SnapshotReader {
  private SnapshotReader() {}

  static RegistrySnapshot snapshot(JsonNode root) {
    JsonAt at = new JsonAt(root, "", JsonAt.Document.SNAPSHOT);
    at.requireObject();
    at.allowOnly("format", "info", "definitions");
    return new RegistrySnapshot(info(at.field("info")), definitions(at.field("definitions")));
  }

  /**
   * A dataset document whose {@code "format"} and {@code "kind"} the caller has checked. Format 1
   * has no {@code allow_external_files} in a SQL query: true, since format 1 put no limit on the
   * files a query read. The paths of both formats are kept as written (format 1 wrote them absolute,
   * format 2 relative to the feature repo when inside it).
   */
  static DatasetRecord dataset(JsonNode root) {
    int format = root.get("format").intValue();
    JsonAt at = new JsonAt(root, "", JsonAt.Document.DATASET);
    at.requireObject();
    at.allowOnly(
        "format",
        "kind",
        "name",
        "registry_version",
        "features",
        "service",
        "full_feature_names",
        "timestamp_column",
        "query",
        "query_fingerprint",
        "source_fingerprints",
        "output",
        "output_format",
        "output_fingerprint",
        "rows",
        "author",
        "created_at");
    return at.build(
        () ->
            new DatasetRecord(
                at.field("name").text(),
                at.field("registry_version").longValue(),
                at.field("features").list(SnapshotReader::ref),
                at.field("service").textOrNull(),
                at.field("full_feature_names").bool(),
                at.field("timestamp_column").text(),
                query(at.field("query"), format),
                at.field("query_fingerprint").text(),
                at.field("source_fingerprints").stringMap(),
                at.field("output").text(),
                at.field("output_format").fileFormat(),
                at.field("output_fingerprint").text(),
                at.field("rows").longValue(),
                at.field("author").text(),
                at.field("created_at").instant()));
  }

  private static QueryInput query(JsonAt at, int datasetFormat) {
    String kind = at.field("kind").text();
    return switch (kind) {
      case "files" -> {
        at.allowOnly("kind", "path", "format");
        yield at.build(
            () -> new QueryInput.Files(at.field("path").text(), at.field("format").fileFormat()));
      }
      case "sql" -> {
        if (datasetFormat == 1) {
          // format 1 put no limit on the files a query read: its reproduction may read them again
          at.allowOnly("kind", "sql");
          yield at.build(() -> new QueryInput.Sql(at.field("sql").text(), true));
        }
        at.allowOnly("kind", "sql", "allow_external_files");
        yield at.build(() -> new QueryInput.Sql(at.field("sql").text(), at.field("allow_external_files").bool()));
      }
      default ->
          throw at.field("kind").damaged("unknown query kind '" + kind + "' (expected files or sql)");
    };
  }

  private static VersionInfo info(JsonAt at) {
    at.allowOnly("version", "parent", "author", "applied_at", "message", "content_hash");
    return at.build(
        () ->
            new VersionInfo(
                at.field("version").longValue(),
                at.field("parent").longValue(),
                at.field("author").text(),
                at.field("applied_at").instant(),
                at.field("message").text(),
                at.field("content_hash").text()));
  }

  private static Definitions definitions(JsonAt at) {
    at.allowOnly(
        "project", "entities", "sources", "feature_views", "on_demand_views", "feature_services", "permissions");
    // "permissions" is written only when there are some (versions before permissions never have it)
    List<Permission> permissions =
        at.node().has("permissions") ? at.field("permissions").list(SnapshotServices::permission) : List.of();
    return at.build(
        () ->
            new Definitions(
                at.field("project").text(),
                at.field("entities").list(SnapshotReader::entity),
                at.field("sources").list(SnapshotSources::source),
                at.field("feature_views").list(SnapshotViews::view),
                at.field("on_demand_views").list(SnapshotViews::onDemandView),
                at.field("feature_services").list(SnapshotServices::service),
                permissions));
  }

  private static Entity entity(JsonAt at) {
    at.allowOnly("name", "join_keys", "metadata");
    return at.build(
        () ->
            new Entity(
                at.field("name").text(),
                at.field("join_keys").list(SnapshotReader::joinKey),
                metadata(at.field("metadata"))));
  }

  private static JoinKey joinKey(JsonAt at) {
    at.allowOnly("name", "type");
    return at.build(() -> new JoinKey(at.field("name").text(), at.field("type").scalarType()));
  }

  static FeatureRef ref(JsonAt at) {
    if (at.node().isTextual()) {
      return at.parsed("a feature ref (view:feature or view@v2:feature)", FeatureRef::parse);
    }
    at.requireObject();
    at.allowOnly("view", "version", "feature");
    return at.build(
        () ->
            new FeatureRef(
                at.field("view").text(), at.field("version").intValue(), at.field("feature").text()));
  }

  static Metadata metadata(JsonAt at) {
    at.allowOnly("description", "owner", "tags");
    return at.build(
        () ->
            new Metadata(
                at.field("description").text(),
                at.field("owner").text(),
                at.field("tags").stringMap()));
  }
}
