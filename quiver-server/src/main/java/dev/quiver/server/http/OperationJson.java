package dev.quiver.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineDeletion;
import dev.quiver.core.online.Pusher;
import dev.quiver.server.MaterializationStatus;
import java.time.Instant;
import java.util.List;

/**
 * The JSON answers of the writing routes: what a push, a write, a deletion of entities or a
 * materialization did, and {@code GET /materialize/status}. Thread-safe.
 */
final class OperationJson {
  private final JsonBodies json;

  OperationJson(JsonBodies json) {
    this.json = json;
  }

  /** What a push or a write did. */
  HttpReply written(Pusher.Result r) {
    ObjectNode n = json.mapper().createObjectNode();
    n.put("push_source_name", r.source());
    n.put("rows", r.rows());
    n.put("written", r.written());
    if (r.applied() + r.duplicates() + r.late() > 0) { // window-aggregate tile rows: folded in, taken already, too old
      n.put("tiles_applied", r.applied());
      n.put("tiles_duplicate", r.duplicates());
      n.put("tiles_late", r.late());
    }
    ArrayNode views = n.putArray("views");
    r.views().forEach(views::add);
    if (r.offlineFile() != null) {
      n.put("offline_file", r.offlineFile().toString());
    }
    return HttpReply.json(200, json.bytes(n));
  }

  /** What a deletion of entities' online state did. */
  HttpReply deleted(OnlineDeletion.Result r) {
    ObjectNode n = json.mapper().createObjectNode();
    ArrayNode views = n.putArray("feature_views");
    r.views().forEach(views::add);
    n.put("entities", r.entities());
    n.put("latest_rows_deleted", r.latestRowsDeleted());
    n.put("tile_rows_deleted", r.tileRowsDeleted());
    return HttpReply.json(200, json.bytes(n));
  }

  /** The materialization running or last run. */
  ObjectNode status(MaterializationStatus s) {
    ObjectNode n = json.mapper().createObjectNode();
    n.put("state", s.state());
    if (s.id() == 0) {
      return n;
    }
    n.put("id", s.id());
    n.put("kind", s.kind());
    n.put("background", s.background());
    s.views().forEach(n.putArray("feature_views")::add);
    putTime(n, "start", s.start());
    putTime(n, "end", s.end());
    putTime(n, "started", s.started());
    putTime(n, "finished", s.finished());
    if (s.currentView() != null) {
      n.put("current_view", s.currentView());
    }
    n.put("rows_read", s.rowsRead());
    n.put("rows_written", s.rowsWritten());
    viewResults(n.putArray("views"), s.done());
    if (s.error() != null) {
      n.put("error", s.error());
    }
    return n;
  }

  private static void putTime(ObjectNode n, String field, Instant t) {
    if (t != null) {
      n.put(field, t.toString());
    }
  }

  /** What a materialization run in the request did, view by view. */
  HttpReply materialized(List<Materializer.ViewResult> results) {
    ObjectNode n = json.mapper().createObjectNode();
    viewResults(n.putArray("views"), results);
    return HttpReply.json(200, json.bytes(n));
  }

  private static void viewResults(ArrayNode views, List<Materializer.ViewResult> results) {
    for (Materializer.ViewResult r : results) {
      ObjectNode v = views.addObject();
      v.put("view", r.view());
      v.put("start", r.start().toString());
      v.put("end", r.end().toString());
      v.put("rows_read", r.rowsRead());
      v.put("rows_written", r.rowsWritten());
      v.put("nothing_new", r.nothingNew());
      v.put("keys_skipped_concurrent", r.keysSkippedConcurrent());
      v.put("seconds", r.took().toNanos() / 1e9);
    }
  }
}
