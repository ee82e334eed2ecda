package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source whose files are missing or unreadable is the data's fault: the server answers 422 naming
 * the source and the file, not 503, and keeps serving.
 */
class SourceDataErrorTest {
  @TempDir Path tmp;
  Path dir;
  FeatureRepo repo;
  QuiverServer server;
  Http http;

  @BeforeEach
  void start() {
    dir = TestRepo.rocksdb(tmp.resolve("repo"));
    repo = FeatureRepo.open(dir);
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
    http = new Http(server.httpPort());
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
    repo.close();
  }

  @Test
  void materializingFromAMissingFileIsA422NamingTheSourceAndThePath() throws Exception {
    Files.delete(dir.resolve("data/txns/part-0.parquet"));

    Http.Reply r = http.post("/materialize", "{\"start_ts\": \"2025-01-01T00:00:00Z\", \"end_ts\": \"2026-02-01T00:00:00Z\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(422);
    JsonNode body = Http.JSON.readTree(r.body());
    assertThat(body.toString()).contains("source_data", "user_stats@v1", "source 'txns'", "no file matches data/txns/*.parquet");
    Http.Reply read = http.post("/get-online-features", "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2]}}");
    assertThat(read.status()).as("reads go on from the online store").isEqualTo(200);
  }

  @Test
  void materializingFromADamagedFileIsA422NamingTheFile() throws Exception {
    Files.writeString(dir.resolve("data/txns/part-0.parquet"), "not parquet at all");

    Http.Reply r = http.post("/materialize-incremental", "{\"end_ts\": \"2026-02-02T00:00:00Z\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("source 'txns'", "data/txns/part-0.parquet");
  }

  @Test
  void pushingOfflineBesideADamagedFileIsA422NamingTheFile() throws Exception {
    Files.writeString(dir.resolve("data/txns/part-0.parquet"), "not parquet at all");

    Http.Reply r = http.post("/push", PushTest.push("offline", 5, "2026-03-01T00:00:00Z", 9.5, "JP"));

    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("source 'txns'", "data/txns/part-0.parquet");
  }
}
