package dev.quiver.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import java.util.List;
import java.util.Optional;

/** Reads a snapshot's feature views (features, aggregations, validation rules) and on-demand views. */
final class SnapshotViews {
  private SnapshotViews() {}

  static FeatureView view(JsonAt at) {
    at.allowOnly(
        "name", "version", "entities", "source", "ttl", "online", "features", "metadata", "validation");
    // "validation" is written only for views with rules, so snapshots without any keep their bytes
    List<dev.quiver.core.model.ValidationRule> rules =
        at.node().has("validation") ? at.field("validation").list(SnapshotViews::rule) : List.of();
    return at.build(
        () ->
            new FeatureView(
                at.field("name").text(),
                at.field("version").intValue(),
                at.field("entities").list(JsonAt::text),
                at.field("source").text(),
                at.field("ttl").durationOrNull(),
                at.field("online").bool(),
                at.field("features").list(SnapshotViews::feature),
                SnapshotReader.metadata(at.field("metadata")),
                rules));
  }

  private static dev.quiver.core.model.ValidationRule rule(JsonAt at) {
    String kind = at.field("kind").text();
    dev.quiver.core.model.OnFail onFail = at.field("on_fail").parsed("warn, skip_row or fail",
        dev.quiver.core.model.OnFail::parse);
    String feature = at.field("feature").textOrNull();
    return at.build(() -> switch (kind) {
      case "not_null" -> {
        at.allowOnly("kind", "feature", "on_fail", "max_null_rate");
        JsonNode rate = at.field("max_null_rate").node();
        yield new dev.quiver.core.model.ValidationRule.NotNull(feature,
            rate.isNull() ? null : at.field("max_null_rate").doubleValue(), onFail);
      }
      case "min", "max" -> {
        at.allowOnly("kind", "feature", "on_fail", "value");
        java.math.BigDecimal value = new java.math.BigDecimal(at.field("value").text());
        yield kind.equals("min") ? new dev.quiver.core.model.ValidationRule.Min(feature, value, onFail)
            : new dev.quiver.core.model.ValidationRule.Max(feature, value, onFail);
      }
      case "allowed" -> {
        at.allowOnly("kind", "feature", "on_fail", "values");
        yield new dev.quiver.core.model.ValidationRule.Allowed(feature, at.field("values").list(JsonAt::text), onFail);
      }
      case "pattern" -> {
        at.allowOnly("kind", "feature", "on_fail", "regex");
        yield new dev.quiver.core.model.ValidationRule.Pattern(feature, at.field("regex").text(), onFail);
      }
      case "expr" -> {
        at.allowOnly("kind", "feature", "on_fail", "expression");
        yield new dev.quiver.core.model.ValidationRule.Expr(feature, at.field("expression").text(), onFail);
      }
      case "row_count" -> {
        at.allowOnly("kind", "feature", "on_fail", "min", "max");
        JsonNode lo = at.field("min").node();
        JsonNode hi = at.field("max").node();
        yield new dev.quiver.core.model.ValidationRule.RowCount(lo.isNull() ? null : at.field("min").longValue(),
            hi.isNull() ? null : at.field("max").longValue(), onFail);
      }
      case "freshness" -> {
        at.allowOnly("kind", "feature", "on_fail", "max_age");
        yield new dev.quiver.core.model.ValidationRule.Freshness(at.field("max_age").durationOrNull(), onFail);
      }
      default -> throw at.damaged("unknown validation rule kind '" + kind + "' (written by a newer Quiver?)");
    });
  }

  private static Feature feature(JsonAt at) {
    String kind = at.field("kind").text();
    return switch (kind) {
      case "column" -> {
        at.allowOnly("kind", "name", "column", "type", "description");
        yield at.build(
            () ->
                new ColumnFeature(
                    at.field("name").text(),
                    at.field("column").text(),
                    at.field("type").valueTypeOrNull(),
                    at.field("description").text()));
      }
      case "aggregate" -> {
        at.allowOnly("kind", "name", "aggregation", "type", "description");
        yield at.build(
            () ->
                new AggregateFeature(
                    at.field("name").text(),
                    aggregation(at.field("aggregation")),
                    at.field("type").valueTypeOrNull(),
                    at.field("description").text()));
      }
      case "derived" -> derived(at);
      default ->
          throw at.field("kind")
              .damaged("unknown feature kind '" + kind + "' (expected column, aggregate or derived)");
    };
  }

  private static DerivedFeature derived(JsonAt at) {
    String kind = at.field("kind").text();
    if (!kind.equals("derived")) {
      throw at.field("kind").damaged("an on-demand view holds only derived features, found '" + kind + "'");
    }
    at.allowOnly("kind", "name", "expression", "type", "description", "transform", "arguments");
    boolean transform = at.node().has("transform");
    return at.build(
        () ->
            new DerivedFeature(
                at.field("name").text(),
                at.field("expression").text(),
                at.field("type").valueTypeOrNull(),
                at.field("description").text(),
                transform ? at.field("transform").text() : null,
                transform ? at.field("arguments").list(JsonAt::text) : List.of()));
  }

  private static Aggregation aggregation(JsonAt at) {
    at.allowOnly("function", "column", "window", "hop", "where", "k", "percentile");
    return at.build(
        () ->
            new Aggregation(
                at.field("function")
                    .parsed("an aggregate function (" + AggregateFunction.spellings() + ")",
                        SnapshotViews::function),
                at.field("column").textOrNull(),
                at.field("window").window(),
                at.field("hop").durationOrNull(),
                at.field("where").textOrNull(),
                at.field("k").intValue(),
                at.field("percentile").doubleValue()));
  }

  /** Only the canonical spellings; the aliases the YAML loader accepts are never written. */
  private static Optional<AggregateFunction> function(String spelling) {
    for (AggregateFunction f : AggregateFunction.values()) {
      if (f.spelling().equals(spelling)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  static OnDemandView onDemandView(JsonAt at) {
    at.allowOnly("name", "version", "inputs", "request_fields", "features", "metadata");
    return at.build(
        () ->
            new OnDemandView(
                at.field("name").text(),
                at.field("version").intValue(),
                at.field("inputs").list(JsonAt::text),
                at.field("request_fields").list(SnapshotViews::requestField),
                at.field("features").list(SnapshotViews::derived),
                SnapshotReader.metadata(at.field("metadata"))));
  }

  private static RequestField requestField(JsonAt at) {
    at.allowOnly("name", "type");
    return at.build(() -> new RequestField(at.field("name").text(), at.field("type").valueType()));
  }
}
