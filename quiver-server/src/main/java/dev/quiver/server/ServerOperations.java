package dev.quiver.server;

import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the HTTP front end offers besides online reads: pushes and writes, materialization,
 * readiness, the catalogue and metrics. Thread-safe; materializations run one at a time.
 */
public interface ServerOperations {

  /** See {@link Pusher#push}; same errors. */
  Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to);

  /** See {@link Pusher#push(String, Map, Pusher.Target, dev.quiver.core.online.Origin)}; same errors. */
  Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to, dev.quiver.core.online.Origin origin);

  /**
   * Writes rows to one feature view by feature name, as Feast's {@code write_to_online_store} sends
   * them (see {@link dev.quiver.core.online.ViewWriter}); same errors.
   */
  Pusher.Result write(String view, Map<String, List<Object>> columns);

  /**
   * Materializes the named views (all online views when empty) from {@code start} to {@code end}.
   *
   * @throws MaterializationRunningException when a materialization is already running
   */
  List<Materializer.ViewResult> materialize(List<String> views, Instant start, Instant end);

  /**
   * Materializes each view from its watermark to {@code end}.
   *
   * @throws MaterializationRunningException when a materialization is already running
   */
  List<Materializer.ViewResult> materializeIncremental(List<String> views, Instant end);

  /**
   * Rebuilds the named views' online state from the offline store (all online views when empty):
   * drops their rows, resets their watermarks, and materializes from the beginning to {@code end}
   * ({@link dev.quiver.core.repo.FeatureRepo#rebuild}). A materialization like the others: one at a time.
   *
   * @throws MaterializationRunningException when a materialization is already running
   */
  List<Materializer.ViewResult> rebuild(List<String> views, Instant end);

  /**
   * Deletes entities' online state in views ({@link dev.quiver.core.online.OnlineDeletion}); same errors.
   */
  dev.quiver.core.online.OnlineDeletion.Result deleteOnline(List<String> views, Map<String, List<Object>> entities);

  /**
   * Starts a materialization in the background, once its views are checked, and returns at once.
   *
   * @param start null for an incremental one (each view from its watermark)
   * @param rebuild a rebuild ({@link #rebuild}); {@code start} is null then
   * @return the run as it starts: its {@link MaterializationStatus#id() id} and the view versions it
   *     covers ({@code name@vN})
   * @throws MaterializationRunningException when a materialization is already running
   * @throws dev.quiver.core.NotFoundException for an unknown view (nothing starts)
   */
  default MaterializationStatus materializeInBackground(List<String> views, Instant start, Instant end, boolean rebuild) {
    return materializeInBackground(views, start, end, rebuild, status -> {});
  }

  /**
   * As {@link #materializeInBackground(List, Instant, Instant, boolean)}, then hands the run's final
   * status (state {@code done} or {@code failed}, with its error) to {@code finished}, on the
   * background thread, once the run ended; e.g. to audit its outcome.
   */
  MaterializationStatus materializeInBackground(List<String> views, Instant start, Instant end, boolean rebuild,
      java.util.function.Consumer<MaterializationStatus> finished);

  /** The running or last materialization and its progress. */
  MaterializationStatus materialization();

  /** Whether the server can answer: a registry version is loaded and the online store answers. */
  Readiness readiness();

  /** The registry version being served; empty before the first apply. */
  Optional<RegistrySnapshot> applied();

  /** Every registry version, oldest first. */
  List<VersionInfo> registryLog();

  /** The stream consumers the server runs ({@link IngestStatus#OFF} when it runs none). */
  default IngestStatus ingestion() {
    return IngestStatus.OFF;
  }

  /** Authorization and audit for the requests these operations answer; {@link Guard#OPEN} allows all. */
  default Guard guard() {
    return Guard.OPEN;
  }

  /** Where failures that repeat per request are logged, rate-limited ({@link FailureLog}). */
  default FailureLog failures() {
    return FailureLog.UNCOUNTED;
  }

  /** The Prometheus text exposition. */
  String scrapeMetrics();

  /**
   * @param checks one line per dependency: {@code registry}, {@code online_store}, and {@code
   *     stream_consumers} when the server consumes streams; "ok" or the problem
   */
  record Readiness(boolean ready, long registryVersion, Map<String, String> checks) {}
}
