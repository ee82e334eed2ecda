package dev.quiver.stream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Writer schemas by id from a Confluent-compatible schema registry ({@code GET /schemas/ids/{id}};
 * Confluent's, Apicurio's {@code /apis/ccompat/v7} and Karapace answer it), each fetched once and
 * kept for the life of this object (an id's schema never changes). An id the registry does not know
 * is remembered as unknown for {@link #UNKNOWN_FOR}. Thread-safe.
 *
 * <p>The basic-auth password only goes into the request's header: messages name the registry's URL
 * and the id, never the credentials.
 */
final class SchemaRegistry {
  static final Duration UNKNOWN_FOR = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The schema of an id, or why the id cannot be used (its records are refused; exactly one is non-null). */
  record Lookup(Schema schema, String unusable) {}

  private final String base;
  private final String authorization;
  private final HttpClient http;
  private final ConcurrentHashMap<Integer, Lookup> known = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Long> unknownUntil = new ConcurrentHashMap<>();
  private final Function<Schema, Schema> check;

  /**
   * @param url the registry's base URL (no user info)
   * @param username basic-auth user, or null
   * @param password basic-auth password (the secret itself), or null
   * @param check turns a fetched schema into the one to read with, or throws {@link
   *     IllegalArgumentException} saying why records written with it cannot be read
   */
  SchemaRegistry(String url, String username, String password, Function<Schema, Schema> check) {
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.authorization = username == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.check = check;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /**
   * The writer schema of {@code id}.
   *
   * @throws QuiverException when the registry does not answer, refuses the credentials or answers
   *     something else than a schema or "not found" (not the record's fault: the batch is retried)
   */
  Lookup schema(int id) {
    Lookup hit = known.get(id);
    if (hit != null) {
      return hit;
    }
    Long until = unknownUntil.get(id);
    if (until != null && System.nanoTime() - until < 0) {
      return new Lookup(null, "schema id " + id + " is unknown to the schema registry " + base);
    }
    Lookup fetched = fetch(id);
    if (fetched.schema() == null && fetched.unusable().contains("is unknown")) {
      unknownUntil.put(id, System.nanoTime() + UNKNOWN_FOR.toNanos());
      return fetched;
    }
    unknownUntil.remove(id);
    Lookup raced = known.putIfAbsent(id, fetched);
    return raced != null ? raced : fetched;
  }

  private Lookup fetch(int id) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/schemas/ids/" + id))
        .timeout(TIMEOUT)
        .header("Accept", "application/vnd.schemaregistry.v1+json, application/json")
        .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new QuiverException("the schema registry " + base + " did not answer for schema id " + id + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while asking the schema registry " + base + " for schema id " + id);
    }
    int status = response.statusCode();
    if (status == 404) {
      return new Lookup(null, "schema id " + id + " is unknown to the schema registry " + base);
    }
    if (status == 401 || status == 403) {
      throw new QuiverException("the schema registry " + base + " refused " + (authorization == null
          ? "a request without credentials" : "the credentials of schema_registry_auth") + " (HTTP " + status
          + ") for schema id " + id + "; check schema_registry_auth of the source");
    }
    if (status != 200) {
      throw new QuiverException("the schema registry " + base + " answered HTTP " + status + " for schema id " + id
          + ": " + excerpt(response.body()));
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new QuiverException("the schema registry " + base + " answered schema id " + id + " with something else"
          + " than JSON: " + excerpt(response.body()));
    }
    if (body == null || !body.path("schema").isTextual()) {
      throw new QuiverException("the schema registry " + base + " answered schema id " + id + " without a \"schema\": "
          + excerpt(response.body()));
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type.toUpperCase(Locale.ROOT))) {
      return new Lookup(null, "schema id " + id + " is a " + type + " schema, not Avro (the source is format: avro)");
    }
    try {
      return new Lookup(check.apply(new Schema.Parser().parse(body.get("schema").textValue())), null);
    } catch (SchemaParseException e) {
      return new Lookup(null, "schema id " + id + " is not a valid Avro schema: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return new Lookup(null, "schema id " + id + " " + e.getMessage());
    }
  }

  private static String excerpt(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
