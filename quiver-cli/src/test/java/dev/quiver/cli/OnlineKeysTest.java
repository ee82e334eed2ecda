package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver online --entity}: keys parse by the same strict rules as over HTTP, and the answer echoes them typed. */
class OnlineKeysTest {
  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void createRepo() throws Exception {
    repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: keys
        registry: {type: file, path: .quiver/registry}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: txns, path: data/txns.parquet, timestamp: event_ts}
        feature_views:
          - name: user_last
            entities: [user]
            source: txns
            ttl: 3650d
            features:
              - {name: amount, column: amount}
        """);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT i::BIGINT AS user_id, TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) AS event_ts,"
          + " i * 1.5 AS amount FROM range(1, 11) t(i)) TO '" + repo.resolve("data/txns.parquet") + "' (FORMAT parquet)");
    }
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
    assertThat(Cli.run("materialize", "--repo", repo.toString(), "2026-01-01", "2026-02-01").exitCode()).isZero();
  }

  @Test
  void entityValuesThatAreNotExactIntegersAreRefusedNamingColumnValueAndType() {
    for (String bad : new String[] {"01", "1.5", "1e0", "+1", "true"}) {
      Cli online = Cli.run("online", "--repo", repo.toString(), "--features", "user_last:amount", "--entity", "user_id=2," + bad);
      assertThat(online.exitCode()).as(online.toString()).isEqualTo(1);
      assertThat(online.err()).contains("entity column 'user_id' holds int64 keys, but got '" + bad + "' (a string);"
          + " expected an exact integer in int64's range");
    }
    Cli spaced = Cli.run("online", "--repo", repo.toString(), "--features", "user_last:amount", "--entity", "user_id=2, 3");
    assertThat(spaced.err()).contains("but got ' 3' (a string)");
  }

  @Test
  void theAnswerEchoesTheKeysAsNumbers() throws Exception {
    Cli online = Cli.run("online", "--repo", repo.toString(), "--features", "user_last:amount", "--entity", "user_id=2,3",
        "--output", "json");
    assertThat(online.exitCode()).as(online.toString()).isZero();
    JsonNode results = Json.MAPPER.readTree(online.out()).get("results");
    assertThat(results.get(0).get("values").toString()).isEqualTo("[2,3]");
    assertThat(results.get(1).get("values").toString()).isEqualTo("[3.0,4.5]");
  }
}
