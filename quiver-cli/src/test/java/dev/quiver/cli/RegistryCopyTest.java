package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStores;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.SampleDatasets;
import dev.quiver.testkit.SampleDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver registry copy}: a file registry into PostgreSQL and back, byte for byte; tokens and
 * the audit log between PostgreSQL registries; a refused non-empty target; a re-run after a crash.
 */
class RegistryCopyTest {
  private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456Z");
  private static LocalPostgres pg;

  @TempDir Path tmp;
  Path source;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  /** A file registry with three versions, two datasets, two watermarks, three validation and two skew results. */
  @BeforeEach
  void sourceRepo() throws Exception {
    source = tmp.resolve("source");
    Files.createDirectories(source);
    Files.writeString(source.resolve("quiver.yaml"), "project: payments\n");
    Files.writeString(source.resolve("pg-password.txt"), LocalPostgres.PASSWORD + "\n");
    try (FeatureRepo r = FeatureRepo.open(source)) {
      for (int v = 1; v <= 3; v++) {
        r.registry().commit(v - 1, SampleDefinitions.sample(v), "author-" + v, "change " + v, T.plusSeconds(v));
      }
      r.registry().saveDataset(SampleDatasets.sample("fraud_train", 1, "ana", T));
      r.registry().saveDataset(SampleDatasets.sample("fraud_eval", 2, "bo", T.plusSeconds(9)));
      r.registry().advanceWatermark(new Watermark("user_txn@v1", T, 2, "ana", T));
      r.registry().advanceWatermark(new Watermark("merchant@v2", T.plusSeconds(5), 3, "bo", T));
      r.registry().validationLog().append(List.of(
          new RuleResult(T, "materialize", "user_txn@v1", "amount", "min", "0", "skip_row", 100, 2, List.of("-1", "-2"),
              RuleResult.Outcome.SKIPPED),
          new RuleResult(T, "materialize", "user_txn@v1", null, "row_count", "1..", "warn", 100, 0, List.of(),
              RuleResult.Outcome.PASSED)));
      r.registry().validationLog().append(List.of(new RuleResult(T.plusSeconds(60), "push", "user_txn@v1", "amount", "min",
          "0", "fail", 1, 1, List.of("-5"), RuleResult.Outcome.FAILED)));
      r.registry().skewLog().append(List.of(
          new SkewResult(T, "fraud", "user_txn__amount", T.minusSeconds(86_400), null, 1_000, 3, List.of("user_id=7: served 1.5, offline 2.5")),
          new SkewResult(T, "fraud", "user_txn__country", T.minusSeconds(86_400), null, 1_000, 0, List.of())));
    }
  }

  private static String spec(String schema) {
    return "{type: postgres, url: '" + pg.url() + "', user: " + LocalPostgres.USER
        + ", password: '${file:pg-password.txt}', schema: " + schema + "}";
  }

  private static RegistryStore postgres(String schema) {
    return RegistryStores.open(pg.registryOptions(schema), Path.of("."));
  }

  private Path repoOn(String name, String registry) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("quiver.yaml"), "project: payments\nregistry: " + registry + "\n");
    Files.writeString(dir.resolve("pg-password.txt"), LocalPostgres.PASSWORD);
    return dir;
  }

  private static List<String> files(Path dir) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).filter(p -> (p.toString().endsWith(".json") || p.toString().endsWith(".jsonl"))).sorted().toList()) {
        out.add(dir.relativize(p) + "\n" + Files.readString(p));
      }
    }
    return out;
  }

  @Test
  void aFileRegistryGoesIntoPostgresAndBackByteForByte() throws Exception {
    String schema = pg.newSchema();
    Cli copied = Cli.run("registry", "copy", "--repo", source.toString(), "--to", spec(schema));

    assertThat(copied.exitCode()).as(copied.toString()).isZero();
    assertThat(copied.out()).startsWith("Copied 3 versions, 2 datasets, 2 watermarks, 0 API tokens, 0 audit events,"
        + " 3 validation results and 2 skew results into the postgres registry").contains(pg.url())
        .doesNotContain(LocalPostgres.PASSWORD).doesNotContain("Already there");
    try (RegistryStore there = postgres(schema); FeatureRepo here = FeatureRepo.open(source)) {
      assertThat(there.log()).isEqualTo(here.registry().log());
      assertThat(there.log()).extracting(VersionInfo::version).containsExactly(3L, 2L, 1L);
      assertThat(there.datasets()).isEqualTo(here.registry().datasets());
      assertThat(there.watermarks()).isEqualTo(here.registry().watermarks());
      assertThat(there.validationLog().read(Instant.MIN, null, 100))
          .isEqualTo(here.registry().validationLog().read(Instant.MIN, null, 100)).hasSize(3);
      assertThat(there.skewLog().read(Instant.MIN, null, 100)).isEqualTo(here.registry().skewLog().read(Instant.MIN, null, 100))
          .hasSize(2);
    }

    Path viaPostgres = repoOn("via-postgres", spec(schema));
    Path back = repoOn("back", "{type: file, path: registry-copy}");
    Cli returned = Cli.run("registry", "copy", "--repo", viaPostgres.toString(), "--to", back.toString());

    assertThat(returned.exitCode()).as(returned.toString()).isZero();
    assertThat(files(back.resolve("registry-copy"))).isEqualTo(files(source.resolve(".quiver/registry")));
  }

  @Test
  void tokensAndTheAuditLogAreCopiedToPostgresAndToAFileRegistry() throws Exception {
    String from = pg.newSchema();
    ApiToken token = new ApiToken("q1", "ci", Set.of("reader"), "ab".repeat(32), T, Optional.empty(), Optional.empty());
    AuditEvent e1 = new AuditEvent(T, "ana", "local", "apply", "registry *", "cli", "ok", "version 1");
    AuditEvent e2 = new AuditEvent(T.plusNanos(1), "ci", "token", "push", "feature_view user_txn", "10.0.0.1", "ok", "");
    try (RegistryStore s = postgres(from)) {
      s.commit(0, SampleDefinitions.sample(1), "ana", "", T);
      s.tokens().create(token);
      s.audit().append(e1);
      s.audit().append(e2);
    }
    Path pgRepo = repoOn("pg-repo", spec(from));
    String to = pg.newSchema();

    Cli copied = Cli.run("registry", "copy", "--repo", pgRepo.toString(), "--to", spec(to));

    assertThat(copied.exitCode()).as(copied.toString()).isZero();
    assertThat(copied.out()).contains("1 versions, 0 datasets, 0 watermarks, 1 API tokens, 2 audit events,"
        + " 0 validation results and 0 skew results");
    try (RegistryStore there = postgres(to)) {
      assertThat(there.tokens().list()).containsExactly(token);
      assertThat(there.audit().read(Instant.EPOCH, 10)).containsExactly(e1, e2);
    }

    Path fileRepo = repoOn("file-repo", "{type: file}");
    Cli toFile = Cli.run("registry", "copy", "--repo", pgRepo.toString(), "--to", fileRepo.toString());
    assertThat(toFile.exitCode()).as(toFile.toString()).isZero();
    try (FeatureRepo there = FeatureRepo.open(fileRepo)) {
      assertThat(there.registry().tokens().list()).containsExactly(token);
      assertThat(there.registry().audit().read(Instant.EPOCH, 10)).containsExactly(e1, e2);
    }
  }

  @Test
  void aNonEmptyTargetIsRefusedAndLeftAlone() throws Exception {
    String schema = pg.newSchema();
    try (RegistryStore other = postgres(schema)) {
      other.commit(0, SampleDefinitions.sample(7), "someone", "their own", T);
    }

    Cli refused = Cli.run("registry", "copy", "--repo", source.toString(), "--to", spec(schema));

    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).startsWith("error: the postgres registry ")
        .contains("is not empty and not an earlier copy of this registry: its registry version 1 differs from the"
            + " source's; copy into an empty registry (nothing was written)")
        .doesNotContain(LocalPostgres.PASSWORD);
    try (RegistryStore other = postgres(schema)) {
      assertThat(other.log()).hasSize(1);
      assertThat(other.datasets()).isEmpty();
    }
  }

  @Test
  void aCopyInterruptedMidwayContinuesWhenRunAgain() throws Exception {
    String schema = pg.newSchema();
    try (RegistryStore partial = postgres(schema); FeatureRepo here = FeatureRepo.open(source)) {
      // what a copy that crashed after version 2 and the first dataset leaves behind
      for (long v = 1; v <= 2; v++) {
        VersionInfo info = here.registry().read(v).info();
        partial.commit(v - 1, here.registry().read(v).definitions(), info.author(), info.message(), info.appliedAt());
      }
      partial.saveDataset(here.registry().datasets().getFirst());
      partial.validationLog().append(here.registry().validationLog().read(Instant.MIN, null, 2)); // the first run's
    }

    Cli again = Cli.run("registry", "copy", "--repo", source.toString(), "--to", spec(schema));

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).startsWith("Copied 1 versions, 1 datasets, 2 watermarks, 0 API tokens, 0 audit events,"
        + " 1 validation results and 2 skew results").contains("Already there from an earlier copy: 2 versions, 1 datasets,"
        + " 0 watermarks, 0 API tokens, 0 audit events, 2 validation results and 0 skew results.");
    Cli third = Cli.run("registry", "copy", "--repo", source.toString(), "--to", spec(schema));
    assertThat(third.out()).startsWith("Copied 0 versions, 0 datasets, 0 watermarks, 0 API tokens, 0 audit events,"
        + " 0 validation results and 0 skew results").contains("Already there from an earlier copy: 3 versions, 2 datasets,"
        + " 2 watermarks, 0 API tokens, 0 audit events, 3 validation results and 2 skew results.");
    try (RegistryStore there = postgres(schema); FeatureRepo here = FeatureRepo.open(source)) {
      assertThat(there.log()).isEqualTo(here.registry().log());
      assertThat(there.datasets()).isEqualTo(here.registry().datasets());
      assertThat(there.watermarks()).isEqualTo(here.registry().watermarks());
      assertThat(there.validationLog().read(Instant.MIN, null, 100))
          .isEqualTo(here.registry().validationLog().read(Instant.MIN, null, 100));
      assertThat(there.skewLog().read(Instant.MIN, null, 100)).isEqualTo(here.registry().skewLog().read(Instant.MIN, null, 100));
    }
  }

  @Test
  void aBadTargetIsOneLineWithTheFix() {
    Cli missing = Cli.run("registry", "copy", "--repo", source.toString(), "--to", "no-such-folder");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("--to: 'no-such-folder' is neither a feature repo folder nor a registry mapping");

    Cli unset = Cli.run("registry", "copy", "--repo", source.toString(), "--to",
        "{type: postgres, url: 'jdbc:postgresql://h/db', password: '${QUIVER_TEST_UNSET_VARIABLE}'}");
    assertThat(unset.exitCode()).isEqualTo(2);
    assertThat(unset.err()).contains("registry.password refers to the environment variable QUIVER_TEST_UNSET_VARIABLE");

    Cli wrong = Cli.run("registry", "copy", "--repo", source.toString(), "--to",
        "{type: postgres, url: '" + pg.url() + "', user: quiver, password: not-it-12345}");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err().strip()).isEqualTo("error: PostgreSQL at " + pg.url() + " refused the login of user 'quiver':"
        + " wrong password or user; check registry.user and registry.password in quiver.yaml");
    assertThat(Map.of()).isEmpty();
  }
}
