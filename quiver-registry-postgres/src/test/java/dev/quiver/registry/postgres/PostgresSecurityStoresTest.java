package dev.quiver.registry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.ConflictException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.testkit.LocalPostgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit log and the API tokens of the PostgreSQL registry, on a real server. */
class PostgresSecurityStoresTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456789Z");
  private static LocalPostgres pg;
  private final List<RegistryStore> opened = new ArrayList<>();
  private String schema;
  private RegistryStore store;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @BeforeEach
  void open() {
    schema = pg.newSchema();
    store = reopen();
  }

  @AfterEach
  void close() {
    opened.forEach(RegistryStore::close);
  }

  private RegistryStore reopen() {
    RegistryStore s = new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of("."));
    opened.add(s);
    return s;
  }

  private static AuditEvent event(int n, String action) {
    return new AuditEvent(T0.plusSeconds(n), "ana", "token", action, "feature_view user_txn", "10.0.0." + n, "ok",
        n % 2 == 0 ? "" : "rows=" + n);
  }

  @Test
  void auditEventsAreReadBackExactlyOldestFirstFromAnyInstance() {
    AuditEvent third = event(3, "push");
    AuditEvent first = event(1, "apply");
    AuditEvent second = event(2, "denied");
    store.audit().append(third);
    store.audit().append(first);
    store.audit().append(second);
    AuditEvent sameTimeLater = new AuditEvent(third.time(), "bo", "jwt", "materialize", "registry *", "cli", "failed", "x");
    reopen().audit().append(sameTimeLater);

    assertThat(reopen().audit().read(Instant.EPOCH, 100)).containsExactly(first, second, third, sameTimeLater);
    assertThat(store.audit().read(second.time(), 100)).containsExactly(second, third, sameTimeLater);
    assertThat(store.audit().read(second.time().plusNanos(1), 100)).containsExactly(third, sameTimeLater);
    assertThat(store.audit().read(Instant.EPOCH, 2)).containsExactly(first, second);
    assertThat(store.audit().read(Instant.EPOCH, 0)).isEmpty();
    assertThat(store.audit().read(Instant.MIN, 1)).containsExactly(first);
    assertThat(store.audit().read(Instant.MAX, 10)).isEmpty();
    assertThatThrownBy(() -> store.audit().read(Instant.EPOCH, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theAuditLogRefusesUpdatesAndDeletesEvenInSql() {
    store.audit().append(event(1, "apply"));

    for (String sql : List.of("UPDATE " + schema + ".audit_log SET outcome = 'denied'",
        "DELETE FROM " + schema + ".audit_log", "TRUNCATE " + schema + ".audit_log")) {
      assertThatThrownBy(() -> pg.execute(sql)).as(sql).hasMessageContaining("append-only");
    }
    assertThat(store.audit().read(Instant.EPOCH, 10)).containsExactly(event(1, "apply"));
  }

  private static ApiToken token(String id, int createdSecond) {
    return new ApiToken(id, "ci-" + id, Set.of("reader", "risk-team"), "ab".repeat(32), T0.plusSeconds(createdSecond),
        Optional.of(T0.plusSeconds(86_400)), Optional.empty());
  }

  @Test
  void tokensAreStoredListedAndFoundFromAnyInstance() {
    ApiToken later = token("qlater", 5);
    ApiToken earlier = token("qearly", 1);
    ApiToken noRoles = new ApiToken("qnone", "batch", Set.of(), "cd".repeat(32), T0.plusSeconds(3), Optional.empty(),
        Optional.empty());
    store.tokens().create(later);
    store.tokens().create(earlier);
    reopen().tokens().create(noRoles);

    assertThat(reopen().tokens().list()).containsExactly(earlier, noRoles, later);
    assertThat(store.tokens().find("qearly")).contains(earlier);
    assertThat(store.tokens().find("qmissing")).isEmpty();
    assertThatThrownBy(() -> reopen().tokens().create(token("qearly", 9)))
        .isInstanceOf(ConflictException.class).hasMessageContaining("qearly");
    assertThat(store.tokens().find("qearly")).contains(earlier);
  }

  @Test
  void revokingKeepsTheFirstRevocationTime() {
    store.tokens().create(token("qa", 1));
    Instant first = T0.plusSeconds(60).plusNanos(7);

    assertThat(store.tokens().revoke("qa", first)).isTrue();
    assertThat(reopen().tokens().revoke("qa", first.plusSeconds(60))).isTrue();
    assertThat(store.tokens().revoke("qnone", first)).isFalse();

    ApiToken revoked = store.tokens().find("qa").orElseThrow();
    assertThat(revoked.revoked()).contains(first);
    assertThat(revoked.activeAt(first.plusSeconds(1))).isFalse();
    assertThat(revoked.activeAt(first.minusSeconds(1))).isFalse();
  }

  @Test
  void aRowWithAnIdNoTokenCanHaveIsNamedAsDamaged() {
    store.tokens().create(token("qgood", 1));
    pg.execute("INSERT INTO " + schema + ".api_tokens (id, name, roles, hash, created) VALUES"
        + " ('Q_bad', 'x', ARRAY['reader'], 'ab', '" + T0 + "')");

    assertThatThrownBy(() -> store.tokens().list()).isInstanceOf(QuiverException.class)
        .hasMessageContaining("API token 'Q_bad' in \"" + schema + "\".api_tokens is damaged")
        .hasMessageContaining("not a valid API token id")
        .hasMessageContaining("delete that row");
    assertThat(store.tokens().find("Q_bad")).isEmpty();
    assertThat(store.tokens().find("qgood")).isPresent();
  }
}
