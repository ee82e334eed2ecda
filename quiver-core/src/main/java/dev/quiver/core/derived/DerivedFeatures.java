package dev.quiver.core.derived;

import dev.quiver.core.QuiverException;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
import dev.quiver.core.expr.Expression;
import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.spi.Transform;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Every derived feature of one registry version, parsed and with its custom transform loaded, once;
 * and the {@link DerivedPlan}s built from them, cached per list of requested features (a feature
 * service asks for the same list every time, so a request only looks its plan up). Online reads
 * also keep here what else is computed once per registry version: feature resolutions ({@link
 * #resolve}) and the tile layouts of window aggregates ({@link #tileLayout}).
 *
 * <p>Thread-safe. Build one per registry version with {@link #of}.
 */
public final class DerivedFeatures {
  private static final int MAX_CACHED_PLANS = 512;

  /**
   * One derived feature: its expressions (one, or a transform's arguments) and what they read;
   * {@code texts} are the expressions as written, from which a serialized {@link DerivedPlan} rebuilds it.
   */
  record Node(FeatureRef ref, ValueType type, List<Expression> expressions, Transform transform,
      String transformClass, Map<String, Input> inputs, List<String> texts) {}

  /** What a reference name reads: another feature, or a request field. */
  sealed interface Input extends java.io.Serializable permits FeatureInput, RequestInput {}

  record FeatureInput(FeatureRef ref, ValueType type) implements Input {}

  record RequestInput(RequestField field, String owner) implements Input {}

  /** The last few compiled definitions, by identity: a registry version decoded once compiles once. */
  private static final DerivedFeatures[] RECENT = new DerivedFeatures[4];
  private static int next;

  private final Definitions defs;
  private final ClassLoader loader;
  private final FeatureResolver.Latest latest;
  private final Map<FeatureRef, Node> nodes;
  private final Map<List<FeatureRef>, DerivedPlan> plans = new ConcurrentHashMap<>();
  private final Map<List<FeatureRef>, List<FeatureResolver.Resolved>> resolutions = new ConcurrentHashMap<>();
  private final Map<TileKey, TileLayout> tileLayouts = new ConcurrentHashMap<>();

  /** A view of these definitions (by identity: no deep record hash per read) and a tile row's signature. */
  private record TileKey(FeatureView view, String signature) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TileKey k && k.view == view && k.signature.equals(signature);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(view) * 31 + signature.hashCode();
    }
  }

  private DerivedFeatures(Definitions defs, ClassLoader loader, FeatureResolver.Latest latest, Map<FeatureRef, Node> nodes) {
    this.defs = defs;
    this.loader = loader;
    this.latest = latest;
    this.nodes = nodes;
  }

  /** {@link #of(Definitions, ClassLoader)} with transforms from {@link Transforms#defaultLoader()}. */
  public static DerivedFeatures of(Definitions defs) {
    return of(defs, Transforms.defaultLoader());
  }

  /**
   * Compiles every derived feature of validated definitions, loading custom transforms with {@code
   * loader} (see {@link dev.quiver.core.load.TransformClasspath}).
   *
   * @throws QuiverException when a transform class cannot be loaded here (the definitions were
   *     checked at apply, so this means the class is missing from this process's classpath)
   */
  public static DerivedFeatures of(Definitions defs, ClassLoader loader) {
    return of(defs, loader, FeatureResolver.Latest.NEWEST);
  }

  /**
   * Like {@link #of(Definitions)}, with unpinned refs (requested ones, and the inputs of on-demand
   * views written without a version) reading the versions {@code latest} picks.
   */
  public static DerivedFeatures of(Definitions defs, FeatureResolver.Latest latest) {
    return of(defs, Transforms.defaultLoader(), latest);
  }

  /**
   * Like {@link #of(Definitions, ClassLoader)}, with unpinned refs reading the versions {@code latest}
   * picks.
   */
  public static DerivedFeatures of(Definitions defs, ClassLoader loader, FeatureResolver.Latest latest) {
    Map<String, Transform> transforms = new HashMap<>();
    Function<String, Transform> load = name -> transforms.computeIfAbsent(name, n -> Transforms.load(n, loader));
    Map<FeatureRef, Node> nodes = new HashMap<>();
    for (FeatureView v : defs.views()) {
      for (Feature f : v.features()) {
        if (f instanceof DerivedFeature d) {
          Map<String, Input> inputs = new LinkedHashMap<>();
          List<Expression> parsed = parse(v.qualifiedName(), d);
          for (Expression e : parsed) {
            for (String name : e.references()) {
              Feature other = v.feature(name).orElseThrow(() -> unknown(v.qualifiedName(), d, name));
              inputs.put(name, new FeatureInput(new FeatureRef(v.name(), v.version(), name), other.type()));
            }
          }
          node(nodes, load, new FeatureRef(v.name(), v.version(), d.name()), d, parsed, inputs);
        }
      }
    }
    for (OnDemandView o : defs.onDemandViews()) {
      Map<String, FeatureRef> byName = new HashMap<>();
      for (String input : o.inputs()) {
        FeatureRef in = FeatureRef.of(input + ":*");
        byName.put(in.view(), in);
      }
      Map<String, RequestField> fields = new HashMap<>();
      o.requestFields().forEach(r -> fields.put(r.name(), r));
      for (DerivedFeature d : o.features()) {
        Map<String, Input> inputs = new LinkedHashMap<>();
        List<Expression> parsed = parse(o.qualifiedName(), d);
        for (Expression e : parsed) {
          for (String name : e.references()) {
            inputs.put(name, odvInput(defs, latest, o, d, name, byName, fields));
          }
        }
        node(nodes, load, new FeatureRef(o.name(), o.version(), d.name()), d, parsed, inputs);
      }
    }
    return new DerivedFeatures(defs, loader, latest, Map.copyOf(nodes));
  }

  /**
   * Like {@link #of}, but answers the same instance for the same {@code Definitions} object (by
   * identity) among the last four compiled, so callers holding a decoded registry version can ask
   * per request.
   */
  public static DerivedFeatures cached(Definitions defs) {
    return cached(defs, Transforms.defaultLoader(), FeatureResolver.Latest.NEWEST);
  }

  /** Like {@link #of(Definitions, ClassLoader)}, cached as {@link #cached(Definitions)} by definitions and loader. */
  public static DerivedFeatures cached(Definitions defs, ClassLoader loader) {
    return cached(defs, loader, FeatureResolver.Latest.NEWEST);
  }

  /**
   * Like {@link #of(Definitions, FeatureResolver.Latest)}, cached as {@link #cached(Definitions)} by
   * definitions and an equal policy.
   */
  public static DerivedFeatures cached(Definitions defs, FeatureResolver.Latest latest) {
    return cached(defs, Transforms.defaultLoader(), latest);
  }

  /**
   * Like {@link #of(Definitions, ClassLoader, FeatureResolver.Latest)}, but answers the same instance
   * for the same {@code Definitions} object (by identity), loader and an equal policy among the last
   * four compiled.
   */
  public static DerivedFeatures cached(Definitions defs, ClassLoader loader, FeatureResolver.Latest latest) {
    synchronized (RECENT) {
      for (DerivedFeatures d : RECENT) {
        if (d != null && d.defs == defs && d.loader == loader && d.latest.equals(latest)) {
          return d;
        }
      }
    }
    DerivedFeatures compiled = of(defs, loader, latest);
    synchronized (RECENT) {
      RECENT[next] = compiled;
      next = (next + 1) % RECENT.length;
    }
    return compiled;
  }

  private static Input odvInput(Definitions defs, FeatureResolver.Latest latest, OnDemandView o, DerivedFeature d, String name,
      Map<String, FeatureRef> views, Map<String, RequestField> fields) {
    int dot = name.indexOf('.');
    if (dot < 0) {
      DerivedFeature other = o.feature(name).orElseThrow(() -> unknown(o.qualifiedName(), d, name));
      return new FeatureInput(new FeatureRef(o.name(), o.version(), name), other.type());
    }
    String head = name.substring(0, dot);
    String rest = name.substring(dot + 1);
    FeatureRef in = views.get(head);
    FeatureView v = in == null ? null : defs.view(in.view(), in.version()).orElse(null);
    if (v != null && v.feature(rest).isPresent()) {
      FeatureView chosen = in.pinned() ? v : latest.choose(v, rest);
      FeatureView read = chosen.feature(rest).isPresent() ? chosen : v;
      return new FeatureInput(new FeatureRef(read.name(), read.version(), rest), read.feature(rest).get().type());
    }
    if (head.equals("request") && fields.containsKey(rest)) {
      return new RequestInput(fields.get(rest), o.qualifiedName());
    }
    throw unknown(o.qualifiedName(), d, name);
  }

  private static void node(Map<FeatureRef, Node> nodes, Function<String, Transform> load, FeatureRef ref,
      DerivedFeature d, List<Expression> parsed, Map<String, Input> inputs) {
    if (d.type() == null) {
      throw new QuiverException(ref + " has no type; the registry holds only validated definitions");
    }
    Transform t = d.isTransform() ? load.apply(d.transform()) : null;
    nodes.put(ref, new Node(ref, d.type(), parsed, t, d.transform(), Map.copyOf(inputs), List.copyOf(d.expressions())));
  }

  private static List<Expression> parse(String owner, DerivedFeature d) {
    List<Expression> out = new ArrayList<>();
    for (String text : d.expressions()) {
      try {
        out.add(ExpressionParser.parse(text));
      } catch (ExpressionException e) {
        throw new QuiverException(owner + ":" + d.name() + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static QuiverException unknown(String owner, DerivedFeature d, String name) {
    return new QuiverException(owner + ":" + d.name() + " reads '" + name + "', which the registry does not define");
  }

  /**
   * Builds one plan over every derived feature, so that what serving them needs is checked now rather
   * than by the first request that asks: each expression compiles against its inputs' types, every
   * input resolves, no cycle. A server loading a registry version calls it before serving the version.
   *
   * @return this
   * @throws QuiverException naming a feature that does not compile (one whose inputs do), and why
   */
  public DerivedFeatures compileAll() {
    List<FeatureRef> refs = new ArrayList<>(); // dependencies first, so a failure names the feature at fault
    Set<FeatureRef> seen = new HashSet<>();
    nodes.keySet().stream().sorted(Comparator.comparing(FeatureRef::toString)).forEach(r -> dependenciesFirst(r, seen, refs));
    for (FeatureRef ref : refs) {
      try {
        DerivedPlan.build(List.of(ref), List.of(nodes.get(ref).type()), nodes);
      } catch (QuiverException e) {
        throw new QuiverException("derived feature " + ref + " does not compile: " + e.getMessage(), e);
      }
    }
    return this;
  }

  private void dependenciesFirst(FeatureRef ref, Set<FeatureRef> seen, List<FeatureRef> out) {
    if (!seen.add(ref)) {
      return;
    }
    for (Input in : nodes.get(ref).inputs().values()) {
      if (in instanceof FeatureInput f && nodes.containsKey(f.ref())) {
        dependenciesFirst(f.ref(), seen, out);
      }
    }
    out.add(ref);
  }

  /** The policy unpinned refs are resolved with. */
  public FeatureResolver.Latest latest() {
    return latest;
  }

  /** The definitions compiled. */
  public Definitions definitions() {
    return defs;
  }

  /** True when the feature is computed here (a derived feature of a view, or of an on-demand view). */
  public boolean isDerived(FeatureRef pinned) {
    return nodes.containsKey(pinned);
  }

  /** True when any of the resolved features is derived. */
  public boolean anyDerived(List<FeatureResolver.Resolved> resolved) {
    for (FeatureResolver.Resolved r : resolved) {
      if (nodes.containsKey(r.ref())) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@link FeatureResolver#resolve} over these definitions, remembered per list of refs (up to the
   * same bound as plans), so a server answering the same feature lists resolves each once.
   *
   * @throws dev.quiver.core.NotFoundException as {@link FeatureResolver#resolve}; failures are not remembered
   */
  public List<FeatureResolver.Resolved> resolve(List<FeatureRef> refs) {
    List<FeatureResolver.Resolved> known = resolutions.get(refs);
    if (known != null) {
      return known;
    }
    List<FeatureResolver.Resolved> resolved = List.copyOf(FeatureResolver.resolve(defs, refs, latest));
    if (resolutions.size() < MAX_CACHED_PLANS) {
      resolutions.putIfAbsent(List.copyOf(refs), resolved);
    }
    return resolved;
  }

  /**
   * The layout a stored tile row of {@code view} (a view of these definitions, as their resolutions
   * return it) was written with, made once per view and row signature.
   *
   * @throws QuiverException when the row does not fit the view: other input types, or (rows of
   *     format 2 on, {@link TileRowHeader}) other tile families
   */
  public TileLayout tileLayout(FeatureView view, byte[] row) {
    TileRowHeader header = TileRowHeader.of(row);
    TileLayout layout = tileLayouts.computeIfAbsent(new TileKey(view, header.signature()),
        k -> TileLayout.ofSignature(view, header.signature()));
    if (!header.fits(layout)) {
      throw new QuiverException(header.misfit(layout));
    }
    return layout;
  }

  /**
   * The plan computing these features (in this order); built once per list and cached.
   *
   * @param resolved the requested features, as {@link FeatureResolver#resolve} gives them
   * @throws QuiverException when the definitions are inconsistent (which validation prevents)
   */
  public DerivedPlan plan(List<FeatureResolver.Resolved> resolved) {
    List<FeatureRef> refs = new ArrayList<>(resolved.size());
    List<ValueType> types = new ArrayList<>(resolved.size());
    for (FeatureResolver.Resolved r : resolved) {
      refs.add(r.ref());
      types.add(switch (r) {
        case FeatureResolver.ViewFeature vf -> vf.feature().type();
        case FeatureResolver.OnDemandFeature of -> of.feature().type();
      });
    }
    List<FeatureRef> key = List.copyOf(refs);
    DerivedPlan plan = plans.get(key);
    if (plan == null) {
      plan = DerivedPlan.build(key, types, nodes);
      if (plans.size() < MAX_CACHED_PLANS) {
        plans.putIfAbsent(key, plan);
      }
    }
    return plan;
  }
}
