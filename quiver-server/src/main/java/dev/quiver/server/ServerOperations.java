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
 * Everything the HTTP front end offers besides online reads: pushes, materialization, readiness, the
 * catalogue and metrics. Thread-safe; materializations run one at a time.
 */
public interface ServerOperations {

  /** See {@link Pusher#push}; same errors. */
  Pusher.Result push(String source, Map<String, List<Object>> columns, Pusher.Target to);

  /**
   * Materializes the named views (all online views when empty) from {@code start} to {@code end}.
   *
   * @throws dev.quiver.core.InvalidRequestException when a materialization is already running
   */
  List<Materializer.ViewResult> materialize(List<String> views, Instant start, Instant end);

  /** Materializes each view from its watermark to {@code end}. */
  List<Materializer.ViewResult> materializeIncremental(List<String> views, Instant end);

  /** Whether the server can answer: a registry version is loaded and the online store answers. */
  Readiness readiness();

  /** The registry version being served; empty before the first apply. */
  Optional<RegistrySnapshot> applied();

  /** Every registry version, oldest first. */
  List<VersionInfo> registryLog();

  /** The Prometheus text exposition. */
  String scrapeMetrics();

  /**
   * @param checks one line per dependency: {@code registry}, {@code online_store}; "ok" or the problem
   */
  record Readiness(boolean ready, long registryVersion, Map<String, String> checks) {}
}
