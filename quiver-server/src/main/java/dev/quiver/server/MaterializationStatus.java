package dev.quiver.server;

import dev.quiver.core.online.Materializer;
import java.time.Instant;
import java.util.List;

/**
 * The server's current or last materialization, with its progress ({@code GET /materialize/status}).
 *
 * @param id the run's number since the server started (1, 2, ...); 0 when none has run
 * @param state {@code idle} (none has run), {@code running}, {@code done} or {@code failed}
 * @param kind {@code materialize} or {@code materialize-incremental}; null when idle
 * @param background true for a run started with {@code ?async=true}
 * @param views the view versions the run covers ({@code name@vN})
 * @param start the run's START; null for an incremental run (each view starts at its watermark)
 * @param finished null while running
 * @param currentView the view being materialized; null when none is
 * @param rowsRead source rows read so far, over all views
 * @param rowsWritten online rows written so far, over all views
 * @param done the views finished so far, with what each did
 * @param error why the run failed; null unless {@code failed}
 */
public record MaterializationStatus(long id, String state, String kind, boolean background, List<String> views,
    Instant start, Instant end, Instant started, Instant finished, String currentView, long rowsRead, long rowsWritten,
    List<Materializer.ViewResult> done, String error) {
  public MaterializationStatus {
    views = views == null ? List.of() : List.copyOf(views);
    done = done == null ? List.of() : List.copyOf(done);
  }

  static final MaterializationStatus IDLE =
      new MaterializationStatus(0, "idle", null, false, List.of(), null, null, null, null, null, 0, 0, List.of(), null);
}
