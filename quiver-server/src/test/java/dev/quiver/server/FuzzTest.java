package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random and mutated requests (byte edits of valid bodies, JSON values swapped for
 * random ones, deep nesting, huge numbers, wrong methods and paths, raw malformed HTTP): never a 5xx,
 * and the server answers correctly afterwards. Seeded; the seed is printed and can be set with
 * {@code -Dquiver.fuzz.seed=N}.
 */
class FuzzTest {
  static final int REQUESTS = Integer.getInteger("quiver.fuzz.requests", 3000);
  static final String[] VALID = {
      "{\"features\": [\"user_stats:amount\", \"user_stats:tags\"], \"entities\": {\"user_id\": [1, 2, 3]}, \"full_feature_names\": true}",
      "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [4]}, \"request_context\": {\"amount\": [1.5]}}",
      PushTest.push("online", 9, "2026-03-01T00:00:00Z", 3.5, "ES"),
      PushTest.push("online_and_offline", 10, "2026-03-02T00:00:00Z", 4.5, "PT"),
      "{\"start_ts\": \"2026-01-01T00:00:00Z\", \"end_ts\": \"2026-01-02T00:00:00Z\", \"feature_views\": [\"user_stats\"]}",
      FeastHttpTest.write(11, "2026-03-03T00:00:00", 5.5, "GR"),
  };
  static final String[] PATHS = {"/get-online-features", "/get-online-features", "/push", "/push", "/materialize",
      "/materialize-incremental", "/health", "/ready", "/api/v1/features", "/api/v1/feature-views/user_stats",
      "/api/v1/x/y/z", "/", "/get-online-features/extra", "/%zz", "/api/v1/", "/write-to-online-store",
      "/materialize?async=true", "/materialize-incremental?async=1", "/materialize/status", "/push?async=maybe"};
  static final String[] METHODS = {"POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"};

  @TempDir Path tmp;

  @Test
  void noRequestGetsA5xxAndTheServerStaysHealthy() throws Exception {
    long seed = Long.getLong("quiver.fuzz.seed", System.nanoTime());
    System.out.println("FuzzTest seed: " + seed + " (rerun with -Dquiver.fuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    try (FeatureRepo repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withLimits(256 * 1024, 1000));
         Http http = new Http(server.httpPort())) {
      Map<Integer, Integer> statuses = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        int kind = random.nextInt(10);
        String path = kind < 7 ? PATHS[random.nextInt(4)] : PATHS[random.nextInt(PATHS.length)];
        String method = kind < 8 ? "POST" : METHODS[random.nextInt(METHODS.length)];
        String body = switch (random.nextInt(5)) {
          case 0, 1 -> mutateJson(VALID[random.nextInt(VALID.length)], random);
          case 2 -> mutateBytes(VALID[random.nextInt(VALID.length)], random);
          case 3 -> randomJson(random, 0).toString();
          default -> random.nextBoolean() ? deep(random.nextInt(5000)) : randomText(random, random.nextInt(200));
        };
        Http.Reply r;
        try {
          r = http.method(method, path, body);
        } catch (IllegalArgumentException e) {
          continue; // the JDK client refuses to send it (e.g. an invalid path); nothing reached the server
        }
        statuses.merge(r.status(), 1, Integer::sum);
        if (r.status() >= 500) {
          failures.add(r.status() + " for " + method + " " + path + " " + abbreviate(body) + " -> " + r.body());
        } else if (r.status() >= 400 && (r.body().isEmpty() || HttpServerTest.error(r).path("message").asText().isEmpty())) {
          failures.add("error without a message: " + r.status() + " " + r.body());
        }
      }
      for (int i = 0; i < 200; i++) {
        int status = raw(server.httpPort(), rawRequest(random));
        statuses.merge(status, 1, Integer::sum);
        if (status >= 500) {
          failures.add(status + " for a raw malformed request");
        }
      }
      System.out.println("FuzzTest statuses: " + statuses);
      assertThat(failures).as("seed " + seed).isEmpty();
      assertThat(statuses.keySet()).as("mutations reached the handlers").contains(200, 400, 404);
      assertThat(http.get("/health").status()).isEqualTo(200);
      assertThat(http.get("/ready").status()).isEqualTo(200);
      Http.Reply ok = http.post("/get-online-features", "{\"features\": [\"user_stats:country\"], \"entities\": {\"user_id\": [2]}}");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.json().get("results").get(1).get("values").get(0).asText()).isEqualTo("FR");
    }
  }

  static String mutateJson(String valid, Random random) throws IOException {
    JsonNode root = Http.JSON.readTree(valid);
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      List<JsonNode> containers = new ArrayList<>();
      collect(root, containers);
      JsonNode c = containers.get(random.nextInt(containers.size()));
      if (c instanceof ObjectNode o && !o.isEmpty()) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        String name = names.get(random.nextInt(names.size()));
        switch (random.nextInt(3)) {
          case 0 -> o.set(name, randomJson(random, 0));
          case 1 -> o.remove(name);
          default -> o.set(randomText(random, 5), randomJson(random, 0));
        }
      } else if (c instanceof ArrayNode a && !a.isEmpty()) {
        int i = random.nextInt(a.size());
        switch (random.nextInt(3)) {
          case 0 -> a.set(i, randomJson(random, 0));
          case 1 -> a.remove(i);
          default -> a.add(randomJson(random, 0));
        }
      }
    }
    return root.toString();
  }

  static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      n.forEach(child -> collect(child, out));
    }
  }

  static JsonNode randomJson(Random random, int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    int pick = random.nextInt(depth > 3 ? 8 : 11);
    return switch (pick) {
      case 0 -> f.nullNode();
      case 1 -> f.booleanNode(random.nextBoolean());
      case 2 -> f.numberNode(random.nextLong());
      case 3 -> f.numberNode(random.nextDouble() * 1e12 - 5e11);
      case 4 -> f.numberNode(new java.math.BigInteger(200, random));
      case 5 -> f.textNode(randomText(random, random.nextInt(20)));
      case 6 -> f.textNode(List.of("user_stats:amount", "scoring", "2026-03-01T00:00:00Z", "online", "txns", "NaN", "").get(random.nextInt(7)));
      case 7 -> f.numberNode(List.of(0, -1, 1, Integer.MAX_VALUE).get(random.nextInt(4)));
      case 8, 9 -> {
        ArrayNode a = f.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(randomJson(random, depth + 1));
        }
        yield a;
      }
      default -> {
        ObjectNode o = f.objectNode();
        for (int i = random.nextInt(3); i > 0; i--) {
          o.set(List.of("user_id", "features", "x", "df", "to").get(random.nextInt(5)), randomJson(random, depth + 1));
        }
        yield o;
      }
    };
  }

  static String mutateBytes(String valid, Random random) {
    StringBuilder b = new StringBuilder(valid);
    for (int n = 1 + random.nextInt(4); n > 0 && !b.isEmpty(); n--) {
      int at = random.nextInt(b.length());
      switch (random.nextInt(4)) {
        case 0 -> b.deleteCharAt(at);
        case 1 -> b.insert(at, "{}[]\":,\\ \u0000é\uD83D\uDE00-e9".charAt(random.nextInt(15)));
        case 2 -> b.setCharAt(at, (char) random.nextInt(128));
        default -> b.setLength(at);
      }
    }
    return b.toString();
  }

  static String randomText(Random random, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000)));
    }
    return b.toString();
  }

  static String deep(int depth) {
    return "{\"features\": " + "[".repeat(depth) + "]".repeat(depth) + ", \"entities\": {\"user_id\": [1]}}";
  }

  static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  static byte[] rawRequest(Random random) {
    String[] shapes = {
        "GARBAGE\r\n\r\n",
        "POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{}",
        "POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n",
        "POST /push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
        "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /health HTTP/9.9\r\n\r\n",
        "POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 3\r\n\r\n{}",
        "\u0000\u0001\u0002\r\n\r\n",
    };
    String s = shapes[random.nextInt(shapes.length)];
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends raw bytes; the status of the answer, or 0 when the server closed without one. */
  static int raw(int port, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      String line = new String(head, StandardCharsets.ISO_8859_1);
      return line.startsWith("HTTP/1.") && line.length() >= 12 ? Integer.parseInt(line.substring(9, 12)) : 0;
    } catch (java.net.SocketException e) {
      return 0;
    }
  }
}
