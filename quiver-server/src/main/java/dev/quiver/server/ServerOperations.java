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
   * Starts a materialization in the background, once its views are checked, and returns at once.
   *
   * @param start null for an incremental one (each view from its watermark)
   * @return the run as it starts: its {@link MaterializationStatus#id() id} and the view versions it
   *     covers ({@code name@vN})
   * @throws MaterializationRunningException when a materialization is already running
   * @throws dev.quiver.core.NotFoundException for an unknown view (nothing starts)
   */
  MaterializationStatus materializeInBackground(List<String> views, Instant start, Instant end);

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

  /** The Prometheus text exposition. */
  String scrapeMetrics();

  /**
   * @param checks one line per dependency: {@code registry}, {@code online_store}, and {@code
   *     stream_consumers} when the server consumes streams; "ok" or the problem
   */
  record Readiness(boolean ready, long registryVersion, Map<String, String> checks) {}
}
