package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.QuiverException;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.server.ServerFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@code quiver serve} running on the repo (found through {@link ServerFile}), which owns the
 * embedded online store: commands that need the store send their work to its HTTP API instead of
 * opening the store (RocksDB lets one process open it). Used only when the repo's online store is
 * embedded ({@code online.type: rocksdb}); a networked store (Redis) is opened directly as before.
 * Sends {@code Authorization: Bearer TOKEN} when a token is given. Not thread-safe; one per command.
 */
final class RunningServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT = Duration.ofSeconds(5);

  private final ServerFile.Entry entry;
  private final String token;
  private final HttpClient http;

  private RunningServer(ServerFile.Entry entry, String token) {
    this.entry = entry;
    this.token = token;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT).build();
  }

  /**
   * The server running on the repo at {@code root}, when its online store is embedded and a live
   * server recorded itself there; says on {@code err} that the command goes through it.
   *
   * @param token the bearer token to send ({@code --token}, else {@code $QUIVER_TOKEN}); null for none
   */
  static Optional<RunningServer> find(Path root, String token, PrintWriter err) {
    RepoConfig config = new DefinitionLoader().loadConfig(root);
    if (!embedded(config)) {
      return Optional.empty();
    }
    Optional<ServerFile.Entry> e = ServerFile.find(config.root());
    e.ifPresent(s -> {
      err.printf("going through the server at %s (pid %d), which owns the online store%n", s.http(), s.pid());
      err.flush();
    });
    return e.map(s -> new RunningServer(s, token));
  }

  /** Whether the repo's online store is one process's alone (RocksDB). */
  static boolean embedded(RepoConfig config) {
    return String.valueOf(config.online().getOrDefault("type", "rocksdb")).equals("rocksdb");
  }

  ServerFile.Entry entry() {
    return entry;
  }

  /** POSTs {@code body} to {@code path} (with its query) and returns the JSON answer of a 2xx. */
  JsonNode post(String path, JsonNode body) {
    try {
      return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** GETs {@code path} and returns the JSON answer of a 2xx. */
  JsonNode get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private URI uri(String path) {
    return URI.create(entry.http().toString().replaceAll("/+$", "") + path);
  }

  private JsonNode send(HttpRequest.Builder request) {
    request.header("Content-Type", "application/json").header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<byte[]> answer;
    try {
      answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new QuiverException("the server at " + entry.http() + " (pid " + entry.pid() + ") does not answer (" + e
          + "); it owns the online store: wait for it to start or stop it (kill " + entry.pid() + "), then run this again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while waiting for the server at " + entry.http());
    }
    JsonNode body = parse(answer.body());
    if (answer.statusCode() / 100 == 2) {
      if (body == null) {
        throw new QuiverException("the server at " + entry.http() + " answered " + answer.statusCode() + " without JSON");
      }
      return body;
    }
    String message = message(body);
    if (answer.statusCode() == 401 || answer.statusCode() == 403) {
      message += token == null ? "; the server wants a token: pass --token or set QUIVER_TOKEN" : "";
    }
    throw new QuiverException(message == null || message.isBlank()
        ? "the server at " + entry.http() + " answered " + answer.statusCode() : message);
  }

  /** The message of an error body: Quiver's object, or Feast's (a JSON string holding the object). */
  private static String message(JsonNode body) {
    JsonNode n = body;
    if (n != null && n.isTextual()) {
      n = parse(n.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return n == null || !n.path("message").isTextual() ? "" : n.get("message").asText();
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return bytes == null || bytes.length == 0 ? null : JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }
}
