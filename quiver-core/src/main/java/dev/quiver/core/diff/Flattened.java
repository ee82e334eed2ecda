package dev.quiver.core.diff;

import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.model.TableSettings;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Each definition as an ordered map of field path to value text, so that diffs are computed one
 * way for every kind and read field by field.
 */
final class Flattened {
  private Flattened() {}

  static Map<String, String> of(Entity e) {
    Map<String, String> m = new LinkedHashMap<>();
    for (JoinKey k : e.joinKeys()) {
      m.put("join_keys." + k.name(), k.type().spelling());
    }
    metadata(m, e.metadata());
    return m;
  }

  /**
   * Consumer properties whose values are credentials (Kafka's {@code sasl.jaas.config},
   * {@code ssl.key.password}, {@code *.secret}, tokens...): plans show that they changed, never what
   * they hold.
   */
  private static boolean secretLike(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("token")
        || k.contains("credential") || k.endsWith(".key");
  }

  /** A credential as a plan shows it: a short SHA-256 of the value, so a change is still visible. */
  private static String hidden(String value) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "(hidden, sha256 " + java.util.HexFormat.of().formatHex(d, 0, 4) + ")";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static Map<String, String> of(dev.quiver.core.security.Permission p) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("roles", String.join(", ", p.roles()));
    m.put("actions", String.join(", ", p.actions().stream().map(dev.quiver.core.security.Action::wireName).toList()));
    m.put("resources.kinds", p.kinds().isEmpty() ? "(all)"
        : String.join(", ", p.kinds().stream().map(dev.quiver.core.security.Permission::spelling).toList()));
    m.put("resources.names", p.names().isEmpty() ? "(all)" : String.join(", ", p.names()));
    p.tags().forEach((k, v) -> m.put("resources.tags." + k, v));
    put(m, "description", p.description());
    return m;
  }

  /** The settings beyond a file glob, only those that differ from the defaults (plain sources diff as before). */
  private static void table(Map<String, String> m, TableSettings t) {
    if (t.partitioning() != Partitioning.AUTO) {
      m.put("partitioning", t.partitioning().spelling());
    }
    t.partitionTypes().forEach((k, v) -> m.put("partition_types." + k, v.spelling()));
    if (t.timestampFormat().kind() != TimestampFormat.Kind.TIMESTAMP) {
      m.put("timestamp_format", t.timestampFormat().spelling());
    }
    t.schema().forEach((k, v) -> m.put("schema." + k, v.spelling()));
    if (t.iceberg() != null) {
      m.put("table", t.iceberg().table());
      t.iceberg().catalog().forEach((k, v) -> m.put("catalog." + k, secretLike(k) ? hidden(v) : v));
    }
  }

  static Map<String, String> of(Source s) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (s) {
      case FileSource f -> {
        m.put("path", f.path());
        m.put("format", f.isIceberg() ? "iceberg" : f.format().spelling());
        table(m, f.table());
      }
      case StreamSource st -> {
        m.put("kind", "kafka");
        m.put("brokers", st.brokers());
        m.put("topic", st.topic());
        m.put("format", st.format().spelling());
        st.consumerProperties().forEach((k, v) -> m.put("consumer." + k, secretLike(k) ? hidden(v) : v));
        put(m, "group_id", st.groupId());
        m.put("append_to_batch", String.valueOf(st.appendToBatch()));
        m.put("batch.path", st.batch().path());
        m.put("batch.format", st.batch().format().spelling());
        if (st.avro() != null) {
          put(m, "schema_registry", st.avro().schemaRegistry());
          put(m, "schema_registry_auth.username", st.avro().username());
          put(m, "schema_registry_auth.password", st.avro().password()); // a reference, never the secret
          put(m, "schema", st.avro().schema());
        }
      }
    }
    m.put("timestamp", s.timestampColumn());
    put(m, "created", s.createdColumn());
    s.fieldMapping().forEach((k, v) -> m.put("field_mapping." + k, v));
    metadata(m, s.metadata());
    return m;
  }

  static Map<String, String> of(FeatureView v) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("entities", String.join(", ", v.entities()));
    m.put("source", v.source());
    put(m, "ttl", v.ttl() == null ? null : Durations.format(v.ttl()));
    m.put("online", String.valueOf(v.online()));
    for (Feature f : v.features()) {
      feature(f).forEach((k, val) -> m.put("features." + f.name() + "." + k, val));
    }
    for (dev.quiver.core.model.ValidationRule r : v.rules()) { // a rule change shows in the plan; never breaking
      m.put("validation." + (r.feature() == null ? "" : r.feature() + ".") + r.kind(),
          r.argument() + " (on_fail: " + r.onFail().spelling() + ")");
    }
    metadata(m, v.metadata());
    return m;
  }

  static Map<String, String> of(OnDemandView o) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("inputs", String.join(", ", o.inputs()));
    for (RequestField r : o.requestFields()) {
      m.put("request." + r.name(), r.type().spelling());
    }
    for (DerivedFeature f : o.features()) {
      feature(f).forEach((k, val) -> m.put("features." + f.name() + "." + k, val));
    }
    metadata(m, o.metadata());
    return m;
  }

  static Map<String, String> of(FeatureService s) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("features", s.features().stream().map(Object::toString).collect(Collectors.joining(", ")));
    if (s.logging() != null) {
      m.put("logging.sample_rate", String.valueOf(s.logging().sampleRate()));
    }
    metadata(m, s.metadata());
    return m;
  }

  /** A feature's fields; the ones that carry its meaning are listed by {@link #MEANING}. */
  static Map<String, String> feature(Feature f) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (f) {
      case ColumnFeature c -> {
        m.put("kind", "column");
        m.put("column", c.column());
      }
      case AggregateFeature a -> {
        Aggregation g = a.aggregation();
        m.put("kind", "aggregate");
        m.put("aggregate.fn", g.function().spelling());
        put(m, "aggregate.column", g.column());
        m.put("aggregate.window", g.window().spelling());
        m.put("aggregate.hop", Durations.format(g.effectiveHop()));
        put(m, "aggregate.where", g.where() == null ? null : canonical(g.where()));
        if (g.k() != 0) {
          m.put("aggregate.k", String.valueOf(g.k()));
        }
        if (g.percentile() != 0) {
          m.put("aggregate.percentile", String.valueOf(g.percentile()));
        }
      }
      case DerivedFeature d -> {
        m.put("kind", "derived");
        if (d.isTransform()) {
          m.put("transform", d.transform());
          m.put("args", d.arguments().stream().map(Flattened::canonical).collect(Collectors.joining(", ")));
        } else {
          m.put("expr", canonical(d.expression()));
        }
      }
    }
    put(m, "type", f.type() == null ? null : f.type().spelling());
    if (!f.description().isEmpty()) {
      m.put("description", f.description());
    }
    return m;
  }

  /** True for the feature fields whose change alters the values a feature produces. */
  static boolean isMeaning(String featureField) {
    return !featureField.equals("description");
  }

  /** The expression in canonical form, so spacing and case do not count as a change. */
  static String canonical(String expression) {
    try {
      return ExpressionParser.parse(expression).toString();
    } catch (ExpressionException e) {
      return expression.strip();
    }
  }

  private static void metadata(Map<String, String> m, Metadata md) {
    if (!md.owner().isEmpty()) {
      m.put("owner", md.owner());
    }
    if (!md.description().isEmpty()) {
      m.put("description", md.description());
    }
    md.tags().forEach((k, v) -> m.put("tags." + k, v));
  }

  private static void put(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
