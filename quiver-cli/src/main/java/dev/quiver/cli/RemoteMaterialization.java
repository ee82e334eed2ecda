package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.online.Materializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A materialization run by the server that owns the online store: started in the background
 * ({@code POST /materialize?async=true} or {@code /materialize-incremental?async=true}) and followed
 * on {@code GET /materialize/status}, whose progress feeds the same listener a local run feeds, so
 * the command prints what it prints locally. Not thread-safe.
 */
final class RemoteMaterialization {
  private static final long POLL_MILLIS = 100;

  /** The run failed on the server after finishing {@code completed}; the message is the server's. */
  static final class Failed extends QuiverException {
    private final transient List<Materializer.ViewResult> completed;

    Failed(String message, List<Materializer.ViewResult> completed) {
      super(message);
      this.completed = List.copyOf(completed);
    }

    List<Materializer.ViewResult> completed() {
      return completed;
    }
  }

  private RemoteMaterialization() {}

  /**
   * Starts the run and waits for it.
   *
   * @param route {@code /materialize} or {@code /materialize-incremental}
   * @param body the route's JSON request
   * @throws Failed when the run failed on the server
   * @throws QuiverException when the server refuses it (another run is going: the server's 409 message)
   */
  static List<Materializer.ViewResult> run(RunningServer server, String route, ObjectNode body, Materializer.Listener listener) {
    long id = server.post(route + "?async=true", body).path("id").asLong();
    int reported = 0;
    while (true) {
      JsonNode s = server.get("/materialize/status");
      if (s.path("id").asLong() != id) {
        throw new QuiverException("materialization " + id + " on the server at " + server.entry().http()
            + " was followed by another run before its end could be read; GET /materialize/status or the server log has it");
      }
      List<Materializer.ViewResult> done = results(s.path("views"));
      for (; reported < done.size(); reported++) {
        listener.viewDone(done.get(reported));
      }
      String state = s.path("state").asText();
      if (state.equals("done")) {
        return done;
      }
      if (state.equals("failed")) {
        throw new Failed(s.path("error").asText("the run failed; the server log has the cause"), done);
      }
      if (s.hasNonNull("current_view")) {
        long read = s.path("rows_read").asLong() - done.stream().mapToLong(Materializer.ViewResult::rowsRead).sum();
        long written = s.path("rows_written").asLong() - done.stream().mapToLong(Materializer.ViewResult::rowsWritten).sum();
        listener.batchWritten(s.get("current_view").asText(), read, written);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QuiverException("interrupted; materialization " + id + " goes on on the server (GET /materialize/status)");
      }
    }
  }

  /** The views a status or an answer lists, as the materializer reported them. */
  static List<Materializer.ViewResult> results(JsonNode views) {
    List<Materializer.ViewResult> out = new ArrayList<>();
    for (JsonNode v : views) {
      out.add(new Materializer.ViewResult(v.path("view").asText(), Instant.parse(v.path("start").asText()),
          Instant.parse(v.path("end").asText()), v.path("rows_read").asLong(), v.path("rows_written").asLong(),
          Duration.ofNanos(Math.round(v.path("seconds").asDouble() * 1e9)), v.path("keys_skipped_concurrent").asLong()));
    }
    return out;
  }
}
