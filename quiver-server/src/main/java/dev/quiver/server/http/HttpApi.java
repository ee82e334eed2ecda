package dev.quiver.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.ConflictException;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.online.OnlineDeletion;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.security.AccessDeniedException;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Resource;
import dev.quiver.server.Caller;
import dev.quiver.server.Guard;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.MaterializationRunningException;
import dev.quiver.server.ServerOperations;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP routes and their JSON. Every failure becomes a JSON error body ({@link ErrorBody}: Feast's
 * on Feast's routes, {@code {"status": 400, "error": "invalid_request", "message": "..."}} elsewhere):
 * the caller's mistakes are 4xx naming the problem (409 for a materialization while one runs, or a push
 * a tile row cannot take until the view is materialized again), an
 * unavailable store or registry is 503, a caller without the permission is 403 ({@code "error":
 * "forbidden"}, the message naming principal, action, resource and rule), and only a bug in Quiver is 500 (its stack trace goes to the
 * log, never to the caller).
 *
 * <p>Authorization ({@link Guard}): online reads need {@code read_online} on each view, on-demand view
 * or service named; {@code /push} needs {@code push} on the source, {@code /write-to-online-store}
 * {@code push} on the view; materializations and {@code /online/delete} need {@code materialize} on
 * each view (every online view when none is named); {@code /api/v1} shows what the caller may {@code
 * describe}; {@code /metrics}, {@code /materialize/status} and {@code /ingest/status} need {@code
 * describe} on the registry; {@code /health} and {@code /ready} are open (probes). Pushes, writes,
 * materializations, deletions and denials are recorded in the audit log; reads are not.
 * Thread-safe.
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
  private final JsonBodies json = new JsonBodies(mapper);
  private final OperationJson answers = new OperationJson(json);
  private final Clock clock = Clock.systemUTC();

  private final MaterializeRoute materializations;
  private final byte[] health;

  HttpApi(FeatureServing serving, ServerOperations ops) {
    this(serving, ops, false);
  }

  /** @param insecure whether the server listens beyond loopback without authentication ({@code /health} says so) */
  HttpApi(FeatureServing serving, ServerOperations ops, boolean insecure) {
    this.serving = serving;
    this.ops = ops;
    ObjectNode h = mapper.createObjectNode();
    h.put("status", "UP");
    h.put("version", serving.version());
    if (insecure) {
      h.put("insecure", true);
    }
    this.health = bytes(h);
    this.materializations = new MaterializeRoute(ops, json, answers);
  }

  /**
   * Every path the server answers: a request to any other is 404 before it reaches a route, so a
   * route missing here cannot be reached (and the authorization matrix test, which covers each of
   * these, cannot miss one). The catalogue's sections are {@code /api/v1/SECTION} ({@link
   * Catalogue#SECTIONS}), each but {@code features} also with {@code /NAME}.
   */
  static final List<String> ROUTES = java.util.stream.Stream.concat(java.util.stream.Stream.of(
          "/get-online-features", "/push", "/write-to-online-store", "/materialize", "/materialize-incremental",
          "/online/delete", "/materialize/status", "/ingest/status", "/health", "/ready", "/metrics", "/whoami"),
      Catalogue.SECTIONS.stream().map(s -> "/api/v1/" + s)).toList();

  /** The endpoint name used in metrics for a path (a bounded set). */
  static String endpoint(String path) {
    return switch (path) {
      case "/get-online-features", "/push", "/write-to-online-store", "/materialize", "/materialize-incremental",
           "/health", "/ready", "/metrics", "/whoami" -> path.substring(1);
      case "/materialize/status" -> "materialize-status";
      case "/ingest/status" -> "ingest-status";
      case "/online/delete" -> "online-delete";
      default -> path.startsWith("/api/v1/") ? "api" : "other";
    };
  }

  /**
   * Paths answered without credentials when authentication is on: the probes of an orchestrator
   * ({@code /health}, {@code /ready}), which say nothing about the data. Everything else, {@code
   * /metrics} included, needs a principal.
   */
  static boolean open(String path) {
    return path.equals("/health") || path.equals("/ready");
  }

  /** The 401 of a request without valid credentials: the message says what is wrong, never the token. */
  HttpReply unauthenticated(String path, String message, boolean credentialsSent) {
    HttpReply r = error(path, 401, "unauthenticated", message, null, null);
    String challenge = credentialsSent ? "Bearer realm=\"quiver\", error=\"invalid_token\"" : "Bearer realm=\"quiver\"";
    return new HttpReply(r.status(), r.contentType(), r.body(), null, challenge);
  }

  /**
   * Requests the queue budget never refuses (a full queue or the queue timeout still does): the readiness probe and the
   * metrics scrape, so that an overloaded server stays in its load balancer's rotation and stays
   * observable while it sheds the excess.
   */
  static boolean exempt(String path) {
    return path.equals("/ready") || path.equals("/metrics");
  }

  /** Requests answered on the event loop: the liveness probe, and online reads of an in-process store. */
  boolean inline(String path) {
    return path.equals("/health") || (path.equals("/get-online-features") && serving.readsInline());
  }

  /**
   * Answers one request; never throws: an {@link Error} too (a custom transform's {@code
   * NoClassDefFoundError}, say) is a logged 500, so the connection gets its answer and the requests
   * queued behind it go on.
   *
   * @param params the query string's parameters
   * @param caller who sent it (authenticated before this is called)
   */
  HttpReply handle(HttpMethod method, String path, Map<String, List<String>> params, ByteBuf body, Caller caller) {
    try {
      return route(method, path, params, body, caller);
    } catch (HttpFailure f) {
      return error(path, f.status, f.code, f.getMessage(), f.allow, null);
    } catch (AccessDeniedException e) {
      return error(path, 403, "forbidden", e.getMessage(), null, e);
    } catch (InvalidRequestException e) {
      return error(path, 400, "invalid_request", e.getMessage(), null, e);
    } catch (NotFoundException e) {
      return error(path, 404, "not_found", e.getMessage(), null, e);
    } catch (MaterializationRunningException | ConflictException e) {
      return error(path, 409, "conflict", e.getMessage(), null, e);
    } catch (SourceDataException e) {
      // a source's files are missing or unreadable: the data's fault, named, not the server's
      ops.failures().failed(LOG, Level.WARNING, endpoint(path), "request to " + path + " failed on source " + e.source()
          + " (" + e.file() + "): " + e.getMessage(), null);
      return error(path, 422, "source_data", e.getMessage(), null, e);
    } catch (QuiverException e) {
      ops.failures().failed(LOG, Level.WARNING, endpoint(path), "request to " + path + " failed: " + e.getMessage(), e);
      return error(path, 503, "unavailable", e.getMessage(), null, e);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "internal error answering " + method + " " + path, e);
      return error(path, 500, "internal", "internal error; the server log has the details", null, null);
    }
  }

  private HttpReply route(HttpMethod method, String path, Map<String, List<String>> params, ByteBuf body, Caller caller) {
    if (!ROUTES.contains(path) && !path.startsWith("/api/v1/")) {
      throw noRoute(path);
    }
    switch (path) {
      case "/get-online-features" -> {
        post(method);
        FeastRequests.Read read = FeastRequests.read(read(body));
        return online(serving.getOnlineFeatures(read.request(), caller), read.viewMetadata());
      }
      case "/push" -> {
        post(method);
        FeastRequests.Push push = FeastRequests.push(read(body));
        Resource source = guard().source(push.source());
        guard().check(caller, Action.PUSH, List.of(source));
        return answers.written(audited(caller, "push", source.toString(), () -> push.idempotencyKey() == null
            ? ops.push(push.source(), push.columns(), push.target())
            : ops.push(push.source(), push.columns(), push.target(), new dev.quiver.core.online.Origin.Push(push.idempotencyKey()))));
      }
      case "/write-to-online-store" -> {
        post(method);
        FeastRequests.Write write = FeastRequests.write(read(body));
        List<Resource> view = guard().views(List.of(write.view()));
        guard().check(caller, Action.PUSH, view);
        return answers.written(audited(caller, "write", view.getFirst().toString(), () -> ops.write(write.view(), write.columns())));
      }
      case "/materialize" -> {
        post(method);
        return materializations.materialize(FeastRequests.materialize(read(body), clock), FeastRequests.async(params), caller);
      }
      case "/materialize-incremental" -> {
        post(method);
        return materializations.materialize(FeastRequests.materializeIncremental(read(body), clock), FeastRequests.async(params), caller);
      }
      case "/online/delete" -> {
        post(method);
        FeastRequests.Delete d = FeastRequests.delete(read(body));
        guard().check(caller, Action.MATERIALIZE, guard().views(d.views()));
        String what = AuditText.views(d.views());
        try {
          OnlineDeletion.Result r = ops.deleteOnline(d.views(), d.entities());
          guard().record(caller, "online_delete", what, "ok", r.entities() + " entities, "
              + r.latestRowsDeleted() + " rows and " + r.tileRowsDeleted() + " tile rows deleted in " + r.views());
          return answers.deleted(r);
        } catch (RuntimeException e) {
          guard().record(caller, "online_delete", what, "failed", AuditText.oneLine(e.getMessage()));
          throw e;
        }
      }
      case "/materialize/status" -> {
        get(method);
        guard().check(caller, Action.DESCRIBE, List.of(Resource.REGISTRY_ROOT));
        return HttpReply.json(200, bytes(answers.status(ops.materialization())));
      }
      case "/ingest/status" -> {
        get(method);
        guard().check(caller, Action.DESCRIBE, List.of(Resource.REGISTRY_ROOT));
        return HttpReply.json(200, bytes(IngestStatusJson.of(mapper, ops.ingestion())));
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
        guard().check(caller, Action.DESCRIBE, List.of(Resource.REGISTRY_ROOT));
        return HttpReply.text(200, PROMETHEUS, ops.scrapeMetrics());
      }
      case "/whoami" -> {
        get(method);
        ObjectNode n = mapper.createObjectNode();
        n.put("name", caller.principal().name());
        caller.principal().roles().stream().sorted().forEach(n.putArray("roles")::add);
        n.put("method", caller.principal().method());
        n.put("address", caller.address());
        return HttpReply.json(200, bytes(n));
      }
      default -> {
        if (path.startsWith("/api/v1/")) {
          get(method);
          var snapshot = ops.applied().orElseThrow(() ->
              new QuiverException("the registry is empty: nothing to list until 'quiver apply' records a version"));
          Catalogue.Access access = new Catalogue.Access() {
            @Override
            public boolean visible(Resource r) {
              return guard().permits(caller, Action.DESCRIBE, r);
            }

            @Override
            public void require(Resource r) {
              guard().check(caller, Action.DESCRIBE, List.of(r));
            }
          };
          return HttpReply.json(200, bytes(catalogue.get(path.substring("/api/v1/".length()), snapshot, ops.registryLog(), access)));
        }
        throw noRoute(path);
      }
    }
  }

  private static HttpFailure noRoute(String path) {
    return new HttpFailure(404, "not_found", "no route " + path + "; the server answers POST /get-online-features,"
        + " /push, /write-to-online-store, /materialize, /materialize-incremental, /online/delete and GET /health, /ready, /metrics,"
        + " /materialize/status, /ingest/status, /whoami, /api/v1/...");
  }

  private Guard guard() {
    return ops.guard();
  }

  /** Runs a push or a write and records it: rows and views when it worked, the error when not. */
  private Pusher.Result audited(Caller caller, String action, String resource, java.util.function.Supplier<Pusher.Result> run) {
    try {
      Pusher.Result r = run.get();
      guard().record(caller, action, resource, "ok", r.rows() + " rows, " + r.written() + " written to " + r.views());
      return r;
    } catch (RuntimeException e) {
      guard().record(caller, action, resource, "failed", AuditText.oneLine(e.getMessage()));
      throw e;
    }
  }

  private JsonNode read(ByteBuf body) {
    return json.read(body);
  }

  private HttpReply online(OnlineResponse r, boolean viewMetadata) {
    return json.online(r, viewMetadata);
  }

  private byte[] bytes(JsonNode n) {
    return json.bytes(n);
  }

  /**
   * An error answer: Feast's error body on Feast's routes, Quiver's object elsewhere (see {@link
   * ErrorBody}).
   *
   * @param path the request's path; null when unknown
   * @param failure what failed (names the Feast error class); null for a failure of HTTP itself
   */
  HttpReply error(String path, int status, String code, String message, String allow, Throwable failure) {
    return new HttpReply(status, HttpReply.JSON, ErrorBody.of(mapper, path, status, code, message, failure), allow);
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
