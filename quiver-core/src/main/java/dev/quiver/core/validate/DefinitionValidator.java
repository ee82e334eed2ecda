package dev.quiver.core.validate;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.Names;
import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import dev.quiver.core.QuiverException;
import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.load.Origins;
import dev.quiver.core.derived.Transforms;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.TimestampFormat;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.spi.Transform;
import dev.quiver.core.spi.SourceSchemaReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks definitions as a whole and returns them fully typed, with every feature-service wildcard
 * expanded ({@code user_txn:*} to each feature, keeping the version as written). Service refs and
 * on-demand inputs written without a version stay so: they read the newest version of their view
 * (online, see {@code ServingVersions}). Column types come from the sources' actual files through a
 * {@link SourceSchemaReader}.
 *
 * <p>Views listed as <em>frozen</em> (older versions carried over from the registry) were validated
 * when first applied; only their references are checked again. Not thread-safe: use one instance
 * per validation.
 */
public final class DefinitionValidator {
  private final SourceSchemaReader schemaReader;
  private final Path repoRoot;
  private final ClassLoader transforms;
  private final List<Problem> problems = new ArrayList<>();
  private Origins origins = Origins.none();
  private final Map<String, Map<String, ValueType>> sourceColumns = new HashMap<>();

  /**
   * @param schemaReader reads the sources' files; never null
   * @param repoRoot relative source paths resolve against it
   */
  public DefinitionValidator(SourceSchemaReader schemaReader, Path repoRoot) {
    this(schemaReader, repoRoot, Transforms.defaultLoader());
  }

  /**
   * @param schemaReader reads the sources' files; never null
   * @param repoRoot relative source paths resolve against it
   * @param transforms loads the custom transforms definitions name (see {@link
   *     dev.quiver.core.load.TransformClasspath}); never null
   */
  public DefinitionValidator(SourceSchemaReader schemaReader, Path repoRoot, ClassLoader transforms) {
    this.schemaReader = Objects.requireNonNull(schemaReader, "schemaReader");
    this.repoRoot = Objects.requireNonNull(repoRoot, "repoRoot");
    this.transforms = Objects.requireNonNull(transforms, "transforms");
  }

  /**
   * Validates {@code defs}.
   *
   * @param origins where each definition was written (use {@link Origins#none()} for Java-built ones)
   * @param frozen qualified names ({@code view@vN}) of views carried over unchanged from the registry
   * @return the definitions with every type resolved and every service wildcard expanded
   * @throws DefinitionException listing every problem, in file and line order
   */
  public Definitions validate(Definitions defs, Origins origins, Set<String> frozen) {
    this.origins = origins;
    problems.clear();
    checkNames(defs);
    checkEntities(defs);
    checkSources(defs);
    List<FeatureView> views = new ArrayList<>();
    for (FeatureView v : defs.views()) {
      views.add(frozen.contains(v.qualifiedName()) ? checkFrozen(v, defs) : new ViewChecker(this, defs, v).check());
    }
    Definitions typedViews = new Definitions(defs.project(), defs.entities(), defs.sources(), views, defs.onDemandViews(), defs.services(), defs.permissions());
    List<OnDemandView> odvs = new ArrayList<>();
    for (OnDemandView o : defs.onDemandViews()) {
      odvs.add(new OnDemandChecker(this, typedViews, o).check());
    }
    checkSharedRequestFields(defs.onDemandViews());
    Definitions typed = new Definitions(defs.project(), defs.entities(), defs.sources(), views, odvs, defs.services(), defs.permissions());
    List<FeatureService> services = new ArrayList<>();
    for (FeatureService s : defs.services()) {
      services.add(checkService(s, typed));
    }
    PermissionChecker.check(this, defs);
    if (!problems.isEmpty()) {
      throw new DefinitionException(problems.stream().distinct().sorted().toList());
    }
    return new Definitions(defs.project(), defs.entities(), defs.sources(), views, odvs, services, defs.permissions());
  }

  /**
   * Request data is named, not owned: one request (or one query row) carries one {@code amount} for
   * every on-demand view that reads it, so two on-demand views (their newest versions) must declare a
   * shared request field with one type.
   */
  private void checkSharedRequestFields(List<OnDemandView> all) {
    Map<String, OnDemandView> newest = new java.util.LinkedHashMap<>();
    for (OnDemandView o : all) {
      newest.merge(o.name(), o, (a, b) -> a.version() >= b.version() ? a : b);
    }
    Map<String, OnDemandView> firstWith = new java.util.HashMap<>();
    for (OnDemandView o : newest.values()) {
      for (dev.quiver.core.model.RequestField r : o.requestFields()) {
        OnDemandView other = firstWith.putIfAbsent(r.name(), o);
        if (other == null) {
          continue;
        }
        var theirs = other.requestFields().stream().filter(f -> f.name().equals(r.name())).findFirst().orElseThrow();
        if (!theirs.type().equals(r.type())) {
          problem(Origins.onDemandView(o.name(), o.version()) + "/request", "request field '" + r.name() + "' is "
              + r.type().spelling() + " here but " + theirs.type().spelling() + " in on-demand view '" + other.name()
              + "'; a request carries one '" + r.name() + "' for every view that reads it, so declare it with one type"
              + " (or give one of them another name)");
        }
      }
    }
  }

  // ---- shared with the per-view checkers ---------------------------------------------------

  void problem(String elementPath, String message) {
    problems.add(new Problem(origins.of(elementPath), message));
  }

  Origin origin(String elementPath) {
    return origins.of(elementPath);
  }

  /** The source's columns after field mapping, or null when they could not be read. */
  Map<String, ValueType> columns(Source source) {
    return sourceColumns.get(source.name());
  }

  ValueType parseAndType(String elementPath, String what, String text, Map<String, ValueType> scope) {
    try {
      return ExpressionTyping.type(ExpressionTyping.parse(text), scope);
    } catch (ExpressionException e) {
      problem(elementPath, what + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * The type of a derived feature, or null after reporting why it has none: its expression's type,
   * or what its custom transform says for the types of its arguments (the class is loaded here, so
   * a missing or non-conforming class is reported with the definition's file and line).
   */
  ValueType typeDerived(String featureKey, String what, DerivedFeature d, Map<String, ValueType> scope) {
    if (!d.isTransform()) {
      return parseAndType(featureKey + "/expr", what, d.expression(), scope);
    }
    List<ValueType> types = new ArrayList<>();
    for (int i = 0; i < d.arguments().size(); i++) {
      ValueType t = parseAndType(featureKey + "/args", what + ", argument " + (i + 1), d.arguments().get(i), scope);
      if (t == null) {
        return null;
      }
      types.add(t);
    }
    Transform transform;
    try {
      transform = Transforms.load(d.transform(), transforms);
    } catch (QuiverException e) {
      problem(featureKey + "/transform", what + ": " + e.getMessage());
      return null;
    }
    String signature = d.transform() + "(" + String.join(", ", types.stream().map(ValueType::spelling).toList()) + ")";
    try {
      ValueType result = transform.resultType(List.copyOf(types));
      if (result == null) {
        problem(featureKey + "/transform", what + ": transform " + signature + " gave no result type; resultType must return one");
      }
      return result;
    } catch (IllegalArgumentException e) {
      problem(featureKey + "/args", what + ": transform " + signature + " does not take these arguments: " + e.getMessage());
    } catch (RuntimeException e) {
      problem(featureKey + "/transform", what + ": transform " + d.transform() + " failed in resultType: " + e);
    }
    return null;
  }

  // ---- names, entities, sources -----------------------------------------------------------

  private void checkNames(Definitions defs) {
    Map<String, String> kinds = new HashMap<>();
    for (Entity e : defs.entities()) {
      name(Origins.entity(e.name()), "entity", e.name());
      unique(kinds, "entity " + e.name(), Origins.entity(e.name()), "an entity");
    }
    for (Source s : defs.sources()) {
      name(Origins.source(s.name()), "source", s.name());
      unique(kinds, "source " + s.name(), Origins.source(s.name()), "a source");
    }
    Set<String> viewNames = new HashSet<>();
    for (FeatureView v : defs.views()) {
      String key = Origins.view(v.name(), v.version());
      name(key, "feature view", v.name());
      version(key, v.qualifiedName(), v.version());
      unique(kinds, "view " + v.name() + "@" + v.version(), key, "feature view " + v.qualifiedName());
      viewNames.add(v.name());
    }
    for (OnDemandView o : defs.onDemandViews()) {
      String key = Origins.onDemandView(o.name(), o.version());
      name(key, "on-demand view", o.name());
      version(key, o.qualifiedName(), o.version());
      unique(kinds, "view " + o.name() + "@" + o.version(), key, "view " + o.qualifiedName());
      if (viewNames.contains(o.name())) {
        problem(key, "on-demand view '" + o.name() + "' has the name of a feature view; views and on-demand views share one namespace, rename one");
      }
    }
    for (FeatureService s : defs.services()) {
      String key = Origins.service(s.name(), s.version());
      name(key, "feature service", s.name());
      version(key, s.qualifiedName(), s.version());
      unique(kinds, "service " + s.name() + "@" + s.version(), key, "feature service " + s.qualifiedName());
    }
  }

  private void name(String key, String what, String name) {
    if (!Names.isValid(name)) {
      problem(key, what + " name '" + name + "' is invalid: " + Names.rule());
    }
  }

  private void version(String key, String what, int version) {
    if (version < 1) {
      problem(key, what + ": version must be 1 or more");
    }
  }

  private void unique(Map<String, String> seen, String id, String key, String what) {
    Origin here = origins.of(key);
    String first = seen.putIfAbsent(id, here.toString());
    if (first != null) {
      problem(key, what + " is defined twice (first at " + first + "); give one a different name or version");
    }
  }

  private void checkEntities(Definitions defs) {
    for (Entity e : defs.entities()) {
      String key = Origins.entity(e.name());
      if (e.joinKeys().isEmpty()) {
        problem(key, "entity '" + e.name() + "' needs at least one join key");
      }
      Set<String> seen = new HashSet<>();
      for (JoinKey k : e.joinKeys()) {
        name(key, "join key", k.name());
        if (!seen.add(k.name())) {
          problem(key, "entity '" + e.name() + "' lists join key '" + k.name() + "' twice");
        }
      }
    }
  }

  private void checkSources(Definitions defs) {
    for (Source s : defs.sources()) {
      String key = Origins.source(s.name());
      List<SourceColumn> raw;
      try {
        raw = switch (s) {
          case FileSource f -> f.isLocal() ? schemaReader.columns(f, repoRoot) : declaredColumns(f);
          case StreamSource st -> schemaReader.columns(st.batch(), repoRoot); // the twin's files give the stream's columns
        };
      } catch (QuiverException e) {
        String prefix = "source '" + s.name() + "': ";
        problem(key + "/path", e.getMessage().startsWith(prefix) ? e.getMessage() : prefix + e.getMessage());
        continue;
      }
      Map<String, ValueType> rawTypes = new LinkedHashMap<>();
      Map<String, String> nativeTypes = new HashMap<>();
      for (SourceColumn c : raw) {
        rawTypes.put(c.name(), c.type());
        nativeTypes.put(c.name(), c.nativeType());
      }
      Map<String, ValueType> mapped = new LinkedHashMap<>();
      Map<String, String> mappedFrom = new HashMap<>();
      for (var c : rawTypes.entrySet()) {
        String name = s.fieldMapping().getOrDefault(c.getKey(), c.getKey());
        String other = mappedFrom.putIfAbsent(name, c.getKey());
        if (other != null) {
          String renamed = s.fieldMapping().containsKey(c.getKey()) ? c.getKey() : other;
          problem(key + "/field_mapping", "source '" + s.name() + "' maps column '" + renamed + "' to '" + name
              + "', a name its column '" + (renamed.equals(other) ? c.getKey() : other) + "' already has"
              + "; map that column to another name too, or choose another name");
          continue;
        }
        mapped.put(name, c.getValue());
      }
      for (String from : s.fieldMapping().keySet()) {
        if (!rawTypes.containsKey(from)) {
          problem(key + "/field_mapping", "source '" + s.name() + "' maps column '" + from
              + "', which its files do not have" + Names.didYouMean(from, rawTypes.keySet())
              + " (columns: " + String.join(", ", rawTypes.keySet()) + ")");
        }
      }
      timestampColumn(s, key + "/timestamp", "timestamp", s.timestampColumn(), mapped, nativeTypes);
      if (s.createdColumn() != null) {
        timestampColumn(s, key + "/created", "created", s.createdColumn(), mapped, nativeTypes);
      }
      sourceColumns.put(s.name(), mapped);
    }
  }

  /**
   * The columns a source this machine cannot read declares ({@code schema}); they are not checked
   * against data here (the engine that reads the source does, when it runs).
   */
  private static List<SourceColumn> declaredColumns(FileSource f) {
    List<SourceColumn> out = new ArrayList<>();
    f.table().schema().forEach((name, type) -> out.add(new SourceColumn(name, type, type.spelling() + " (declared)")));
    return out;
  }

  private void timestampColumn(Source s, String key, String field, String column,
      Map<String, ValueType> columns, Map<String, String> nativeTypes) {
    TimestampFormat format = s.batch().timestampFormat();
    if (!columns.containsKey(column)) {
      problem(key, "source '" + s.name() + "': " + field + " column '" + column + "' is not in its "
          + (s.batch().isLocal() ? "files" : "declared schema")
          + Names.didYouMean(column, columns.keySet()) + " (columns: " + String.join(", ", columns.keySet()) + ")");
      return;
    }
    ValueType t = columns.get(column);
    String is = describe(t, nativeTypes.get(column));
    switch (format.kind()) {
      case TIMESTAMP -> {
        if (t != ScalarType.TIMESTAMP) {
          problem(key, "source '" + s.name() + "': " + field + " column '" + column + "' must hold timestamps but is "
              + is + "; point '" + field + "' at a timestamp column" + (t instanceof ScalarType st && st.isIntegral()
                  ? ", or say how it is written: timestamp_format: epoch_seconds (or epoch_millis, epoch_micros)"
                  : t == ScalarType.STRING ? ", or give its pattern: timestamp_format: yyyy-MM-dd HH:mm:ss" : ""));
        }
      }
      case PATTERN -> {
        if (t != ScalarType.STRING) {
          problem(Origins.source(s.name()) + "/timestamp_format", "source '" + s.name() + "': timestamp_format '"
              + format.spelling() + "' reads strings, but " + field + " column '" + column + "' is " + is
              + "; remove timestamp_format" + (t == ScalarType.TIMESTAMP ? "" : " or use an epoch format"));
        }
      }
      default -> {
        if (!(t instanceof ScalarType st && st.isIntegral())) {
          problem(Origins.source(s.name()) + "/timestamp_format", "source '" + s.name() + "': timestamp_format "
              + format.spelling() + " reads integers, but " + field + " column '" + column + "' is " + is
              + "; remove timestamp_format" + (t == ScalarType.STRING ? " or give the strings' pattern" : ""));
        }
      }
    }
  }

  static String describe(ValueType t, String nativeType) {
    return t == null ? nativeType + " (not a Quiver type)" : t.spelling();
  }

  private FeatureView checkFrozen(FeatureView v, Definitions defs) {
    String key = Origins.view(v.name(), v.version());
    if (defs.source(v.source()).isEmpty()) {
      problem(key, "feature view " + v.qualifiedName() + " (kept from the registry) reads source '"
          + v.source() + "', which is no longer defined; keep the source or remove the old version with apply --prune");
    }
    for (String e : v.entities()) {
      if (defs.entity(e).isEmpty()) {
        problem(key, "feature view " + v.qualifiedName() + " (kept from the registry) uses entity '"
            + e + "', which is no longer defined; keep the entity or remove the old version with apply --prune");
      }
    }
    return v;
  }

  // ---- services ----------------------------------------------------------------------------

  private FeatureService checkService(FeatureService s, Definitions typed) {
    String key = Origins.service(s.name(), s.version());
    List<FeatureRef> expanded = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    if (s.features().isEmpty()) {
      problem(key, "feature service '" + s.name() + "' lists no features");
    }
    for (FeatureRef ref : s.features()) {
      String refKey = key + "/ref:" + ref;
      List<String> names = new ArrayList<>();
      int version;
      var view = typed.view(ref.view(), ref.version());
      var odv = typed.onDemandView(ref.view(), ref.version());
      if (view.isPresent()) {
        version = view.get().version();
        view.get().features().forEach(f -> names.add(f.name()));
      } else if (odv.isPresent()) {
        version = odv.get().version();
        odv.get().features().forEach(f -> names.add(f.name()));
      } else {
        boolean exists = typed.view(ref.view(), 0).isPresent() || typed.onDemandView(ref.view(), 0).isPresent();
        List<String> all = new ArrayList<>();
        typed.views().forEach(v -> all.add(v.name()));
        typed.onDemandViews().forEach(o -> all.add(o.name()));
        problem(refKey, "feature service '" + s.name() + "' refers to " + ref + ", but "
            + (exists ? "view '" + ref.view() + "' has no version " + ref.version()
                : "no view '" + ref.view() + "' is defined" + Names.didYouMean(ref.view(), all)));
        continue;
      }
      List<String> features = ref.wildcard() ? names : List.of(ref.feature());
      for (String f : features) {
        if (!names.contains(f)) {
          problem(refKey, "feature service '" + s.name() + "' refers to " + ref + ", but view "
              + ref.view() + "@v" + version + " has no feature '" + f + "'" + Names.didYouMean(f, names));
          continue;
        }
        FeatureRef p = new FeatureRef(ref.view(), ref.version(), f); // unpinned refs stay unpinned: they follow the newest version
        if (!seen.add(new FeatureRef(ref.view(), version, f).toString())) {
          problem(refKey, "feature service '" + s.name() + "' lists " + ref.view() + "@v" + version + ":" + f + " twice");
          continue;
        }
        expanded.add(p);
      }
    }
    return s.withFeatures(expanded);
  }
}
