package dev.quiver.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.ServerOperations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP routes and their JSON. Every failure becomes a JSON error body
 * {@code {"status": 400, "error": "invalid_request", "message": "..."}}: the caller's mistakes are 4xx
 * naming the problem, an unavailable store or registry is 503, and only a bug in Quiver is 500 (its
 * stack trace goes to the log, never to the caller). Thread-safe.
 */
final class HttpApi {
  private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
  static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final ObjectMapper mapper = JsonMapper.builder(JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
      .build();
  private final FeatureServing serving;
  private final ServerOperations ops;
  private final Catalogue catalogue = new Catalogue(mapper);

  private final byte[] health;

  HttpApi(FeatureServing serving, ServerOperations ops) {
    this.serving = serving;
    this.ops = ops;
    ObjectNode h = mapper.createObjectNode();
    h.put("status", "UP");
    h.put("version", serving.version());
    this.health = bytes(h);
  }

  /** The endpoint name used in metrics for a path (a bounded set). */
  static String endpoint(String path) {
    return switch (path) {
      case "/get-online-features", "/push", "/materialize", "/materialize-incremental", "/health", "/ready", "/metrics" -> path.substring(1);
      default -> path.startsWith("/api/v1/") ? "api" : "other";
    };
  }

  /** True for routes cheap enough to answer on the event loop. */
  /** Requests answered on the event loop: the liveness probe, and online reads of an in-process store. */
  boolean inline(String path) {
    return path.equals("/health") || (path.equals("/get-online-features") && serving.readsInline());
  }

  HttpReply handle(HttpMethod method, String path, ByteBuf body) {
    try {
      return route(method, path, body);
    } catch (HttpFailure f) {
      return error(f.status, f.code, f.getMessage(), f.allow);
    } catch (InvalidRequestException e) {
      return error(400, "invalid_request", e.getMessage(), null);
    } catch (NotFoundException e) {
      return error(404, "not_found", e.getMessage(), null);
    } catch (SourceDataException e) {
      // a source's files are missing or unreadable: the data's fault, named, not the server's
      LOG.log(Level.WARNING, () -> "request to " + path + " failed on source " + e.source() + " (" + e.file() + "): " + e.getMessage());
      return error(422, "source_data", e.getMessage(), null);
    } catch (QuiverException e) {
      LOG.log(Level.WARNING, "request to " + path + " failed", e);
      return error(503, "unavailable", e.getMessage(), null);
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(Level.SEVERE, "internal error answering " + method + " " + path, e);
      return error(500, "internal", "internal error; the server log has the details", null);
    }
  }

  private HttpReply route(HttpMethod method, String path, ByteBuf body) {
    switch (path) {
      case "/get-online-features" -> {
        post(method);
        return online(serving.getOnlineFeatures(FeastJson.onlineRequest(read(body))));
      }
      case "/push" -> {
        post(method);
        return push(read(body));
      }
      case "/materialize" -> {
        post(method);
        JsonNode req = FeastJson.object(read(body), "the request body");
        return materialized(ops.materialize(views(req), time(req, "start_ts"), time(req, "end_ts")));
      }
      case "/materialize-incremental" -> {
        post(method);
        JsonNode req = FeastJson.object(read(body), "the request body");
        return materialized(ops.materializeIncremental(views(req), time(req, "end_ts")));
      }
      case "/health" -> {
        get(method);
        return HttpReply.json(200, health);
      }
      case "/ready" -> {
        get(method);
        ServerOperations.Readiness r = ops.readiness();
        ObjectNode n = mapper.createObjectNode();
        n.put("status", r.ready() ? "READY" : "NOT_READY");
        n.put("registry_version", r.registryVersion());
        ObjectNode checks = n.putObject("checks");
        r.checks().forEach(checks::put);
        return HttpReply.json(r.ready() ? 200 : 503, bytes(n));
      }
      case "/metrics" -> {
        get(method);
        return HttpReply.text(200, PROMETHEUS, ops.scrapeMetrics());
      }
      default -> {
        if (path.startsWith("/api/v1/")) {
          get(method);
          var snapshot = ops.applied().orElseThrow(() ->
              new QuiverException("the registry is empty: nothing to list until 'quiver apply' records a version"));
          return HttpReply.json(200, bytes(catalogue.get(path.substring("/api/v1/".length()), snapshot, ops.registryLog())));
        }
        throw new HttpFailure(404, "not_found", "no route " + path + "; the server answers POST /get-online-features,"
            + " /push, /materialize, /materialize-incremental and GET /health, /ready, /metrics, /api/v1/...");
      }
    }
  }

  private HttpReply push(JsonNode body) {
    ObjectNode req = FeastJson.object(body, "the request body");
    for (var it = req.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("push_source_name", "df", "to", "allow_registry_cache", "transform_on_write").contains(f)) {
        throw new InvalidRequestException("unknown field '" + f + "' in the push; expected push_source_name, df, to");
      }
    }
    JsonNode source = req.get("push_source_name");
    if (source == null || !source.isTextual()) {
      throw new InvalidRequestException("the push needs 'push_source_name' (a string naming a source), got "
          + FeastJson.kind(source));
    }
    JsonNode df = req.get("df");
    if (df == null || df.isNull()) {
      throw new InvalidRequestException("the push needs 'df': the rows as columns, e.g. {\"user_id\": [1], \"event_ts\": [\"2026-11-22T10:00:00Z\"], ...}");
    }
    JsonNode to = req.get("to");
    if (to != null && !to.isNull() && !to.isTextual()) {
      throw new InvalidRequestException("'to' must be online, offline or online_and_offline, got " + FeastJson.kind(to));
    }
    Pusher.Result r = ops.push(source.textValue(), FeastJson.columns(df, "df"),
        Pusher.Target.parse(to == null || to.isNull() ? null : to.textValue()));
    ObjectNode n = mapper.createObjectNode();
    n.put("push_source_name", r.source());
    n.put("rows", r.rows());
    n.put("written", r.written());
    ArrayNode views = n.putArray("views");
    r.views().forEach(views::add);
    if (r.offlineFile() != null) {
      n.put("offline_file", r.offlineFile().toString());
    }
    return HttpReply.json(200, bytes(n));
  }

  private HttpReply materialized(List<Materializer.ViewResult> results) {
    ObjectNode n = mapper.createObjectNode();
    ArrayNode views = n.putArray("views");
    for (Materializer.ViewResult r : results) {
      ObjectNode v = views.addObject();
      v.put("view", r.view());
      v.put("start", r.start().toString());
      v.put("end", r.end().toString());
      v.put("rows_read", r.rowsRead());
      v.put("rows_written", r.rowsWritten());
      v.put("nothing_new", r.nothingNew());
      v.put("seconds", r.took().toNanos() / 1e9);
    }
    return HttpReply.json(200, bytes(n));
  }

  private static List<String> views(JsonNode req) {
    JsonNode v = req.get("feature_views");
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new InvalidRequestException("'feature_views' must be a list of view names, got " + FeastJson.kind(v));
    }
    for (JsonNode n : v) {
      if (!n.isTextual()) {
        throw new InvalidRequestException("'feature_views' must hold strings, got " + FeastJson.kind(n));
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static Instant time(JsonNode req, String field) {
    JsonNode v = req.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidRequestException("'" + field + "' must be an ISO-8601 time such as \"2026-11-22T00:00:00Z\", got "
          + FeastJson.kind(v));
    }
    Instant t;
    try {
      t = Instant.parse(v.textValue().strip());
    } catch (java.time.format.DateTimeParseException e) {
      try {
        t = java.time.LocalDateTime.parse(v.textValue().strip()).toInstant(java.time.ZoneOffset.UTC);
      } catch (java.time.format.DateTimeParseException e2) {
        throw new InvalidRequestException("'" + field + "' is not an ISO-8601 time: '" + v.textValue() + "'");
      }
    }
    if (!dev.quiver.core.model.Timestamps.supported(t)) {
      throw new InvalidRequestException("'" + field + "' is outside the supported years 0001 to 9999: '" + v.textValue() + "'");
    }
    return t;
  }

  private JsonNode read(ByteBuf body) {
    if (body == null || !body.isReadable()) {
      throw new InvalidRequestException("the request body is empty; send a JSON object");
    }
    try (InputStream in = new ByteBufInputStream(body.duplicate()); JsonParser p = mapper.createParser(in)) {
      JsonNode n = mapper.readTree(p);
      if (n == null || n.isMissingNode()) {
        throw new InvalidRequestException("the request body is empty; send a JSON object");
      }
      if (p.nextToken() != null) {
        throw new InvalidRequestException("malformed JSON: unexpected content after the JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("malformed JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final int MAX_KEPT_BUFFER = 1 << 20;
  private static final ThreadLocal<ByteArrayOutputStream> RESPONSE_BUFFER =
      ThreadLocal.withInitial(() -> new ByteArrayOutputStream(16 * 1024));

  private HttpReply online(OnlineResponse r) {
    // one buffer per thread, reused: only the answer's exact bytes are allocated per request
    ByteArrayOutputStream out = RESPONSE_BUFFER.get();
    out.reset();
    try (JsonGenerator g = mapper.createGenerator(out)) {
      FeastJson.writeResponse(r, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = out.toByteArray();
    if (out.size() > MAX_KEPT_BUFFER) {
      RESPONSE_BUFFER.remove(); // do not keep a huge answer's buffer per thread
    }
    return HttpReply.json(200, body);
  }

  private byte[] bytes(JsonNode n) {
    try {
      return mapper.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  HttpReply error(int status, String code, String message, String allow) {
    ObjectNode n = mapper.createObjectNode();
    n.put("status", status);
    n.put("error", code);
    n.put("message", message == null ? code : message);
    return new HttpReply(status, HttpReply.JSON, bytes(n), allow);
  }

  private static void post(HttpMethod method) {
    if (!method.equals(HttpMethod.POST)) {
      throw new HttpFailure(405, "method_not_allowed", "use POST", "POST");
    }
  }

  private static void get(HttpMethod method) {
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      throw new HttpFailure(405, "method_not_allowed", "use GET", "GET, HEAD");
    }
  }
}
