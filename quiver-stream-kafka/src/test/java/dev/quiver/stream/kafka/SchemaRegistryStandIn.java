package dev.quiver.stream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A STAND-IN for a Confluent-compatible schema registry, served by the JDK's HTTP server on
 * 127.0.0.1 (no real registry can be started here: Karapace is not on this machine's PyPI and
 * Apicurio's app modules are not served from Maven; see docs/streams.md). It speaks the two calls
 * the test needs, as Confluent's REST API documents them: {@code POST /subjects/{subject}/versions}
 * with {@code {"schema": "..."}} answers {@code {"id": N}}, and {@code GET /schemas/ids/{id}}
 * answers {@code {"schema": "..."}} or 404 with {@code {"error_code": 40403}}. With credentials set,
 * every request needs them (401 otherwise). Also encodes values in the Confluent wire format with
 * Apache Avro.
 */
final class SchemaRegistryStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final String expectedAuth;

  SchemaRegistryStandIn() throws IOException {
    this(null, null);
  }

  SchemaRegistryStandIn(String user, String password) throws IOException {
    this.expectedAuth = user == null ? null
        : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Registers a schema over the REST API, as a producer's serializer does; returns its id. */
  int register(String subject, Schema schema) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url() + "/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
            JSON.writeValueAsString(Map.of("schema", schema.toString()))));
    if (expectedAuth != null) {
      request.header("Authorization", expectedAuth);
    }
    var response = client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("register: HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body()).get("id").intValue();
  }

  /** The record in the Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), Avro binary. */
  static byte[] wire(int id, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    out.write(avro(record));
    return out.toByteArray();
  }

  /** The record as plain Avro binary. */
  static byte[] avro(GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
    enc.flush();
    return out.toByteArray();
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    requests.add(x.getRequestMethod() + " " + path);
    String auth = x.getRequestHeaders().getFirst("Authorization");
    authorizations.add(String.valueOf(auth));
    if (expectedAuth != null && !expectedAuth.equals(auth)) {
      send(x, 401, Map.of("error_code", 40101, "message", "Unauthorized"));
      return;
    }
    String[] parts = path.split("/");
    if ("POST".equals(x.getRequestMethod()) && parts.length == 4 && parts[1].equals("subjects")
        && parts[3].equals("versions")) {
      JsonNode body = JSON.readTree(x.getRequestBody());
      String schema = body.get("schema").textValue();
      int id = schemas.entrySet().stream().filter(e -> e.getValue().equals(schema)).map(Map.Entry::getKey)
          .findFirst().orElseGet(nextId::getAndIncrement);
      schemas.put(id, schema);
      send(x, 200, Map.of("id", id));
    } else if ("GET".equals(x.getRequestMethod()) && parts.length == 4 && parts[1].equals("schemas")
        && parts[2].equals("ids")) {
      String schema = schemas.get(Integer.parseInt(parts[3]));
      if (schema == null) {
        send(x, 404, Map.of("error_code", 40403, "message", "Schema " + parts[3] + " not found"));
      } else {
        send(x, 200, Map.of("schema", schema));
      }
    } else {
      send(x, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
    }
  }

  private static void send(HttpExchange x, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    x.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    x.sendResponseHeaders(status, bytes.length);
    try (var out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** How many times the schema of {@code id} was fetched. */
  long fetches(int id) {
    return requests.stream().filter(r -> r.equals("GET /schemas/ids/" + id)).count();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
