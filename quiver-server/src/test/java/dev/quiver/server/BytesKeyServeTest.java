package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §3 "Keys" over HTTP: a bytes key (base64 in JSON) is one key by content, for reads, latest
 * rows and tiles alike, from materialization and from pushes; text that is not base64 is a 400.
 */
class BytesKeyServeTest {
  @TempDir Path tmp;

  @Test
  void aBytesKeyIsOneKeyByContentOverHttp() throws Exception {
    Path dir = tmp.resolve("repo");
    Files.createDirectories(dir.resolve("features"));
    Files.createDirectories(dir.resolve("data/events"));
    Files.writeString(dir.resolve("quiver.yaml"), """
        project: bytestest
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(dir.resolve("features/defs.yaml"), """
        entities:
          - {name: device, join_keys: [device_id], type: bytes}
        sources:
          - {name: events, path: data/events/*.parquet, timestamp: event_ts}
        feature_views:
          - name: device_stats
            entities: [device]
            source: events
            features:
              - {name: last_n, column: n}
              - {name: events, aggregate: {fn: count, window: lifetime}}
        """);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      // three rows of device 0x0707, one of 0x07
      s.execute("COPY (SELECT * FROM (VALUES ('\\x07\\x07'::BLOB, TIMESTAMP '2026-01-01 00:00:00', 1::BIGINT),"
          + " ('\\x07\\x07'::BLOB, TIMESTAMP '2026-01-01 00:00:01', 2::BIGINT), ('\\x07\\x07'::BLOB, TIMESTAMP '2026-01-01 00:00:02', 3::BIGINT),"
          + " ('\\x07'::BLOB, TIMESTAMP '2026-01-01 00:00:00', 9::BIGINT)) t(device_id, event_ts, n)) TO '"
          + dir.resolve("data/events/part-0.parquet") + "' (FORMAT parquet)");
    }
    Instant now = Instant.parse("2026-01-02T00:00:00Z");
    try (FeatureRepo repo = FeatureRepo.open(dir, Clock.fixed(now, ZoneOffset.UTC))) {
      repo.apply(repo.plan(false), "test", "bytes", false);
      repo.materialize(List.of(), Instant.parse("2025-01-01T00:00:00Z"), now, (v, r, w) -> {}, "test");
      try (QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
          Http http = new Http(server.httpPort())) {
        String read = "{\"features\": [\"device_stats:last_n\", \"device_stats:events\"], \"entities\": {\"device_id\": [\"Bwc=\", \"Bw==\", \"Bwc=\"]}}";
        JsonNode results = http.post("/get-online-features", read).json().get("results");
        assertThat(results.get(1).get("values").toString()).isEqualTo("[3,9,3]");
        assertThat(results.get(2).get("values").toString()).as("three rows of one key count 3").isEqualTo("[3,1,3]");

        Http.Reply pushed = http.post("/push", """
            {"push_source_name": "events", "to": "online",
             "df": {"device_id": ["Bwc="], "event_ts": ["2026-01-01T00:00:05Z"], "n": [4]}}""");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        results = http.post("/get-online-features", read).json().get("results");
        assertThat(results.get(1).get("values").toString()).isEqualTo("[4,9,4]");
        assertThat(results.get(2).get("values").toString()).as("the push lands in the same tiles").isEqualTo("[4,1,4]");

        Http.Reply bad = http.post("/get-online-features",
            "{\"features\": [\"device_stats:last_n\"], \"entities\": {\"device_id\": [\"not base64!\"]}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("device_id").contains("base64");
      }
    }
  }
}
