package dev.quiver.offline.spark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.RESTCatalogProperties;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ConfigResponseParser;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.rest.responses.ErrorResponseParser;
import org.apache.iceberg.rest.responses.LoadTableResponseParser;

/**
 * The read side of an Iceberg REST catalog over a backing catalog, for tests: {@code GET /v1/config}
 * and {@code GET /v1/namespaces/{ns}/tables/{table}}, answered by Iceberg's own {@link
 * CatalogHandlers} and serialized by its parsers, on a free loopback port. When a
 * token is given, every request must carry {@code Authorization: Bearer TOKEN} (401 otherwise).
 * Records each request's method and path.
 */
final class RestCatalogServer implements AutoCloseable {
  private final HttpServer server;
  private final Catalog backend;
  private final String token;
  final List<String> requests = new CopyOnWriteArrayList<>();

  RestCatalogServer(Catalog backend, String token) throws IOException {
    this.backend = backend;
    this.token = token;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    requests.add(exchange.getRequestMethod() + " " + path);
    try (exchange) {
      if (token != null && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        error(exchange, 401, "NotAuthorizedException", "bad or missing token");
        return;
      }
      String[] parts = path.split("/");
      if (path.equals("/v1/config")) {
        send(exchange, 200, ConfigResponseParser.toJson(ConfigResponse.builder().build()));
      } else if (parts.length == 6 && parts[2].equals("namespaces") && parts[4].equals("tables")
          && exchange.getRequestMethod().equals("GET")) {
        Namespace ns = Namespace.of(URLDecoder.decode(parts[3], StandardCharsets.UTF_8).split("\u001f"));
        TableIdentifier id = TableIdentifier.of(ns, URLDecoder.decode(parts[5], StandardCharsets.UTF_8));
        try {
          send(exchange, 200, LoadTableResponseParser.toJson(
              CatalogHandlers.loadTable(backend, id, RESTCatalogProperties.SnapshotMode.ALL)));
        } catch (NoSuchTableException e) {
          error(exchange, 404, "NoSuchTableException", e.getMessage());
        } catch (NoSuchNamespaceException e) {
          error(exchange, 404, "NoSuchNamespaceException", e.getMessage());
        }
      } else {
        error(exchange, 404, "NotFoundException", "no route " + path);
      }
    }
  }

  private static void error(HttpExchange exchange, int code, String type, String message) throws IOException {
    send(exchange, code, ErrorResponseParser.toJson(ErrorResponse.builder().responseCode(code).withType(type).withMessage(message)
        .build()));
  }

  private static void send(HttpExchange exchange, int code, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
