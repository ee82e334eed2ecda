package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver init}: by default the data ends now, so the tour's online reads find fresh values;
 * {@code --start} keeps the data reproducible.
 */
class InitCommandTest {
  @TempDir Path tmp;

  @Test
  void theDefaultDataEndsJustBeforeNow() throws Exception {
    Path repo = tmp.resolve("repo");
    Instant before = Instant.now();
    Cli init = Cli.run("init", repo.toString(), "--rows", "3000");
    Instant after = Instant.now();
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(init.out()).contains("payments from ", "(90 days)");

    Instant[] range = eventRange(repo.resolve("data/transactions.parquet"));
    assertThat(range[1]).as("newest event").isBefore(after).isAfter(before.minus(Duration.ofDays(1)));
    assertThat(range[0]).as("oldest event").isAfterOrEqualTo(before.minus(Duration.ofDays(90)).minusSeconds(1));
  }

  @Test
  void theDefaultStartIsNinetyDaysBeforeNowInWholeSeconds() {
    Instant now = Instant.parse("2031-05-05T12:34:56.789123Z");
    assertThat(InitCommand.defaultStart(now)).isEqualTo(Instant.parse("2031-02-04T12:34:56Z"));
  }

  @Test
  void onlineReadsAfterMaterializingToNowArePresent() throws Exception {
    String r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "3000").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Cli materialize = Cli.run("materialize", "2000-01-01", "now", "--repo", r);
    assertThat(materialize.exitCode()).as(materialize.toString()).isZero();

    Cli online = Cli.run("online", "--repo", r, "--features", "user_txn:last_amount,user_profile:risk_segment",
        "--entity", "user_id=1,2,3", "--output", "json");
    assertThat(online.exitCode()).as(online.toString()).isZero();
    JsonNode results = new ObjectMapper().readTree(online.out()).path("results");
    assertThat(results).hasSize(3);
    for (int f = 1; f < 3; f++) {
      assertThat(results.get(f).path("statuses")).as(online.out()).extracting(JsonNode::asText)
          .containsExactly("PRESENT", "PRESENT", "PRESENT");
    }
  }

  @Test
  void anExplicitStartGivesTheSameDataEveryTime() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    assertThat(Cli.run("init", a.toString(), "--rows", "2000", "--seed", "7", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("init", b.toString(), "--rows", "2000", "--seed", "7", "--start", "2026-01-01").exitCode()).isZero();
    for (String file : new String[] {"transactions.parquet", "user_profiles.parquet", "merchant_profiles.parquet"}) {
      assertThat(Files.mismatch(a.resolve("data").resolve(file), b.resolve("data").resolve(file))).as(file).isEqualTo(-1);
    }
    Instant[] range = eventRange(a.resolve("data/transactions.parquet"));
    assertThat(range[0]).isAfterOrEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(range[1]).isBefore(Instant.parse("2026-04-01T00:00:00Z"));
  }

  /** The oldest and newest {@code event_ts} of a transactions file. */
  private static Instant[] eventRange(Path transactions) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT epoch_us(min(event_ts)), epoch_us(max(event_ts)) FROM '" + transactions + "'")) {
      rs.next();
      return new Instant[] {Instant.EPOCH.plus(rs.getLong(1), ChronoUnit.MICROS), Instant.EPOCH.plus(rs.getLong(2), ChronoUnit.MICROS)};
    }
  }
}
