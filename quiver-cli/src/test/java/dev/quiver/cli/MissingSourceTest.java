package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.Watermark;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A missing or unreadable source fails only the views and training sets that read it: every other
 * view is materialized, every other training set computed, and the failures name the source and
 * its file.
 */
class MissingSourceTest {
  private static final String QUERY = "SELECT user_id, merchant_id, event_ts AS event_timestamp FROM transactions WHERE txn_id % 9 = 0";

  @TempDir Path tmp;
  Path repo;
  String r;

  @BeforeEach
  void init() throws Exception {
    repo = tmp.resolve("repo");
    r = repo.toString();
    Cli init = Cli.run("init", r, "--rows", "3000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Files.delete(repo.resolve("data/merchant_profiles.parquet"));
  }

  @Test
  void materializationGoesOnWithTheOtherViewsAndNamesTheFailedOne() {
    Cli run = Cli.run("materialize", "--repo", r, "2000-01-01", "2026-06-01");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).contains("user_txn@v1", "user_profile@v1", "merchant_txn@v1").doesNotContain("merchant_profile@v1");
    assertThat(run.err()).contains("error: view merchant_profile@v1 not materialized: source 'merchant_profiles': no file matches"
        + " data/merchant_profiles.parquet", "error: 1 of 4 views not materialized (the others were)").doesNotContain("\tat ");
    assertThat(run.err().lines().filter(l -> l.startsWith("error: view "))).hasSize(1);
    try (FeatureRepo opened = FeatureRepo.open(repo)) {
      assertThat(opened.registry().watermark("user_txn@v1").map(Watermark::end)).isPresent();
      assertThat(opened.registry().watermark("merchant_profile@v1")).isEqualTo(Optional.empty());
    }
    Cli online = Cli.run("online", "--repo", r, "--features", "user_profile:home_country", "--entity", "user_id=1,2");
    assertThat(online.exitCode()).as(online.toString()).isZero();

    Cli incremental = Cli.run("materialize-incremental", "--repo", r, "2026-06-02");
    assertThat(incremental.exitCode()).as(incremental.toString()).isEqualTo(1);
    assertThat(incremental.err()).contains("error: view merchant_profile@v1 not materialized: source 'merchant_profiles'");
    assertThat(incremental.out()).contains("user_txn@v1");
  }

  @Test
  void trainingSetsThatDoNotReadTheSourceWorkAndThoseThatDoNameIt() {
    Cli without = Cli.run("historical", "--repo", r, "--query-sql", QUERY, "--features", "user_txn:last_amount,user_profile:risk_segment",
        "--out", tmp.resolve("ok.parquet").toString(), "--save", "ok");
    assertThat(without.exitCode()).as(without.toString()).isZero();
    Cli rep = Cli.run("datasets", "reproduce", "ok", "--repo", r, "--out", tmp.resolve("again.parquet").toString());
    assertThat(rep.exitCode()).as(rep.toString()).isZero();

    Cli with = Cli.run("historical", "--repo", r, "--query-sql", QUERY, "--features", "merchant_profile:category",
        "--out", tmp.resolve("bad.parquet").toString());
    assertThat(with.exitCode()).as(with.toString()).isEqualTo(1);
    assertThat(with.err()).contains("source 'merchant_profiles': no file matches data/merchant_profiles.parquet").doesNotContain("\tat ");

    Cli sql = Cli.run("historical", "--repo", r, "--query-sql",
        "SELECT user_id, updated_at AS event_timestamp FROM merchant_profiles", "--features", "user_txn:last_amount",
        "--out", tmp.resolve("bad.parquet").toString());
    assertThat(sql.exitCode()).as(sql.toString()).isEqualTo(1);
    assertThat(sql.err()).contains("source 'merchant_profiles': no file matches data/merchant_profiles.parquet");
  }

  @Test
  void anUnreadableFileIsNamedToo() throws Exception {
    Files.writeString(repo.resolve("data/merchant_profiles.parquet"), "not parquet");

    Cli run = Cli.run("materialize", "--repo", r, "--views", "merchant_profile,user_profile", "2000-01-01", "2026-06-01");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).contains("user_profile@v1");
    assertThat(run.err()).contains("error: view merchant_profile@v1 not materialized: source 'merchant_profiles': cannot read"
        + " data/merchant_profiles.parquet as parquet");

    Cli with = Cli.run("historical", "--repo", r, "--query-sql", QUERY, "--features", "merchant_profile:category",
        "--out", tmp.resolve("bad.parquet").toString());
    assertThat(with.exitCode()).as(with.toString()).isEqualTo(1);
    assertThat(with.err()).contains("source 'merchant_profiles': cannot read data/merchant_profiles.parquet as parquet");
  }

  @Test
  void commandsThatDoNotReadTheSourceAreUnaffected() {
    for (String[] args : new String[][] {
        {"list", "features", "--repo", r},
        {"describe", "merchant_profile:category", "--repo", r},
        {"registry", "log", "--repo", r},
        {"datasets", "list", "--repo", r}}) {
      Cli run = Cli.run(args);
      assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
    }
  }
}
