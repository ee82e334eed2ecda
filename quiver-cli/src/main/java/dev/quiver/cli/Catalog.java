package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
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
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.Source;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Read-side helpers over applied definitions: lookups, feature rows, filters, lineage. */
final class Catalog {
  private Catalog() {}

  /** One feature as discovery shows it; owner and tags are the view's. */
  record FeatureRow(FeatureRef ref, String kind, String type, String definition, Metadata viewMetadata, String description,
      Feature feature) {}

  static RegistrySnapshot snapshot(FeatureRepo repo, String version) {
    if (version == null || version.equals("latest")) {
      return repo.registry().latest().orElseThrow(() ->
          new NotFoundException("the registry is empty: run 'quiver apply' first"));
    }
    try {
      return repo.registry().read(Long.parseLong(version.strip()));
    } catch (NumberFormatException e) {
      throw new QuiverException("'" + version + "' is not a registry version; give a number or 'latest'");
    }
  }

  static List<FeatureRow> features(Definitions d) {
    List<FeatureRow> rows = new ArrayList<>();
    for (FeatureView v : d.views()) {
      for (Feature f : v.features()) {
        rows.add(new FeatureRow(new FeatureRef(v.name(), v.version(), f.name()), kind(f),
            f.type() == null ? "?" : f.type().spelling(), definition(f), v.metadata(), f.description(), f));
      }
    }
    for (OnDemandView o : d.onDemandViews()) {
      for (DerivedFeature f : o.features()) {
        rows.add(new FeatureRow(new FeatureRef(o.name(), o.version(), f.name()), "on-demand",
            f.type() == null ? "?" : f.type().spelling(), f.expression(), o.metadata(), f.description(), f));
      }
    }
    return rows;
  }

  static String kind(Feature f) {
    return switch (f) {
      case ColumnFeature c -> "column";
      case AggregateFeature a -> "aggregate";
      case DerivedFeature x -> "derived";
    };
  }

  /**
   * A feature's definition in one line; an aggregate's with every parameter: {@code last_k(amount,
   * k=5) over 7d hop 1h where channel = 'online'}, {@code approx_percentile(amount, percentile=0.95)
   * over 30d hop 1h}. The hop is the effective one (the default when none is declared).
   */
  static String definition(Feature f) {
    return switch (f) {
      case ColumnFeature c -> "column " + c.column();
      case AggregateFeature a -> {
        Aggregation g = a.aggregation();
        StringBuilder s = new StringBuilder(g.function().spelling()).append('(').append(g.column() == null ? "*" : g.column());
        if (g.function() == AggregateFunction.LAST_K) {
          s.append(", k=").append(g.k());
        }
        if (g.function() == AggregateFunction.APPROX_PERCENTILE) {
          s.append(", percentile=").append(number(g.percentile()));
        }
        s.append(") over ").append(g.window().spelling()).append(" hop ").append(Durations.format(g.effectiveHop()));
        yield s.append(g.where() == null ? "" : " where " + g.where()).toString();
      }
      case DerivedFeature x -> x.expression();
    };
  }

  /**
   * An aggregation's parameters as JSON, as definitions spell them: {@code fn, column, window, hop}
   * (the effective hop), {@code where}, {@code k} and {@code percentile} (null where they do not
   * apply).
   */
  static ObjectNode aggregationJson(Aggregation g) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("fn", g.function().spelling());
    n.put("column", g.column());
    n.put("window", g.window().spelling());
    n.put("hop", Durations.format(g.effectiveHop()));
    n.put("where", g.where());
    if (g.function() == AggregateFunction.LAST_K) {
      n.put("k", g.k());
    } else {
      n.putNull("k");
    }
    if (g.function() == AggregateFunction.APPROX_PERCENTILE) {
      n.put("percentile", g.percentile());
    } else {
      n.putNull("percentile");
    }
    return n;
  }

  private static String number(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** Name filter: a case-insensitive substring, or a glob when it contains {@code *} or {@code ?}. */
  static boolean nameMatches(String pattern, String name) {
    if (pattern == null || pattern.isEmpty()) {
      return true;
    }
    String p = pattern.toLowerCase(Locale.ROOT);
    String n = name.toLowerCase(Locale.ROOT);
    if (p.contains("*") || p.contains("?")) {
      String regex = ("\\Q" + p + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
      return Pattern.matches(regex, n);
    }
    return n.contains(p);
  }

  /** All {@code key[=value]} tag filters hold, and the owner matches when given. */
  static boolean metadataMatches(Metadata m, List<String> tags, String owner) {
    if (owner != null && !owner.equalsIgnoreCase(m.owner())) {
      return false;
    }
    for (String t : tags) {
      int eq = t.indexOf('=');
      if (!m.hasTag(eq < 0 ? t : t.substring(0, eq), eq < 0 ? null : t.substring(eq + 1))) {
        return false;
      }
    }
    return true;
  }

  /** The services ({@code name@vN}) that read a feature; {@code feature} null means any feature of the view. */
  static List<String> consumers(Definitions d, String view, int version, String feature) {
    List<String> out = new ArrayList<>();
    for (FeatureService s : d.services()) {
      for (FeatureRef r : s.features()) {
        if (r.view().equals(view) && FeatureResolver.versionRead(d, r) == version && (feature == null || r.feature().equals(feature))) {
          out.add(s.qualifiedName());
          break;
        }
      }
    }
    return out;
  }

  static void printSummary(Definitions d, PrintWriter out) {
    out.printf("project %s: %d entities, %d sources, %d feature views, %d on-demand views, %d feature services%n",
        d.project(), d.entities().size(), d.sources().size(), d.views().size(), d.onDemandViews().size(), d.services().size());
    for (Entity e : d.entities()) {
      out.printf("  entity %s (%s)%n", e.name(), joinKeys(e));
    }
    for (Source s : d.sources()) {
      out.printf("  source %s%n", s.name());
    }
    for (FeatureView v : d.views()) {
      out.printf("  feature view %s: %d features on %s%n", v.qualifiedName(), v.features().size(), String.join(", ", v.entities()));
    }
    for (OnDemandView o : d.onDemandViews()) {
      out.printf("  on-demand view %s: %d features%n", o.qualifiedName(), o.features().size());
    }
    for (FeatureService s : d.services()) {
      out.printf("  feature service %s: %d features%n", s.qualifiedName(), s.features().size());
    }
  }

  static String joinKeys(Entity e) {
    return String.join(", ", e.joinKeys().stream().map(k -> k.name() + " " + k.type().spelling()).toList());
  }

  static String tags(Metadata m) {
    return String.join(",", m.tags().entrySet().stream()
        .map(t -> t.getValue().isEmpty() ? t.getKey() : t.getKey() + "=" + t.getValue()).toList());
  }
}
