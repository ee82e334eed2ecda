package dev.quiver.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The feature server over HTTP/1.1 with keep-alive (the JDK's {@link HttpClient}): Feast's
 * {@code POST /get-online-features} and {@code POST /push} JSON, and {@code GET /health}. Works
 * against Feast's Python feature server too. Thread-safe.
 */
public final class HttpFeatureClient implements FeatureClient {
  /** Where a push writes, as Feast's {@code to} field says it. */
  public enum PushTarget {
    ONLINE("online"),
    OFFLINE("offline"),
    ONLINE_AND_OFFLINE("online_and_offline");

    private final String wire;

    PushTarget(String wire) {
      this.wire = wire;
    }
  }

  private final ObjectMapper mapper = new ObjectMapper();
  private final URI base;
  private final Duration timeout;
  private final HttpClient http;
  private volatile String bearerToken;

  HttpFeatureClient(URI base, Duration timeout) {
    this(base, timeout, null);
  }

  /** @param tls the TLS context for {@code https} URLs; null: the JDK's default */
  HttpFeatureClient(URI base, Duration timeout, javax.net.ssl.SSLContext tls) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
  }

  /**
   * Sends {@code Authorization: Bearer <token>} with every later call: an API token from {@code quiver
   * tokens create} or an OIDC JWT, for a server with {@code server.auth} on. Call it again with a fresh
   * JWT before the old one expires; null sends none. Thread-safe.
   *
   * @return this client
   * @throws IllegalArgumentException when the token cannot go in a header (blank, spaces, line breaks)
   */
  public HttpFeatureClient bearerToken(String token) {
    this.bearerToken = BearerToken.check(token);
    return this;
  }

  @Override
  public OnlineFeatures getOnlineFeatures(OnlineFeaturesRequest request) {
    JsonNode answer = post("/get-online-features", json(g -> {
      g.writeStartObject();
      if (request.featureService() != null) {
        g.writeStringField("feature_service", request.featureService());
      } else {
        g.writeArrayFieldStart("features");
        for (String f : request.features()) {
          g.writeString(f);
        }
        g.writeEndArray();
      }
      writeColumns(g, "entities", request.entities());
      if (!request.requestContext().isEmpty()) {
        writeColumns(g, "request_context", request.requestContext());
      }
      g.writeBooleanField("full_feature_names", request.fullFeatureNames());
      if (request.featureViewMetadata()) {
        g.writeBooleanField("include_feature_view_version_metadata", true);
      }
      g.writeEndObject();
    }));
    return features(answer);
  }

  /**
   * Pushes rows to a source's views (Feast's {@code /push}): newest wins by event time online; offline
   * the rows are added to the source.
   *
   * @param columns the rows, column-major: column name to one value per row (event time included)
   */
  public void push(String pushSource, Map<String, List<Object>> columns, PushTarget to) {
    post("/push", json(g -> {
      g.writeStartObject();
      g.writeStringField("push_source_name", pushSource);
      writeColumns(g, "df", columns);
      g.writeStringField("to", to.wire);
      g.writeEndObject();
    }));
  }

  /** The version the server reports at {@code /health}. */
  @Override
  public String serverVersion() {
    JsonNode n = send(HttpRequest.newBuilder(base.resolve("/health")).timeout(timeout).GET().build(), "/health");
    return n.path("version").asText("");
  }

  /** True when the server answers {@code /ready} with 200 (registry loaded, stores reachable). */
  public boolean ready() {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/ready")).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Releases the connections: on Java 21 and later through {@code HttpClient.close()}; Java 17's
   * {@code HttpClient} has no close and frees them once the client is unreachable.
   */
  @Override
  public void close() {
    if (http instanceof AutoCloseable) {
      try {
        ((AutoCloseable) http).close();
      } catch (Exception e) {
        throw new FeatureServerException("UNREACHABLE", false, "closing the HTTP client: " + e.getMessage(), e);
      }
    }
  }

  private JsonNode post(String path, byte[] body) {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), path);
  }

  private JsonNode send(HttpRequest request, String path) {
    String token = bearerToken;
    if (token != null) {
      request = HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", "Bearer " + token).build();
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new FeatureServerException("UNREACHABLE", false, path + ": no answer within " + timeout, e);
    } catch (ConnectException e) {
      throw new FeatureServerException("UNREACHABLE", false, path + ": cannot connect to " + base + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new FeatureServerException("UNREACHABLE", false, path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FeatureServerException("UNREACHABLE", false, path + ": interrupted", e);
    }
    JsonNode body;
    try {
      body = r.body().length == 0 ? mapper.createObjectNode() : mapper.readTree(r.body());
    } catch (IOException e) {
      throw new FeatureServerException(String.valueOf(r.statusCode()), false,
          path + ": the server answered " + r.statusCode() + " with a body that is not JSON", e);
    }
    if (r.statusCode() / 100 != 2) {
      JsonNode error = errorObject(body);
      String message = error.path("message").asText(error.path("detail").asText(body.toString()));
      throw new FeatureServerException(String.valueOf(r.statusCode()), r.statusCode() / 100 == 4,
          path + ": " + r.statusCode() + " " + message, null);
    }
    return body;
  }

  /**
   * The error object of an error answer. Feast's routes answer Feast's error body, a JSON string
   * holding an object ({@code "{\"module\": \"feast.errors\", \"class\": ..., \"message\": ...}"});
   * Quiver's other routes (and older servers) the object itself.
   */
  private JsonNode errorObject(JsonNode body) {
    if (body.isTextual()) {
      try {
        JsonNode inner = mapper.readTree(body.textValue());
        if (inner != null && inner.isObject()) {
          return inner;
        }
      } catch (IOException notJson) {
        // a plain string: its text is the message
      }
      return mapper.createObjectNode().put("message", body.textValue());
    }
    return body;
  }

  private OnlineFeatures features(JsonNode answer) {
    List<String> names = new ArrayList<>();
    answer.path("metadata").path("feature_names").forEach(n -> names.add(n.asText()));
    List<OnlineFeatures.Column> columns = new ArrayList<>();
    JsonNode results = answer.path("results");
    for (int c = 0; c < results.size(); c++) {
      JsonNode r = results.get(c);
      List<Object> values = new ArrayList<>();
      r.path("values").forEach(v -> values.add(value(v)));
      List<FieldStatus> statuses = new ArrayList<>();
      r.path("statuses").forEach(s -> statuses.add(status(s.asText())));
      List<Instant> times = new ArrayList<>();
      r.path("event_timestamps").forEach(t -> times.add(Instant.parse(t.asText())));
      columns.add(new OnlineFeatures.Column(c < names.size() ? names.get(c) : "column_" + c, values, statuses, times));
    }
    List<OnlineFeatures.ViewVersion> views = new ArrayList<>();
    answer.path("metadata").path("feature_view_metadata")
        .forEach(m -> views.add(new OnlineFeatures.ViewVersion(m.path("name").asText(), m.path("version").asInt())));
    return new OnlineFeatures(names, columns, views);
  }

  private static FieldStatus status(String s) {
    try {
      return FieldStatus.valueOf(s);
    } catch (IllegalArgumentException e) {
      return FieldStatus.INVALID;
    }
  }

  private static Object value(JsonNode v) {
    if (v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>(v.size());
      v.forEach(e -> list.add(value(e)));
      return java.util.Collections.unmodifiableList(list);
    }
    return v.asText();
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private byte[] json(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeColumns(JsonGenerator g, String field, Map<String, List<Object>> columns) throws IOException {
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, List<Object>> e : columns.entrySet()) {
      g.writeArrayFieldStart(e.getKey());
      for (Object v : e.getValue()) {
        writeValue(g, v);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long) {
      g.writeNumber((Long) v);
    } else if (v instanceof Integer) {
      g.writeNumber((Integer) v);
    } else if (v instanceof Double) {
      g.writeNumber((Double) v);
    } else if (v instanceof Float) {
      g.writeNumber((Float) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof byte[]) {
      g.writeString(Base64.getEncoder().encodeToString((byte[]) v));
    } else if (v instanceof List<?>) {
      g.writeStartArray();
      for (Object e : (List<?>) v) {
        writeValue(g, e);
      }
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }
}
