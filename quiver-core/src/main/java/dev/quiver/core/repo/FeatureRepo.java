package dev.quiver.core.repo;

import dev.quiver.core.BreakingChangeException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.diff.BreakingChange;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.load.Origins;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.core.load.TransformClasspath;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import java.util.function.DoubleConsumer;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.online.OnlineReader;
import dev.quiver.core.online.OnlineRequest;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.online.ServingVersions;
import dev.quiver.core.online.OnlineDeletion;
import dev.quiver.core.online.TimeBounds;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import dev.quiver.core.spi.SourceSchemaReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A feature repo opened for work: {@code plan} compares its definitions with the registry, {@code
 * apply} records them as a new registry version.
 *
 * <p>Plug-ins (the registry store named by {@code registry.type}, the source schema reader) are found
 * with {@link ServiceLoader}; the online store, the offline engine and the transform class loader are
 * opened on first use, exactly once however many threads ask at the same time.
 *
 * <p><b>Thread safety.</b> Thread-safe: one instance may be shared by any number of threads (the
 * feature server shares one across its request threads). Online reads, pushes, deletions, plans,
 * applies (a loser gets {@link dev.quiver.core.RegistryConflictException}, as between processes),
 * training sets and saved datasets run concurrently with each other and with a materialization.
 * Materializations ({@link #materialize}, {@link #materializeIncremental}, {@link #rebuild}) run one at
 * a time per instance: a second one waits for the first to end. A read sees every write that returned
 * before it started, materializations included (the cached watermarks are dropped before a
 * materialization returns, and a read racing with it never brings back the old ones).
 *
 * <p><b>Closing.</b> {@link #close()} refuses new calls at once ({@link QuiverException} "the feature
 * repo is closed"), waits for the calls in flight to return (up to {@link #CLOSE_WAIT}; after that
 * they fail as their stores close under them), then closes the stores. Objects handed out earlier ({@link
 * #pusher()}, {@link HistoricalRows}, {@link #online()}, {@link #offline()}) must not be used after
 * close.
 */
public final class FeatureRepo implements AutoCloseable {
  /** How long {@link #close()} waits for calls in flight. */
  public static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(30);

  private final RepoConfig config;
  private final RegistryStore registry;
  private final SourceSchemaReader schemas;
  private final Clock clock;
  private final CallGate gate;
  private final RepoPlugins plugins;
  private final ServingCache serving;
  private final DefinitionPlanner planner;
  private final Materializations materializations;
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
  private volatile java.time.Duration maxFutureSkew; // null: quiver.yaml's (or the system property's)

  private FeatureRepo(RepoConfig config, RegistryStore registry, SourceSchemaReader schemas, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.schemas = schemas;
    this.clock = clock;
    this.gate = new CallGate(config.root());
    this.plugins = new RepoPlugins(config);
    this.serving = new ServingCache(registry);
    this.planner = new DefinitionPlanner(config, registry, schemas, plugins);
    this.materializations = new Materializations(config, registry, plugins, serving, clock);
  }

  /**
   * Opens the repo at {@code root}: reads {@code quiver.yaml} and opens its registry.
   *
   * @throws QuiverException when the repo or a plug-in it names cannot be found
   */
  public static FeatureRepo open(Path root) {
    return open(root, Clock.systemUTC());
  }

  /**
   * Opens the repo with a clock of the caller's choosing: "now" for online statuses (TTL) and the
   * time recorded by applies, saved datasets and watermarks. For backtests and tests.
   */
  public static FeatureRepo open(Path root, Clock clock) {
    RepoConfig config = new DefinitionLoader().loadConfig(root);
    return new FeatureRepo(config, RepoPlugins.openRegistry(config), RepoPlugins.schemaReader(), clock);
  }

  public RepoConfig config() {
    return config;
  }

  public RegistryStore registry() {
    return registry;
  }

  /**
   * Loads and validates the definitions on disk and diffs them against the registry head.
   *
   * @param prune drop superseded view versions that no feature service pins
   * @throws dev.quiver.core.DefinitionException listing every definition problem
   */
  public Plan plan(boolean prune) {
    return call(() -> planner.plan(new DefinitionLoader().load(config.root()), prune));
  }

  /**
   * Validates definitions made in Java ({@link Definitions#builder}) against the repo's data and
   * diffs them against the registry head, as {@link #plan(boolean)} does for the files on disk;
   * {@link #apply} records the result. The definition files are not read.
   *
   * @param definitions every definition of the project (what is absent is removed, as when deleted
   *     from the files); their project must be the repo's
   * @throws dev.quiver.core.DefinitionException listing every definition problem
   * @throws QuiverException when the project is not the repo's
   */
  public Plan plan(Definitions definitions, boolean prune) {
    if (!definitions.project().equals(config.project())) {
      throw new QuiverException("the definitions are for project '" + definitions.project() + "', but the repo at "
          + config.root() + " is project '" + config.project() + "'; build them with Definitions.builder(\""
          + config.project() + "\")");
    }
    return call(() -> planner.plan(new LoadedRepo(config, definitions, Origins.none(), List.of()), prune));
  }

  /**
   * Records {@code plan} as a new registry version.
   *
   * @param force accept breaking changes
   * @return the new version, or empty when the plan changes nothing
   * @throws BreakingChangeException when the plan has breaking changes and {@code force} is false
   * @throws dev.quiver.core.RegistryConflictException when another apply got there first
   */
  public Optional<VersionInfo> apply(Plan plan, String author, String message, boolean force) {
    if (plan.isEmpty()) {
      return Optional.empty();
    }
    if (!plan.breaking().isEmpty() && !force) {
      throw new BreakingChangeException(describeBreaking(plan.breaking()));
    }
    return call(() -> Optional.of(registry.commit(plan.base(), plan.target(), author, message, clock.instant())));
  }

  /** A message listing breaking changes and what to do about them. */
  public static String describeBreaking(List<BreakingChange> breaking) {
    return DefinitionPlanner.describeBreaking(breaking);
  }

  /**
   * Streams a point-in-time-correct training set computed from the registry's latest version.
   * The request is checked in full (refs, timestamp and key columns and their types) before any data
   * is read. Close the result.
   *
   * @throws QuiverException naming what is wrong with the request
   */
  public HistoricalRows getHistoricalFeatures(HistoricalRequest request) {
    return call(() -> trainingSets().rows(request));
  }

  /** The plan a request would run, without running it. */
  public PointInTimePlan planHistoricalFeatures(HistoricalRequest request) {
    return call(() -> {
      TrainingSets t = trainingSets();
      return t.plan(request, t.head());
    });
  }

  /**
   * Writes a training set to {@code out} (Parquet or CSV, from the extension), replacing it
   * atomically once complete; a path without one of those extensions (or an existing directory) gets
   * a Parquet dataset directory of part files in query order ({@link
   * dev.quiver.core.offline.DatasetDirectory}).
   *
   * @param progress receives the percentage done, from another thread
   * @param saveAs a dataset name to record the run under in the registry, or null
   */
  public TrainingSet writeHistoricalFeatures(HistoricalRequest request, Path out, DoubleConsumer progress,
      String saveAs, String author) {
    return call(() -> trainingSets().write(request, out, progress, saveAs, author));
  }

  /**
   * Computes a saved training set again from its recorded registry version and query, after checking
   * that its query rows and source files are unchanged, and compares the result with the saved bytes.
   */
  public Reproduction reproduceDataset(String name, Path out, DoubleConsumer progress) {
    return call(() -> trainingSets().reproduce(name, out, progress));
  }

  /**
   * Checks that a saved dataset's output, at the path it was written to, still has the recorded
   * fingerprint (a file's bytes; a directory's part names and bytes). {@link Reproduction#rows()} is
   * the recorded count.
   *
   * @throws dev.quiver.core.NotFoundException when there is no such dataset or its output is gone
   */
  public Reproduction verifyDataset(String name) {
    return call(() -> trainingSets().verify(name));
  }

  /**
   * Materializes every online view (or the named ones) from the offline store into the online
   * store: per entity, the latest row with {@code start <= event_ts <= end}. Each view's watermark
   * moves to {@code end} once its rows are written; a failed run is simply run again.
   *
   * @param views view names or {@code name@vN}; empty for all online views
   * @throws dev.quiver.core.online.MaterializationException when some views' source data could not be
   *     read (a missing or damaged file): the other views were materialized
   */
  public List<Materializer.ViewResult> materialize(List<String> views, Instant start, Instant end,
      Materializer.Listener listener, String author) {
    timeBounds().checkEnd(end);
    return call(() -> materializations.materialize(views, start, end, listener, author));
  }

  /**
   * The online view versions ({@code name@vN}) a materialization of {@code views} covers (empty: all
   * online views), checked as a run checks them (see {@link Materializer#targets}).
   */
  public List<String> materializeTargets(List<String> views) {
    return call(() -> materializations.targets(views));
  }

  /**
   * Materializes each view from its watermark (first time: {@code end - ttl}) to {@code end}. A
   * watermark after now + the skew ({@link TimeBounds}; left by an old run to a far END) would stop
   * every incremental run until then: it is removed first, and the view runs as a first run does.
   *
   * @throws dev.quiver.core.online.FutureEventException when {@code end} is after now + the skew
   */
  public List<Materializer.ViewResult> materializeIncremental(List<String> views, Instant end,
      Materializer.Listener listener, String author) {
    TimeBounds bounds = timeBounds();
    bounds.checkEnd(end);
    return call(() -> materializations.incremental(views, end, listener, author, bounds));
  }

  /**
   * Rebuilds the online state of views from the offline store: for each online view version named,
   * drops its latest-row and tile tables, forgets its watermark and freshness, and materializes it
   * from the beginning to {@code end}. For rows pushed online only that should go, a view whose
   * online store was damaged or lost, or a watermark left in the future. Reads of the view answer
   * NOT_FOUND (or the previous view version) until its rows are written again.
   *
   * @param views view names (all their online versions) or {@code name@vN}; empty for every online view
   * @throws dev.quiver.core.online.FutureEventException when {@code end} is after now + the skew
   * @throws dev.quiver.core.NotFoundException for an unknown view, before anything is dropped
   */
  public List<Materializer.ViewResult> rebuild(List<String> views, Instant end, Materializer.Listener listener,
      String author) {
    timeBounds().checkEnd(end);
    return call(() -> materializations.rebuild(views, end, listener, author));
  }

  /**
   * Deletes entities' online state in views (latest rows and tile rows of those keys only; see
   * {@link OnlineDeletion}), from the registry's latest version.
   */
  public OnlineDeletion.Result deleteOnline(List<String> views, Map<String, List<Object>> entities) {
    return call(() -> OnlineDeletion.delete(serving.applied().definitions(), plugins.onlineStore(), views, entities));
  }

  /**
   * How far in the future event times (and materialization ENDs) may be: {@code quiver.yaml}'s
   * {@code online.max_future_skew}, the system property {@code quiver.online.max_future_skew}, or
   * {@link #setMaxFutureSkew}; "now" is this repo's clock.
   *
   * @throws QuiverException naming the setting when it is not a duration
   */
  public TimeBounds timeBounds() {
    TimeBounds configured = TimeBounds.of(config.online(), clock);
    java.time.Duration override = maxFutureSkew;
    return override == null ? configured : configured.withSkew(override);
  }

  /**
   * Overrides the skew of {@link #timeBounds()} for this repo ({@code quiver serve --max-future-skew});
   * null goes back to the configured one.
   */
  public void setMaxFutureSkew(java.time.Duration skew) {
    this.maxFutureSkew = skew;
  }

  /**
   * How online reads resolve view versions now ({@link ServingVersions}): which version unpinned refs
   * read while the newest is not materialized, and which features are not filled yet. Watermarks are
   * read again after a second, or after a materialization through this repo.
   *
   * @throws dev.quiver.core.NotFoundException when nothing was applied yet
   */
  public ServingVersions servingVersions() {
    return call(() -> serving.servingVersions(serving.applied()));
  }

  /**
   * Reads the latest feature values for entity rows given column-major ({@code user_id -> [1, 2]}),
   * from the registry's latest version. Unpinned refs read the versions {@link #servingVersions()}
   * picks: the previous view version until the newest one is materialized.
   */
  public OnlineResponse getOnlineFeatures(List<FeatureRef> refs, Map<String, List<Object>> entities, boolean fullFeatureNames) {
    return getOnlineFeatures(new OnlineRequest(refs, entities, Map.of(), fullFeatureNames));
  }

  /**
   * Reads features, derived and on-demand ones included, with request data (see {@link
   * OnlineReader#read(OnlineRequest)}), from the registry's latest version. Derived features are
   * compiled once per registry version.
   */
  public OnlineResponse getOnlineFeatures(OnlineRequest request) {
    return call(() -> {
      RegistrySnapshot s = serving.applied();
      return new OnlineReader(DerivedFeatures.cached(s.definitions(), plugins.transformClasspath().loader(),
          serving.servingVersions(s)), plugins.onlineStore(), readers, clock).read(request);
    });
  }

  /** Like {@link #getOnlineFeatures(OnlineRequest)} for a feature service ({@code version} 0: latest). */
  public OnlineResponse getOnlineFeatures(String service, int version, Map<String, List<Object>> entities,
      Map<String, List<Object>> requestContext, boolean fullFeatureNames) {
    return call(() -> {
      RegistrySnapshot s = serving.applied();
      var defs = s.definitions();
      return new OnlineReader(DerivedFeatures.cached(defs, plugins.transformClasspath().loader(), serving.servingVersions(s)),
          plugins.onlineStore(), readers, clock).read(new OnlineRequest(FeatureResolver.service(defs, service, version), entities, requestContext,
          fullFeatureNames));
    });
  }

  /** Like {@link #getOnlineFeatures(List, Map, boolean)} for a feature service ({@code version} 0: latest). */
  public OnlineResponse getOnlineFeatures(String service, int version, Map<String, List<Object>> entities, boolean fullFeatureNames) {
    return getOnlineFeatures(service, version, entities, Map.of(), fullFeatureNames);
  }

  /**
   * Pushes rows to a source: online into every online view over it (newest wins), offline as a new
   * file of the source, or both (see {@link Pusher}). Uses the registry's latest version.
   */
  public Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to) {
    return push(source, columns, to, dev.quiver.core.online.Origin.PUSH);
  }

  /**
   * Pushes rows as {@link #push(String, Map, Pusher.Target)} does, from {@code origin} (a push with
   * an idempotency key, or a stream partition's events with their offsets: applied once).
   */
  public Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to,
      dev.quiver.core.online.Origin origin) {
    return call(() -> newPusher().push(source, columns, to, origin));
  }

  /**
   * A pusher over the registry's latest version (as {@link #push} uses), for callers that push with an
   * {@link dev.quiver.core.online.Origin} (stream consumers) or many times over one version.
   */
  public Pusher pusher() {
    return call(this::newPusher);
  }

  private Pusher newPusher() {
    RegistrySnapshot s = serving.applied();
    return new Pusher(s.definitions(), plugins.onlineStore(), plugins.offlineEngine(), config.root(),
        serving.servingVersions(s), timeBounds())
        .recordingTo(registry);
  }

  /** The definitions of the registry's latest version. */
  public dev.quiver.core.model.Definitions appliedDefinitions() {
    return call(() -> serving.applied().definitions());
  }

  /**
   * The class loader custom transforms are loaded with: Quiver's classpath plus {@code quiver.yaml}'s
   * {@code classpath:} and {@code $QUIVER_CLASSPATH} ({@link TransformClasspath}), resolved on first use.
   *
   * @throws QuiverException naming a classpath entry that matches no file
   */
  public ClassLoader transformLoader() {
    return call(() -> plugins.transformClasspath().loader());
  }

  /** The configured online store, opened on first use (once, whichever threads ask first). */
  public OnlineStore online() {
    return call(plugins::onlineStore);
  }

  /**
   * Runs a public call: refused once {@link #close()} began, and counted while it runs so that close
   * waits for it.
   */
  private <T> T call(java.util.function.Supplier<T> work) {
    return gate.call(work);
  }

  private TrainingSets trainingSets() {
    return new TrainingSets(config.root(), registry, plugins.offlineEngine(), schemas, clock, serving::applied,
        plugins.transformClasspath().loader());
  }

  /** The configured offline engine, opened on first use. */
  public OfflineEngine offline() {
    return call(plugins::offlineEngine);
  }

  /**
   * Refuses new calls, waits up to {@link #CLOSE_WAIT} for the calls in flight, then closes the
   * stores and the registry. Idempotent; thread-safe.
   */
  @Override
  public void close() {
    if (!gate.beginClose()) {
      return;
    }
    gate.awaitCalls(CLOSE_WAIT);
    readers.close();
    try (RegistryStore r = registry) {
      plugins.close();
    }
  }
}
