package dev.quiver.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.security.Permission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a snapshot to the JSON tree of registry format 1, and a dataset record to the tree of dataset
 * format 1. Every field is written, absent values as JSON {@code null}, so the layout of a kind
 * never varies; {@link #canonical} then sorts the keys. The field names are those of the YAML
 * definitions ({@code snake_case}); see {@link RegistryCodec}.
 */
final class SnapshotWriter {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SnapshotWriter() {}

  static ObjectNode snapshot(RegistrySnapshot snapshot) {
    ObjectNode root = JSON.objectNode();
    root.put("format", RegistryCodec.FORMAT);
    root.set("info", info(snapshot.info()));
    root.set("definitions", definitions(snapshot.definitions()));
    return root;
  }

  /** The whole dataset document: {@link #dataset} plus {@code "format"} and {@code "kind"}. */
  static ObjectNode datasetDocument(DatasetRecord dataset) {
    ObjectNode root = JSON.objectNode();
    root.put("format", RegistryCodec.DATASET_FORMAT);
    root.put("kind", RegistryCodec.DATASET_KIND);
    root.setAll(dataset(dataset));
    return root;
  }

  static ObjectNode dataset(DatasetRecord d) {
    ObjectNode n = JSON.objectNode();
    n.put("name", d.name());
    n.put("registry_version", d.registryVersion());
    n.set("features", array(d.features(), SnapshotWriter::ref));
    n.put("service", d.service());
    n.put("full_feature_names", d.fullFeatureNames());
    n.put("timestamp_column", d.timestampColumn());
    n.set("query", query(d.query()));
    n.put("query_fingerprint", d.queryFingerprint());
    n.set("source_fingerprints", stringMap(d.sourceFingerprints()));
    n.put("output", d.output());
    n.put("output_format", d.outputFormat().spelling());
    n.put("output_fingerprint", d.outputFingerprint());
    n.put("rows", d.rows());
    n.put("author", d.author());
    n.put("created_at", d.createdAt().toString());
    return n;
  }

  private static ObjectNode query(QueryInput q) {
    ObjectNode n = JSON.objectNode();
    switch (q) {
      case QueryInput.Files f -> {
        n.put("kind", "files");
        n.put("path", f.path());
        n.put("format", f.format().spelling());
      }
      case QueryInput.Sql sql -> {
        n.put("kind", "sql");
        n.put("sql", sql.sql());
        n.put("allow_external_files", sql.allowExternalFiles());
      }
    }
    return n;
  }

  static ObjectNode info(VersionInfo info) {
    ObjectNode n = JSON.objectNode();
    n.put("version", info.version());
    n.put("parent", info.parent());
    n.put("author", info.author());
    n.put("applied_at", info.appliedAt().toString());
    n.put("message", info.message());
    n.put("content_hash", info.contentHash());
    return n;
  }

  static ObjectNode definitions(Definitions d) {
    ObjectNode n = JSON.objectNode();
    n.put("project", d.project());
    n.set("entities", array(d.entities(), SnapshotWriter::entity));
    n.set("sources", array(d.sources(), SnapshotWriter::source));
    n.set("feature_views", array(d.views(), SnapshotWriter::view));
    n.set("on_demand_views", array(d.onDemandViews(), SnapshotWriter::onDemandView));
    n.set("feature_services", array(d.services(), SnapshotWriter::service));
    if (!d.permissions().isEmpty()) { // absent without permissions: those definitions keep their bytes and hash
      n.set("permissions", array(d.permissions(), SnapshotWriter::permission));
    }
    return n;
  }

  private static ObjectNode permission(Permission p) {
    ObjectNode n = JSON.objectNode();
    n.put("name", p.name());
    n.set("roles", array(List.copyOf(p.roles()), JSON::textNode));
    n.set("actions", array(List.copyOf(p.actions()), a -> JSON.textNode(a.wireName())));
    n.set("kinds", array(List.copyOf(p.kinds()), k -> JSON.textNode(Permission.spelling(k))));
    n.set("names", array(p.names(), JSON::textNode));
    n.set("tags", stringMap(p.tags()));
    n.put("description", p.description());
    return n;
  }

  private static ObjectNode entity(Entity e) {
    ObjectNode n = JSON.objectNode();
    n.put("name", e.name());
    n.set("join_keys", array(e.joinKeys(), SnapshotWriter::joinKey));
    n.set("metadata", metadata(e.metadata()));
    return n;
  }

  private static ObjectNode joinKey(JoinKey k) {
    ObjectNode n = JSON.objectNode();
    n.put("name", k.name());
    n.put("type", type(k.type()));
    return n;
  }

  private static ObjectNode source(Source s) {
    ObjectNode n = JSON.objectNode();
    switch (s) {
      case FileSource f -> {
        n.put("kind", "file");
        n.put("name", f.name());
        n.put("path", f.path());
        n.put("format", f.format().spelling());
        n.put("timestamp_column", f.timestampColumn());
        n.put("created_column", f.createdColumn());
        n.set("field_mapping", stringMap(f.fieldMapping()));
        n.set("metadata", metadata(f.metadata()));
        if (!f.table().isDefault()) { // only then: plain file sources keep the layout (and content hash) they had
          n.set("table", table(f.table()));
        }
      }
      case StreamSource st -> {
        n.put("kind", "kafka");
        n.put("name", st.name());
        n.put("brokers", st.brokers());
        n.put("topic", st.topic());
        n.put("format", st.format().spelling());
        n.set("consumer", stringMap(st.consumerProperties()));
        n.put("group_id", st.groupId());
        n.put("append_to_batch", st.appendToBatch());
        n.set("batch", source(st.batch()));
        if (st.avro() != null) { // only then: JSON sources keep the layout (and content hash) they had
          ObjectNode a = n.putObject("avro");
          a.put("schema_registry", st.avro().schemaRegistry());
          a.put("username", st.avro().username());
          a.put("password", st.avro().password());
          a.put("schema", st.avro().schema());
        }
      }
    }
    return n;
  }

  private static ObjectNode view(FeatureView v) {
    ObjectNode n = JSON.objectNode();
    n.put("name", v.name());
    n.put("version", v.version());
    n.set("entities", strings(v.entities()));
    n.put("source", v.source());
    n.put("ttl", v.ttl() == null ? null : duration(v.ttl()));
    n.put("online", v.online());
    n.set("features", array(v.features(), SnapshotWriter::feature));
    n.set("metadata", metadata(v.metadata()));
    if (!v.rules().isEmpty()) { // only when there are rules: snapshots without them keep their bytes and hashes
      n.set("validation", array(v.rules(), SnapshotWriter::rule));
    }
    return n;
  }

  private static ObjectNode rule(dev.quiver.core.model.ValidationRule r) {
    ObjectNode n = JSON.objectNode();
    n.put("kind", r.kind());
    n.put("feature", r.feature());
    n.put("on_fail", r.onFail().spelling());
    switch (r) {
      case dev.quiver.core.model.ValidationRule.NotNull x -> n.put("max_null_rate", x.maxNullRate());
      case dev.quiver.core.model.ValidationRule.Min x -> n.put("value", x.value().toPlainString());
      case dev.quiver.core.model.ValidationRule.Max x -> n.put("value", x.value().toPlainString());
      case dev.quiver.core.model.ValidationRule.Allowed x -> n.set("values", strings(x.values()));
      case dev.quiver.core.model.ValidationRule.Pattern x -> n.put("regex", x.regex());
      case dev.quiver.core.model.ValidationRule.Expr x -> n.put("expression", x.expression());
      case dev.quiver.core.model.ValidationRule.RowCount x -> {
        n.put("min", x.min());
        n.put("max", x.max());
      }
      case dev.quiver.core.model.ValidationRule.Freshness x -> n.put("max_age", duration(x.maxAge()));
    }
    return n;
  }

  private static ObjectNode feature(Feature f) {
    ObjectNode n = JSON.objectNode();
    switch (f) {
      case ColumnFeature c -> {
        n.put("kind", "column");
        n.put("column", c.column());
      }
      case AggregateFeature a -> {
        n.put("kind", "aggregate");
        n.set("aggregation", aggregation(a.aggregation()));
      }
      case DerivedFeature d -> {
        n.put("kind", "derived");
        n.put("expression", d.expression());
        if (d.isTransform()) {
          n.put("transform", d.transform());
          n.set("arguments", strings(d.arguments()));
        }
      }
    }
    n.put("name", f.name());
    n.put("type", f.type() == null ? null : type(f.type()));
    n.put("description", f.description());
    return n;
  }

  private static ObjectNode aggregation(Aggregation a) {
    ObjectNode n = JSON.objectNode();
    n.put("function", a.function().spelling());
    n.put("column", a.column());
    n.put("window", window(a.window()));
    n.put("hop", a.hop() == null ? null : duration(a.hop()));
    n.put("where", a.where());
    n.put("k", a.k());
    n.put("percentile", a.percentile());
    return n;
  }

  private static ObjectNode onDemandView(OnDemandView v) {
    ObjectNode n = JSON.objectNode();
    n.put("name", v.name());
    n.put("version", v.version());
    n.set("inputs", strings(v.inputs()));
    n.set("request_fields", array(v.requestFields(), SnapshotWriter::requestField));
    n.set("features", array(v.features(), SnapshotWriter::feature));
    n.set("metadata", metadata(v.metadata()));
    return n;
  }

  private static ObjectNode requestField(RequestField r) {
    ObjectNode n = JSON.objectNode();
    n.put("name", r.name());
    n.put("type", type(r.type()));
    return n;
  }

  private static ObjectNode service(FeatureService s) {
    ObjectNode n = JSON.objectNode();
    n.put("name", s.name());
    n.put("version", s.version());
    ArrayNode refs = JSON.arrayNode();
    for (FeatureRef r : s.features()) {
      refs.add(ref(r));
    }
    n.set("features", refs);
    n.set("metadata", metadata(s.metadata()));
    if (s.logging() != null) {
      n.set("logging", JSON.objectNode().put("sample_rate", s.logging().sampleRate()));
    }
    return n;
  }

  private static ObjectNode metadata(Metadata m) {
    ObjectNode n = JSON.objectNode();
    n.put("description", m.description());
    n.put("owner", m.owner());
    n.set("tags", stringMap(m.tags()));
    return n;
  }

  private static ObjectNode table(TableSettings t) {
    ObjectNode n = JSON.objectNode();
    n.put("partitioning", t.partitioning().spelling());
    ObjectNode types = n.putObject("partition_types");
    t.partitionTypes().forEach((column, type) -> types.put(column, type(type)));
    n.put("timestamp_format", t.timestampFormat().spelling());
    ArrayNode schema = n.putArray("schema");
    t.schema().forEach((column, type) -> schema.addObject().put("name", column).put("type", type(type)));
    if (t.iceberg() != null) {
      ObjectNode i = n.putObject("iceberg");
      i.put("table", t.iceberg().table());
      i.set("catalog", stringMap(t.iceberg().catalog()));
    }
    return n;
  }

  // ---- scalars ----------------------------------------------------------------------------------

  private static String type(ValueType t) {
    return t.spelling();
  }

  /**
   * The spelling of a window: {@code lifetime} or a duration as {@link #duration} writes it.
   */
  static String window(Window w) {
    return switch (w) {
      case Window.Lifetime l -> l.spelling();
      case Window.Fixed f -> duration(f.length());
    };
  }

  /**
   * The definition spelling of a duration ({@code 30d}, {@code 90m}) when it reads back exactly;
   * otherwise (negative, finer than a millisecond) the ISO-8601 form {@code PT0.0000005S}, so every
   * {@link Duration} survives a round trip.
   */
  static String duration(Duration d) {
    if (!d.isNegative() && d.getNano() % 1_000_000 == 0) {
      try {
        String spelling = Durations.format(d);
        Optional<Duration> back = Durations.parse(spelling);
        if (back.isPresent() && back.get().equals(d)) {
          return spelling;
        }
      } catch (ArithmeticException tooLong) {
        // falls through to ISO-8601
      }
    }
    return d.toString();
  }

  /**
   * A feature ref as it is written in definitions ({@code view@v2:feature}); a ref whose names that
   * spelling cannot carry (only possible when built by hand) is written as an object instead.
   */
  private static JsonNode ref(FeatureRef r) {
    String spelling = r.toString();
    if (FeatureRef.parse(spelling).filter(r::equals).isPresent()) {
      return JSON.textNode(spelling);
    }
    ObjectNode n = JSON.objectNode();
    n.put("view", r.view());
    n.put("version", r.version());
    n.put("feature", r.feature());
    return n;
  }

  private static ArrayNode strings(Collection<String> values) {
    ArrayNode a = JSON.arrayNode();
    values.forEach(a::add);
    return a;
  }

  private static ObjectNode stringMap(Map<String, String> map) {
    ObjectNode n = JSON.objectNode();
    map.forEach(n::put);
    return n;
  }

  private static <T> ArrayNode array(List<T> items, java.util.function.Function<T, JsonNode> write) {
    ArrayNode a = JSON.arrayNode();
    for (T item : items) {
      a.add(write.apply(item));
    }
    return a;
  }

  /** A copy of the tree with every object's keys in sorted (UTF-16 code unit) order. */
  static JsonNode canonical(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.properties().forEach(property -> names.add(property.getKey()));
      names.sort(null);
      ObjectNode sorted = JSON.objectNode();
      for (String name : names) {
        sorted.set(name, canonical(node.get(name)));
      }
      return sorted;
    }
    if (node.isArray()) {
      ArrayNode copy = JSON.arrayNode();
      node.forEach(element -> copy.add(canonical(element)));
      return copy;
    }
    return node;
  }
}
