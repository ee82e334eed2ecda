package dev.quiver.core.load;

import dev.quiver.core.Problem;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads an on-demand view: its input views, its request fields ({@code request: {field: type}}, at
 * the top or among the inputs) and its features (expressions, or custom transforms). Not thread-safe
 * (one per load).
 */
final class OnDemandViewReader {
  private static final List<String> ODV_KEYS =
      DefinitionReader.with(List.of("description", "owner", "tags"), "name", "version", "inputs", "request", "features");
  private static final List<String> ODV_FEATURE_KEYS = List.of("name", "expr", "transform", "args", "type", "description");

  private final List<Problem> problems;
  private final DefinitionFields fields;
  private final FeatureReader featureReader;

  OnDemandViewReader(List<Problem> problems, DefinitionFields fields, FeatureReader features) {
    this.problems = problems;
    this.fields = fields;
    this.featureReader = features;
  }

  /** Adds the view to {@code out} unless it is defined twice or has no name. */
  void onDemandView(YamlMap m, Definitions.Builder out) {
    m.allowOnly("on-demand view", ODV_KEYS);
    String name = m.required("name", "an on-demand view");
    if (name == null) {
      return;
    }
    int version = m.integer("version", 1);
    String key = Origins.onDemandView(name, version);
    if (!fields.declare(key, m, "on-demand view " + name + "@v" + version)) {
      return;
    }
    fields.record(key, "inputs", m, "inputs");
    fields.record(key, "request", m, "request");
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
    for (YamlMap f : fields.items(m, "features")) {
      f.allowOnly("on-demand feature", ODV_FEATURE_KEYS);
      String fn = f.required("name", "a feature");
      if (fn != null && f.has("transform")) {
        String fk = Origins.feature(key, fn);
        if (f.has("expr")) {
          f.problem(f.origin(), "on-demand feature '" + fn + "' has both expr and transform; a feature is exactly one kind");
          continue;
        }
        if (!fields.declare(fk, f, "feature '" + fn + "'")) {
          continue;
        }
        fields.record(fk, "transform", f, "transform");
        fields.record(fk, "args", f, "args");
        fields.record(fk, "type", f, "type");
        ValueType type = f.has("type") ? fields.type(f, f.origin("type"), f.string("type")) : null;
        DerivedFeature t = featureReader.transform(f, fn, type, f.string("description"));
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
      if (!fields.declare(fk, f, "feature '" + fn + "'")) {
        continue;
      }
      fields.record(fk, "expr", f, "expr");
      fields.record(fk, "type", f, "type");
      ValueType type = f.has("type") ? fields.type(f, f.origin("type"), f.string("type")) : null;
      features.add(new DerivedFeature(fn, expr, type, f.string("description")));
    }
    out.onDemandView(new OnDemandView(name, version, inputs, request, features, fields.metadata(m)));
  }

  private void requestFields(YamlMap m, String key, List<RequestField> out) {
    YamlMap r = m.map(key);
    if (r == null) {
      return;
    }
    for (String field : r.keys()) {
      ValueType t = fields.type(r, r.origin(field), r.string(field));
      if (t != null) {
        out.add(new RequestField(field, t));
      }
    }
  }
}
