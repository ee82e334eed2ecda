package dev.quiver.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.security.Action;
import dev.quiver.server.Caller;
import dev.quiver.server.Guard;
import dev.quiver.server.MaterializationStatus;
import dev.quiver.server.ServerOperations;
import java.util.List;

/**
 * {@code POST /materialize} and {@code /materialize-incremental}: checks the caller may {@code
 * materialize} each view, runs the materialization (or starts it in the background) and records
 * it in the audit log, whether it worked or not. Thread-safe.
 */
final class MaterializeRoute {
  private final ServerOperations ops;
  private final JsonBodies json;
  private final OperationJson answers;

  MaterializeRoute(ServerOperations ops, JsonBodies json, OperationJson answers) {
    this.ops = ops;
    this.json = json;
    this.answers = answers;
  }

  private Guard guard() {
    return ops.guard();
  }

  /** Runs a materialization, or starts it in the background (202, as Feast's {@code ?async=true}). */
  HttpReply materialize(FeastRequests.Materialize m, boolean async, Caller caller) {
    guard().check(caller, Action.MATERIALIZE, guard().views(m.views()));
    String kind = m.rebuild() ? "rebuild" : m.incremental() ? "materialize_incremental" : "materialize";
    String range = (m.start() == null ? "from each watermark" : "from " + m.start()) + " to " + m.end();
    if (async) {
      // the run's own id: by the time this answers, it may be done and another one running
      MaterializationStatus started;
      try {
        started = ops.materializeInBackground(m.views(), m.start(), m.end(), m.rebuild(), end -> guard().record(caller, kind,
            AuditText.views(m.views()), "failed".equals(end.state()) ? "failed" : "ok", range + ", background run " + end.id() + ": "
            + ("failed".equals(end.state()) ? AuditText.oneLine(String.valueOf(end.error()))
            : end.rowsRead() + " rows read, " + end.rowsWritten() + " written to " + end.views())));
      } catch (RuntimeException e) {
        guard().record(caller, kind, AuditText.views(m.views()), "failed", range + ": " + AuditText.oneLine(e.getMessage()));
        throw e;
      }
      guard().record(caller, kind, AuditText.views(m.views()), "started", range + " in the background, run " + started.id()
          + " (its outcome: /materialize/status)");
      ObjectNode n = json.mapper().createObjectNode();
      n.put("status", "accepted");
      ArrayNode names = n.putArray("feature_views");
      started.views().forEach(names::add);
      n.put("id", started.id());
      n.put("progress", "/materialize/status");
      return HttpReply.json(202, json.bytes(n));
    }
    List<Materializer.ViewResult> results;
    try {
      results = m.rebuild() ? ops.rebuild(m.views(), m.end())
          : m.incremental() ? ops.materializeIncremental(m.views(), m.end())
          : ops.materialize(m.views(), m.start(), m.end());
    } catch (RuntimeException e) {
      guard().record(caller, kind, AuditText.views(m.views()), "failed", range + ": " + AuditText.oneLine(e.getMessage()));
      throw e;
    }
    long rows = results.stream().mapToLong(Materializer.ViewResult::rowsWritten).sum();
    guard().record(caller, kind, AuditText.views(m.views()), "ok", range + ": " + rows + " rows written to "
        + results.stream().map(Materializer.ViewResult::view).toList());
    return answers.materialized(results);
  }
}
