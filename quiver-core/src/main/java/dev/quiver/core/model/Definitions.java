package dev.quiver.core.model;

import dev.quiver.core.security.Permission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything one project defines: entities, sources, feature views, on-demand views, feature
 * services and permissions. Immutable; lists are kept sorted by name then version, so two sets of definitions are
 * equal exactly when they define the same things, whatever file or call order produced them.
 *
 * <p>Built by the YAML loader or by {@link #builder(String)}; both produce equal objects for the same
 * definitions.
 */
public record Definitions(
    String project,
    List<Entity> entities,
    List<Source> sources,
    List<FeatureView> views,
    List<OnDemandView> onDemandViews,
    List<FeatureService> services,
    List<Permission> permissions) {

  /** Definitions without permissions (everything is allowed). */
  public Definitions(
      String project,
      List<Entity> entities,
      List<Source> sources,
      List<FeatureView> views,
      List<OnDemandView> onDemandViews,
      List<FeatureService> services) {
    this(project, entities, sources, views, onDemandViews, services, List.of());
  }

  public Definitions {
    Objects.requireNonNull(project, "project");
    entities = sorted(entities, Comparator.comparing(Entity::name));
    sources = sorted(sources, Comparator.comparing(Source::name));
    views =
        sorted(
            views, Comparator.comparing(FeatureView::name).thenComparingInt(FeatureView::version));
    onDemandViews =
        sorted(
            onDemandViews,
            Comparator.comparing(OnDemandView::name).thenComparingInt(OnDemandView::version));
    services =
        sorted(
            services,
            Comparator.comparing(FeatureService::name).thenComparingInt(FeatureService::version));
    permissions = sorted(permissions, Comparator.comparing(Permission::name));
  }

  /** The same definitions with other permissions. */
  public Definitions withPermissions(List<Permission> permissions) {
    return new Definitions(project, entities, sources, views, onDemandViews, services, permissions);
  }

  public Optional<Permission> permission(String name) {
    return permissions.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** An empty project. */
  public static Definitions empty(String project) {
    return new Definitions(project, List.of(), List.of(), List.of(), List.of(), List.of());
  }

  public static Builder builder(String project) {
    return new Builder(project);
  }

  public Optional<Entity> entity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<Source> source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The given version of a view; version 0 means the latest. */
  public Optional<FeatureView> view(String name, int version) {
    return latestOrExact(views, name, version, FeatureView::name, FeatureView::version);
  }

  /** The given version of an on-demand view; version 0 means the latest. */
  public Optional<OnDemandView> onDemandView(String name, int version) {
    return latestOrExact(onDemandViews, name, version, OnDemandView::name, OnDemandView::version);
  }

  /** The given version of a feature service; version 0 means the latest. */
  public Optional<FeatureService> service(String name, int version) {
    return latestOrExact(services, name, version, FeatureService::name, FeatureService::version);
  }

  private static <T> Optional<T> latestOrExact(
      List<T> items, String name, int version, Function<T, String> nameOf, java.util.function.ToIntFunction<T> versionOf) {
    T found = null;
    for (T item : items) {
      if (!nameOf.apply(item).equals(name)) {
        continue;
      }
      if (version > 0 && versionOf.applyAsInt(item) == version) {
        return Optional.of(item);
      }
      if (version == 0 && (found == null || versionOf.applyAsInt(item) > versionOf.applyAsInt(found))) {
        found = item;
      }
    }
    return Optional.ofNullable(found);
  }

  private static <T> List<T> sorted(List<T> items, Comparator<T> order) {
    List<T> copy = new ArrayList<>(Objects.requireNonNull(items));
    copy.sort(order);
    return List.copyOf(copy);
  }

  /** Collects definitions in any order. Not thread-safe. */
  public static final class Builder {
    private final String project;
    private final List<Entity> entities = new ArrayList<>();
    private final List<Source> sources = new ArrayList<>();
    private final List<FeatureView> views = new ArrayList<>();
    private final List<OnDemandView> onDemandViews = new ArrayList<>();
    private final List<FeatureService> services = new ArrayList<>();
    private final List<Permission> permissions = new ArrayList<>();

    private Builder(String project) {
      this.project = Objects.requireNonNull(project, "project");
    }

    public Builder entity(Entity entity) {
      entities.add(entity);
      return this;
    }

    /** An entity with one join key. */
    public Builder entity(String name, String joinKey, ScalarType type) {
      return entity(new Entity(name, List.of(new JoinKey(joinKey, type)), Metadata.EMPTY));
    }

    public Builder source(Source source) {
      sources.add(source);
      return this;
    }

    public Builder view(FeatureView view) {
      views.add(view);
      return this;
    }

    public Builder view(ViewBuilder view) {
      return view(view.build());
    }

    public Builder onDemandView(OnDemandView view) {
      onDemandViews.add(view);
      return this;
    }

    public Builder onDemandView(OnDemandViewBuilder view) {
      return onDemandView(view.build());
    }

    public Builder service(FeatureService service) {
      services.add(service);
      return this;
    }

    /** A service from ref spellings ({@code view:feature}, {@code view@v2:feature}). */
    public Builder service(String name, int version, String... refs) {
      List<FeatureRef> parsed = new ArrayList<>();
      for (String r : refs) {
        parsed.add(FeatureRef.of(r));
      }
      return service(new FeatureService(name, version, parsed, Metadata.EMPTY));
    }

    public Builder permission(Permission permission) {
      permissions.add(permission);
      return this;
    }

    public Definitions build() {
      return new Definitions(project, entities, sources, views, onDemandViews, services, permissions);
    }
  }
}
