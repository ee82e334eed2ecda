package dev.quiver.core.load;

import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValidationRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Maps one YAML document to definition records, recording origins and shape problems. */
final class DefinitionReader {
  private static final List<String> TOP =
      List.of("entities", "sources", "feature_views", "on_demand_views", "feature_services", "permissions");
  private static final List<String> META = List.of("description", "owner", "tags");
  private static final List<String> ENTITY_KEYS = with(META, "name", "join_keys", "type");
  private static final List<String> JOIN_KEY_KEYS = List.of("name", "type");
  private static final List<String> VIEW_KEYS =
      with(META, "name", "version", "entities", "source", "ttl", "online", "features", "validation");
  private static final List<String> SERVICE_KEYS = with(META, "name", "version", "features", "logging");

  private final List<Problem> problems;
  private final Origins origins;
  private final DefinitionFields fields;
  private final FeatureReader featureReader;
  private final OnDemandViewReader onDemandViews;

  DefinitionReader(List<Problem> problems, Origins origins) {
    this.problems = problems;
    this.origins = origins;
    this.fields = new DefinitionFields(problems, origins);
    this.featureReader = new FeatureReader(fields);
    this.onDemandViews = new OnDemandViewReader(problems, fields, featureReader);
  }

  void readFile(String file, Node doc, Definitions.Builder out) {
    if (!(doc instanceof MappingNode)) {
      problems.add(new Problem(new Origin(file, doc.getStartMark().getLine() + 1),
          "a definition file is a mapping with any of: " + String.join(", ", TOP)));
      return;
    }
    YamlMap top = new YamlMap(file, doc, problems);
    top.allowOnly("a definition file", TOP);
    for (YamlMap m : fields.items(top, "entities")) {
      entity(m, out);
    }
    for (YamlMap m : fields.items(top, "sources")) {
      source(m, out);
    }
    for (YamlMap m : fields.items(top, "feature_views")) {
      view(m, out);
    }
    for (YamlMap m : fields.items(top, "on_demand_views")) {
      onDemandViews.onDemandView(m, out);
    }
    for (YamlMap m : fields.items(top, "feature_services")) {
      service(m, out);
    }
    for (YamlMap m : fields.items(top, "permissions")) {
      PermissionReader.read(m, origins, out);
    }
  }

  private void entity(YamlMap m, Definitions.Builder out) {
    m.allowOnly("entity", ENTITY_KEYS);
    String name = m.required("name", "an entity");
    if (name == null) {
      return;
    }
    if (!fields.declare(Origins.entity(name), m, "entity '" + name + "'")) {
      return;
    }
    String defaultType = m.string("type");
    List<JoinKey> keys = new ArrayList<>();
    if (!m.has("join_keys")) {
      m.problem(m.origin(), "entity '" + name + "' needs 'join_keys', e.g. join_keys: [" + name + "_id]");
    }
    for (Node k : m.list("join_keys")) {
      if (k instanceof ScalarNode s) {
        if (defaultType == null) {
          m.problem(m.origin(k), "join key '" + s.getValue() + "' of entity '" + name
              + "' needs a type: add 'type: int64' to the entity or write {name: "
              + s.getValue() + ", type: int64}");
          continue;
        }
        ScalarType t = fields.scalar(m, m.origin("type"), defaultType);
        if (t != null) {
          keys.add(new JoinKey(s.getValue(), t));
        }
      } else {
        YamlMap km = new YamlMap(m.file(), k, problems);
        km.allowOnly("join key", JOIN_KEY_KEYS);
        String kn = km.required("name", "a join key");
        String kt = km.has("type") ? km.string("type") : defaultType;
        if (kt == null) {
          km.problem(km.origin(), "join key '" + kn + "' needs a type, e.g. type: int64");
          continue;
        }
        ScalarType t = fields.scalar(km, km.origin("type"), kt);
        if (kn != null && t != null) {
          keys.add(new JoinKey(kn, t));
        }
      }
    }
    out.entity(new Entity(name, keys, fields.metadata(m)));
  }

  private void source(YamlMap m, Definitions.Builder out) {
    m.allowOnly("source", "kafka".equals(m.string("type")) ? StreamSourceReader.KEYS : FileSourceReader.KEYS);
    String name = m.required("name", "a source");
    if (name == null) {
      return;
    }
    String key = Origins.source(name);
    if (!fields.declare(key, m, "source '" + name + "'")) {
      return;
    }
    String type = m.string("type");
    if ("kafka".equals(type)) {
      fields.record(key, "brokers", m, "brokers");
      fields.record(key, "topic", m, "topic");
      fields.record(key, "batch", m, "batch");
      StreamSourceReader.read(m, name, fields.metadata(m), out);
      return;
    }
    if (type != null && !type.equals("file") && !type.equals("table")) {
      m.problem(m.origin("type"), "source type '" + type + "' is not supported; use 'file' (Parquet or CSV files),"
          + " 'table' (the same: a dataset directory or an Iceberg table) or 'kafka' (a Kafka topic with a batch twin)");
      return;
    }
    FileSourceReader.read(m, name, fields.metadata(m), origins, out);
  }

  private void view(YamlMap m, Definitions.Builder out) {
    m.allowOnly("feature view", VIEW_KEYS);
    String name = m.required("name", "a feature view");
    if (name == null) {
      return;
    }
    int version = m.integer("version", 1);
    String key = Origins.view(name, version);
    if (!fields.declare(key, m, "feature view " + name + "@v" + version)) {
      return;
    }
    fields.record(key, "source", m, "source");
    fields.record(key, "entities", m, "entities");
    fields.record(key, "ttl", m, "ttl");
    String source = m.required("source", "feature view '" + name + "'");
    Duration ttl = null;
    if (m.has("ttl")) {
      ttl = fields.duration(m, "ttl");
    }
    if (!m.has("features")) {
      m.problem(m.origin(), "feature view '" + name + "' needs 'features'");
    }
    List<Feature> features = new ArrayList<>();
    List<ValidationRule> rules = new ArrayList<>();
    ValidationReader validation = new ValidationReader(origins);
    for (YamlMap f : fields.items(m, "features")) {
      Feature feature = featureReader.feature(f, key);
      if (feature != null) {
        features.add(feature);
        YamlMap block = f.map("validation");
        if (block != null) {
          rules.addAll(validation.feature(block, Origins.feature(key, feature.name()), feature.name()));
        }
      }
    }
    YamlMap viewBlock = m.map("validation");
    if (viewBlock != null) {
      rules.addAll(validation.view(viewBlock, key, name));
    }
    out.view(new FeatureView(name, version, m.strings("entities"), source == null ? "" : source,
        ttl, m.bool("online", true), features, fields.metadata(m), rules));
  }

  private void service(YamlMap m, Definitions.Builder out) {
    m.allowOnly("feature service", SERVICE_KEYS);
    String name = m.required("name", "a feature service");
    if (name == null) {
      return;
    }
    int version = m.integer("version", 1);
    String key = Origins.service(name, version);
    if (!fields.declare(key, m, "feature service " + name + "@v" + version)) {
      return;
    }
    List<FeatureRef> refs = new ArrayList<>();
    for (Node n : m.list("features")) {
      Origin at = m.origin(n);
      String text = n instanceof ScalarNode s ? s.getValue() : null;
      FeatureRef ref = text == null ? null : FeatureRef.parse(text).orElse(null);
      if (ref == null) {
        m.problem(at, "'" + (text == null ? YamlMap.kind(n) : text)
            + "' is not a feature ref; write view:feature, view@v2:feature or view:*");
        continue;
      }
      origins.put(key + "/ref:" + ref, at);
      refs.add(ref);
    }
    if (!m.has("features")) {
      m.problem(m.origin(), "feature service '" + name + "' needs 'features' (a list of view:feature refs)");
    }
    out.service(new FeatureService(name, version, refs, fields.metadata(m), logging(m, name)));
  }

  /** A service's {@code logging: {sample_rate: 0.1}}; null when absent. */
  private static FeatureLogging logging(YamlMap service, String name) {
    if (service.raw("logging") == null) {
      return null;
    }
    YamlMap m = service.map("logging");
    if (m == null) {
      if (!YamlMap.isNull(service.raw("logging"))) {
        return null; // map() named the problem
      }
      service.problem(service.origin("logging"), "feature service '" + name
          + "' has an empty 'logging'; write logging: {sample_rate: 0.1} (the fraction of requests logged), or remove it");
      return null;
    }
    m.allowOnly("logging", List.of("sample_rate"));
    if (!m.has("sample_rate")) {
      m.problem(m.origin(), "feature service '" + name + "' logging needs 'sample_rate' (the fraction of requests"
          + " logged, e.g. 0.1 for one in ten; 1 logs every request)");
      return null;
    }
    double rate = m.decimal("sample_rate", Double.NaN);
    if (Double.isNaN(rate)) {
      return null; // decimal() named the problem
    }
    if (!(rate > 0 && rate <= 1)) {
      m.problem(m.origin("sample_rate"), "feature service '" + name + "' logging sample_rate must be more than 0"
          + " and at most 1 (the fraction of requests logged), not " + m.string("sample_rate")
          + "; remove 'logging' to log nothing");
      return null;
    }
    return new FeatureLogging(rate);
  }

  static List<String> with(List<String> base, String... more) {
    List<String> out = new ArrayList<>(List.of(more));
    out.addAll(base);
    return List.copyOf(out);
  }
}
