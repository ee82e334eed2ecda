package dev.quiver.server;

import dev.quiver.stream.kafka.SourceStatus;
import java.util.List;

/**
 * The server's stream consumers, as {@code GET /ingest/status} shows them.
 *
 * @param enabled whether the server consumes stream sources ({@code quiver serve --ingest})
 * @param registryVersion the registry version the consumers run over (0: none yet)
 * @param problem why no consumer runs for that version (a source named by {@code --ingest-sources} is
 *     missing or not a stream, a consumer could not be created), or null
 * @param sources each consumer's state since it (re)started, in source order
 */
public record IngestStatus(boolean enabled, long registryVersion, String problem, List<SourceStatus> sources) {
  /** The status of a server that consumes nothing. */
  public static final IngestStatus OFF = new IngestStatus(false, 0, null, List.of());

  public IngestStatus {
    sources = List.copyOf(sources);
  }
}
