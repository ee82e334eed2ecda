package dev.quiver.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The authorizer of permissions, against a plain reference on randomized permission sets. */
class AuthorizerTest {
  private static final Principal RISK = new Principal("ana", Set.of("risk-team"), "token");
  private static final Principal NOBODY = new Principal("eve", Set.of(), "jwt");
  private static final Resource TXN_PII = new Resource(Resource.Kind.FEATURE_VIEW, "txn_stats", Map.of("pii", "true"));
  private static final Resource TXN_PLAIN = new Resource(Resource.Kind.FEATURE_VIEW, "txn_counts", Map.of());
  private static final Permission READS_PII = new Permission("risk-reads-pii", Set.of("risk-team"),
      Set.of(Action.READ_ONLINE, Action.DESCRIBE), Set.of(Resource.Kind.FEATURE_VIEW, Resource.Kind.FEATURE_SERVICE),
      List.of("txn_*"), Map.of("pii", "true"), null);

  @Test
  void withoutPermissionsEverythingIsAllowed() {
    Decision d = Authorizer.of(List.of()).decide(NOBODY, Action.PUSH, TXN_PII);
    assertThat(d.allowed()).isTrue();
    assertThat(d.rule()).isEqualTo("<no permissions>");
  }

  @Test
  void withAnyPermissionTheRestIsDeniedByDefaultAndTheDenialSaysWhy() {
    Authorizer a = Authorizer.of(List.of(READS_PII));
    Decision ok = a.decide(RISK, Action.READ_ONLINE, TXN_PII);
    assertThat(ok.allowed()).isTrue();
    assertThat(ok.rule()).isEqualTo("risk-reads-pii");

    assertThat(a.decide(RISK, Action.READ_ONLINE, TXN_PLAIN).allowed()).as("tags must match").isFalse();
    assertThat(a.decide(RISK, Action.PUSH, TXN_PII).allowed()).as("action must match").isFalse();
    assertThat(a.decide(RISK, Action.READ_ONLINE,
        new Resource(Resource.Kind.SOURCE, "txn_stats", Map.of("pii", "true"))).allowed()).as("kind must match").isFalse();
    assertThatThrownBy(() -> a.check(NOBODY, Action.READ_ONLINE, TXN_PII))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
          assertThat(e.decision().rule()).isEqualTo("<default deny>");
          assertThat(e.getMessage()).contains("eve", "read_online", "feature_view txn_stats", "<default deny>");
        });
  }

  @Test
  void theAdminActionGrantsEveryActionAndTheStarRoleEveryPrincipal() {
    Permission admins = new Permission("admins", Set.of("platform"), Set.of(Action.ADMIN), Set.of(), List.of(), Map.of(), null);
    Permission everyoneDescribes = new Permission("everyone-describes", Set.of("*"), Set.of(Action.DESCRIBE), Set.of(),
        List.of(), Map.of(), null);
    Authorizer a = Authorizer.of(List.of(admins, everyoneDescribes));
    Principal admin = new Principal("root", Set.of("platform"), "token");
    for (Action action : Action.values()) {
      assertThat(a.decide(admin, action, Resource.REGISTRY_ROOT).allowed()).isTrue();
    }
    assertThat(a.decide(NOBODY, Action.DESCRIBE, TXN_PLAIN).rule()).isEqualTo("everyone-describes");
    assertThat(a.decide(NOBODY, Action.APPLY, Resource.REGISTRY_ROOT).allowed()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"txn_*:txn_stats:true", "txn_*:txn_:true", "txn_*:tx:false", "*:anything:true",
      "a?c:abc:true", "a?c:ac:false", "*_pii:user_pii:true", "*_pii:user_pii2:false", "a*b*c:axxbyyc:true",
      "a*b*c:axxbyy:false", "exact:exact:true", "exact:exactly:false", "**:x:true", "?:x:true", "?:xy:false"})
  void namePatternsAreGlobs(String c) {
    String[] p = c.split(":");
    assertThat(Glob.matches(p[0], p[1])).isEqualTo(Boolean.parseBoolean(p[2]));
  }

  @Test
  void matchesAPlainReferenceOnRandomPermissionSets() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    List<String> roles = List.of("a", "b", "c", "*");
    List<String> names = List.of("txn_stats", "txn_counts", "user_pii", "users", "fraud_model", "x");
    List<String> patterns = List.of("txn_*", "*_pii", "user?", "x", "fraud_model", "*", "t*s", "u*");
    for (int round = 0; round < 2000; round++) {
      List<Permission> perms = new ArrayList<>();
      int n = 1 + rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        perms.add(new Permission("p" + i, some(rnd, roles, 1), some(rnd, List.of(Action.values()), 1),
            some(rnd, List.of(Resource.Kind.values()), 0), List.copyOf(some(rnd, patterns, 0)),
            rnd.nextBoolean() ? Map.of() : Map.of("pii", rnd.nextBoolean() ? "true" : "false"), null));
      }
      Authorizer a = Authorizer.of(perms);
      for (int q = 0; q < 20; q++) {
        Principal who = new Principal("u", some(rnd, List.of("a", "b", "c", "d"), 0), "token");
        Action action = Action.values()[rnd.nextInt(Action.values().length)];
        Map<String, String> tags = new LinkedHashMap<>();
        if (rnd.nextBoolean()) {
          tags.put("pii", rnd.nextBoolean() ? "true" : "false");
        }
        if (rnd.nextBoolean()) {
          tags.put("team", "risk");
        }
        Resource r = new Resource(Resource.Kind.values()[rnd.nextInt(Resource.Kind.values().length)],
            names.get(rnd.nextInt(names.size())), tags);
        String expected = reference(perms, who, action, r);
        Decision d = a.decide(who, action, r);
        assertThat(d.allowed() ? d.rule() : null).as("seed %d: %s %s %s under %s", seed, who, action, r, perms)
            .isEqualTo(expected);
        if (!d.allowed()) {
          assertThat(d.rule()).isEqualTo("<default deny>");
        }
      }
    }
  }

  /** The first permission by name that grants it, written as plainly as possible; null when none. */
  private static String reference(List<Permission> perms, Principal who, Action action, Resource r) {
    List<Permission> sorted = new ArrayList<>(perms);
    sorted.sort(java.util.Comparator.comparing(Permission::name));
    for (Permission p : sorted) {
      boolean role = p.roles().contains("*") || p.roles().stream().anyMatch(who.roles()::contains);
      boolean act = p.actions().contains(action) || p.actions().contains(Action.ADMIN);
      boolean kind = p.kinds().isEmpty() || p.kinds().contains(r.kind());
      boolean name = p.names().isEmpty() || p.names().stream().anyMatch(g -> regex(g).matcher(r.name()).matches());
      boolean tags = r.tags().entrySet().containsAll(p.tags().entrySet());
      if (role && act && kind && name && tags) {
        return p.name();
      }
    }
    return null;
  }

  private static Pattern regex(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(re.toString());
  }

  private static <T> Set<T> some(Random rnd, List<T> from, int atLeast) {
    Set<T> out = new HashSet<>();
    int n = atLeast + rnd.nextInt(Math.min(3, from.size()));
    while (out.size() < Math.min(n, from.size())) {
      out.add(from.get(rnd.nextInt(from.size())));
    }
    return out;
  }
}
