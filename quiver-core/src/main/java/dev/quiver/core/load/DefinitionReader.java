package dev.quiver.core.load;

import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValidationRule;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  private static final List<String> FEATURE_KEYS =
      List.of("name", "column", "type", "aggregate", "expr", "transform", "args", "description", "validation");
  private static final List<String> AGG_KEYS =
      List.of("fn", "column", "window", "hop", "where", "k", "percentile");
  private static final List<String> ODV_KEYS =
      with(META, "name", "version", "inputs", "request", "features");
  private static final List<String> ODV_FEATURE_KEYS = List.of("name", "expr", "transform", "args", "type", "description");
  private static final List<String> SERVICE_KEYS = with(META, "name", "version", "features", "logging");

  private final List<Problem> problems;
  private final Origins origins;

  DefinitionReader(List<Problem> problems, Origins origins) {
    this.problems = problems;
    this.origins = origins;
  }

  void readFile(String file, Node doc, Definitions.Builder out) {
    if (!(doc instanceof MappingNode)) {
      problems.add(new Problem(new Origin(file, doc.getStartMark().getLine() + 1),
          "a definition file is a mapping with any of: " + String.join(", ", TOP)));
      return;
    }
    YamlMap top = new YamlMap(file, doc, problems);
    top.allowOnly("a definition file", TOP);
    for (YamlMap m : items(top, "entities")) {
      entity(m, out);
    }
    for (YamlMap m : items(top, "sources")) {
      source(m, out);
    }
    for (YamlMap m : items(top, "feature_views")) {
      view(m, out);
    }
    for (YamlMap m : items(top, "on_demand_views")) {
      onDemandView(m, out);
    }
    for (YamlMap m : items(top, "feature_services")) {
      service(m, out);
    }
    for (YamlMap m : items(top, "permissions")) {
      PermissionReader.read(m, origins, out);
    }
  }

  private void entity(YamlMap m, Definitions.Builder out) {
    m.allowOnly("entity", ENTITY_KEYS);
    String name = m.required("name", "an entity");
    if (name == null) {
      return;
    }
    if (!declare(Origins.entity(name), m, "entity '" + name + "'")) {
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
        ScalarType t = scalar(m, m.origin("type"), defaultType);
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
        ScalarType t = scalar(km, km.origin("type"), kt);
        if (kn != null && t != null) {
          keys.add(new JoinKey(kn, t));
        }
      }
    }
    out.entity(new Entity(name, keys, metadata(m)));
  }

  private void source(YamlMap m, Definitions.Builder out) {
    m.allowOnly("source", "kafka".equals(m.string("type")) ? StreamSourceReader.KEYS : FileSourceReader.KEYS);
    String name = m.required("name", "a source");
    if (name == null) {
      return;
    }
    String key = Origins.source(name);
    if (!declare(key, m, "source '" + name + "'")) {
      return;
    }
    String type = m.string("type");
    if ("kafka".equals(type)) {
      record(key, "brokers", m, "brokers");
      record(key, "topic", m, "topic");
      record(key, "batch", m, "batch");
      StreamSourceReader.read(m, name, metadata(m), out);
      return;
    }
    if (type != null && !type.equals("file") && !type.equals("table")) {
      m.problem(m.origin("type"), "source type '" + type + "' is not supported; use 'file' (Parquet or CSV files),"
          + " 'table' (the same: a dataset directory or an Iceberg table) or 'kafka' (a Kafka topic with a batch twin)");
      return;
    }
    FileSourceReader.read(m, name, metadata(m), origins, out);
  }

  private void view(YamlMap m, Definitions.Builder out) {
    m.allowOnly("feature view", VIEW_KEYS);
    String name = m.required("name", "a feature view");
    if (name == null) {
      return;
    }
    int version = m.integer("version", 1);
    String key = Origins.view(name, version);
    if (!declare(key, m, "feature view " + name + "@v" + version)) {
      return;
    }
    record(key, "source", m, "source");
    record(key, "entities", m, "entities");
    record(key, "ttl", m, "ttl");
    String source = m.required("source", "feature view '" + name + "'");
    Duration ttl = null;
    if (m.has("ttl")) {
      ttl = duration(m, "ttl");
    }
    if (!m.has("features")) {
      m.problem(m.origin(), "feature view '" + name + "' needs 'features'");
    }
    List<Feature> features = new ArrayList<>();
    List<ValidationRule> rules = new ArrayList<>();
    ValidationReader validation = new ValidationReader(origins);
    for (YamlMap f : items(m, "features")) {
      Feature feature = feature(f, key);
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
        ttl, m.bool("online", true), features, metadata(m), rules));
  }

  private Feature feature(YamlMap f, String viewKey) {
    f.allowOnly("feature", FEATURE_KEYS);
    String name = f.required("name", "a feature");
    if (name == null) {
      return null;
    }
    String key = Origins.feature(viewKey, name);
    if (!declare(key, f, "feature '" + name + "'")) {
      return null;
    }
    record(key, "type", f, "type");
    record(key, "column", f, "column");
    record(key, "expr", f, "expr");
    record(key, "transform", f, "transform");
    record(key, "args", f, "args");
    ValueType type = f.has("type") ? type(f, f.origin("type"), f.string("type")) : null;
    String description = f.string("description");
    int kinds = (f.has("aggregate") ? 1 : 0) + (f.has("expr") ? 1 : 0) + (f.has("column") ? 1 : 0)
        + (f.has("transform") ? 1 : 0);
    if (kinds > 1) {
      f.problem(f.origin(), "feature '" + name + "' has more than one of column, aggregate, expr and transform; a feature is exactly one kind");
      return null;
    }
    if (f.has("args") && !f.has("transform")) {
      f.problem(f.origin("args"), "feature '" + name + "': 'args' are the arguments of a custom transform; add 'transform: <class>' or remove 'args'");
      return null;
    }
    if (f.has("transform")) {
      return transform(f, name, type, description);
    }
    if (f.has("expr")) {
      return new DerivedFeature(name, f.string("expr"), type, description);
    }
    if (f.has("aggregate")) {
      YamlMap a = f.map("aggregate");
      if (a == null) {
        return null;
      }
      if (type != null) {
        f.problem(f.origin("type"), "aggregate feature '" + name + "' takes its type from the function; remove 'type'");
      }
      return aggregate(a, key, name, description);
    }
    return new ColumnFeature(name, f.string("column"), type, description);
  }

  private Feature aggregate(YamlMap a, String key, String name, String description) {
    a.allowOnly("aggregate", AGG_KEYS);
    for (String k : AGG_KEYS) {
      record(key, k, a, k);
    }
    String fnText = a.required("fn", "aggregate feature '" + name + "'");
    String windowText = a.required("window", "aggregate feature '" + name + "' (e.g. window: 30d, or lifetime)");
    if (fnText == null || windowText == null) {
      return null;
    }
    AggregateFunction fn = AggregateFunction.parse(fnText).orElse(null);
    if (fn == null) {
      a.problem(a.origin("fn"), "unknown aggregate function '" + fnText + "'"
          + dev.quiver.core.Names.didYouMean(fnText, List.of(AggregateFunction.spellings().split(", ")))
          + " (one of: " + AggregateFunction.spellings() + ")");
      return null;
    }
    Window window;
    if (windowText.strip().equalsIgnoreCase("lifetime")) {
      window = Window.lifetime();
    } else {
      Duration d = duration(a, "window");
      if (d == null) {
        return null;
      }
      window = Window.of(d);
    }
    Duration hop = a.has("hop") ? duration(a, "hop") : null;
    Aggregation agg = new Aggregation(fn, a.string("column"), window, hop, a.string("where"),
        a.integer("k", 0), a.decimal("percentile", 0));
    return new AggregateFeature(name, agg, null, description);
  }

  private void onDemandView(YamlMap m, Definitions.Builder out) {
    m.allowOnly("on-demand view", ODV_KEYS);
    String name = m.required("name", "an on-demand view");
    if (name == null) {
      return;
    }
    int version = m.integer("version", 1);
    String key = Origins.onDemandView(name, version);
    if (!declare(key, m, "on-demand view " + name + "@v" + version)) {
      return;
    }
    record(key, "inputs", m, "inputs");
    record(key, "request", m, "request");
    List<String> inputs = new ArrayList<>();
    List<RequestField> request = new ArrayList<>();
    for (Node n : m.list("inputs")) {
      if (n instanceof ScalarNode s) {
        inputs.add(s.getValue());
      } else {
        YamlMap r = new YamlMap(m.file(), n, problems);
        r.allowOnly("an on-demand view input (a view name, or request: {field: type})", List.of("request"));
        requestFields(r, "request", request);
      }
    }
    requestFields(m, "request", request);
    List<DerivedFeature> features = new ArrayList<>();
    if (!m.has("features")) {
      m.problem(m.origin(), "on-demand view '" + name + "' needs 'features'");
    }
    for (YamlMap f : items(m, "features")) {
      f.allowOnly("on-demand feature", ODV_FEATURE_KEYS);
      String fn = f.required("name", "a feature");
      if (fn != null && f.has("transform")) {
        String fk = Origins.feature(key, fn);
        if (f.has("expr")) {
          f.problem(f.origin(), "on-demand feature '" + fn + "' has both expr and transform; a feature is exactly one kind");
          continue;
        }
        if (!declare(fk, f, "feature '" + fn + "'")) {
          continue;
        }
        record(fk, "transform", f, "transform");
        record(fk, "args", f, "args");
        record(fk, "type", f, "type");
        ValueType type = f.has("type") ? type(f, f.origin("type"), f.string("type")) : null;
        DerivedFeature t = transform(f, fn, type, f.string("description"));
        if (t != null) {
          features.add(t);
        }
        continue;
      }
      String expr = f.required("expr", "on-demand feature '" + fn + "' (an expression, or transform: <class> with args)");
      if (fn == null || expr == null) {
        continue;
      }
      String fk = Origins.feature(key, fn);
      if (!declare(fk, f, "feature '" + fn + "'")) {
        continue;
      }
      record(fk, "expr", f, "expr");
      record(fk, "type", f, "type");
      ValueType type = f.has("type") ? type(f, f.origin("type"), f.string("type")) : null;
      features.add(new DerivedFeature(fn, expr, type, f.string("description")));
    }
    out.onDemandView(new OnDemandView(name, version, inputs, request, features, metadata(m)));
  }

  /** {@code transform: com.acme.Class} with {@code args: [expression, ...]}. */
  private DerivedFeature transform(YamlMap f, String name, ValueType type, String description) {
    String className = f.string("transform");
    if (className == null || className.isBlank()) {
      f.problem(f.origin("transform"), "feature '" + name + "': 'transform' names a class, e.g. transform: com.acme.RiskScore");
      return null;
    }
    List<String> args = f.has("args") ? f.strings("args") : List.of();
    return DerivedFeature.ofTransform(name, className.strip(), args, type, description);
  }

  private void requestFields(YamlMap m, String key, List<RequestField> out) {
    YamlMap r = m.map(key);
    if (r == null) {
      return;
    }
    for (String field : r.keys()) {
      ValueType t = type(r, r.origin(field), r.string(field));
      if (t != null) {
        out.add(new RequestField(field, t));
      }
    }
  }

  private void service(YamlMap m, Definitions.Builder out) {
    m.allowOnly("feature service", SERVICE_KEYS);
    String name = m.required("name", "a feature service");
    if (name == null) {
      return;
    }
    int version = m.integer("version", 1);
    String key = Origins.service(name, version);
    if (!declare(key, m, "feature service " + name + "@v" + version)) {
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
    out.service(new FeatureService(name, version, refs, metadata(m), logging(m, name)));
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

  private List<YamlMap> items(YamlMap parent, String key) {
    List<YamlMap> out = new ArrayList<>();
    for (Node n : parent.list(key)) {
      if (n instanceof MappingNode) {
        out.add(new YamlMap(parent.file(), n, problems));
      } else {
        parent.problem(parent.origin(n), "each item of '" + key + "' must be a mapping with at least 'name'");
      }
    }
    return out;
  }

  private Metadata metadata(YamlMap m) {
    Map<String, String> tags = new java.util.LinkedHashMap<>();
    Node t = m.raw("tags");
    if (t instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
      for (String tag : m.strings("tags")) {
        tags.put(tag, "");
      }
    } else {
      tags.putAll(m.stringMap("tags"));
    }
    return new Metadata(m.string("description"), m.string("owner"), tags);
  }

  /** Records where a definition is; false (and a problem) when the same one was defined before. */
  private boolean declare(String key, YamlMap m, String what) {
    Origin first = origins.declare(key, m.origin());
    if (first != null) {
      m.problem(m.origin(), what + " is defined twice (first at " + first + "); give one a different name or version");
      return false;
    }
    return true;
  }

  private void record(String elementKey, String field, YamlMap m, String yamlKey) {
    if (m.keys().contains(yamlKey)) {
      origins.put(elementKey + "/" + field, m.origin(yamlKey));
    }
  }

  private Duration duration(YamlMap m, String key) {
    String text = m.string(key);
    Duration d = text == null ? null : Durations.parse(text).orElse(null);
    if (d == null) {
      m.problem(m.origin(key), "'" + key + "' must be a duration such as 90s, 15m, 1h, 30d or 2w, at most "
          + Durations.format(Durations.MAX) + " (about 100 years), not '" + text + "'");
    }
    return d;
  }

  private ValueType type(YamlMap m, Origin at, String text) {
    ValueType t = ValueType.parse(text).orElse(null);
    if (t == null) {
      m.problem(at, "unknown type '" + text + "'; use one of " + ValueType.spellings());
    }
    return t;
  }

  private ScalarType scalar(YamlMap m, Origin at, String text) {
    ValueType t = type(m, at, text);
    if (t == null) {
      return null;
    }
    if (t instanceof ScalarType s) {
      return s;
    }
    m.problem(at, "join keys must be scalar, not " + t.spelling());
    return null;
  }

  static List<String> with(List<String> base, String... more) {
    List<String> out = new ArrayList<>(List.of(more));
    out.addAll(base);
    return List.copyOf(out);
  }
}
