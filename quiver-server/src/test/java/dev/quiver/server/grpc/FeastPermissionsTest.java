package dev.quiver.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import dev.quiver.grpc.feast.core.PermissionSpec;
import dev.quiver.grpc.feast.core.PermissionSpec.AuthzedAction;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quiver's permissions read through Feast's rules give Quiver's answers: on randomized permissions and
 * resources, Feast's matcher (types, {@code re.fullmatch} of each name pattern, every required tag, the
 * actions, the role policy), written here as Feast's {@code feast/permissions/matcher.py} does it, agrees with
 * {@link Permission#covers}, {@link Permission#allows} and {@link Permission#grantsTo}.
 */
class FeastPermissionsTest {
  private static final Timestamp AT = Timestamp.newBuilder().setSeconds(1_767_225_600L).build();
  private static final List<String> NAMES = List.of("user_txn", "user_profile", "user.txn", "merchant_risk", "fraud_model",
      "a+b", "u?x", "payments", "user");
  private static final List<String> GLOBS = List.of("user_*", "*_risk", "u?er*", "user.txn", "a+b", "*", "fraud_model",
      "u*x", "*t*", "[x]");
  private static final List<String> ROLES = List.of("risk-team", "ml", "reader", "*");

  /** The Feast type an object of each kind is shown as by the registry mapping. */
  private static PermissionSpec.Type feastType(Resource.Kind kind) {
    return switch (kind) {
      case FEATURE_VIEW -> PermissionSpec.Type.FEATURE_VIEW;
      case ON_DEMAND_VIEW -> PermissionSpec.Type.ON_DEMAND_FEATURE_VIEW;
      case FEATURE_SERVICE -> PermissionSpec.Type.FEATURE_SERVICE;
      case SOURCE -> PermissionSpec.Type.DATA_SOURCE;
      case ENTITY -> PermissionSpec.Type.ENTITY;
      case DATASET -> PermissionSpec.Type.SAVED_DATASET;
      case REGISTRY -> PermissionSpec.Type.PROJECT;
    };
  }

  /** Feast's {@code resource_match_config}: type, a name pattern matching in full, every required tag. */
  private static boolean feastMatches(PermissionSpec spec, Resource r) {
    if (!spec.getTypesList().isEmpty() && !spec.getTypesList().contains(feastType(r.kind()))) {
      return false;
    }
    if (!spec.getNamePatternsList().isEmpty()
        && spec.getNamePatternsList().stream().noneMatch(p -> Pattern.compile(p).matcher(r.name()).matches())) {
      return false;
    }
    for (Map.Entry<String, String> t : spec.getRequiredTagsMap().entrySet()) {
      if (!t.getValue().equals(r.tags().get(t.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void feastsMatcherAgreesWithQuiverOnRandomPermissions(long seed) {
    Random rnd = new Random(seed);
    for (int n = 0; n < 200; n++) {
      Permission p = randomPermission(rnd);
      PermissionSpec spec = FeastPermissions.permission(p, "payments", AT).getSpec();
      assertThat(spec.getName()).isEqualTo(p.name());
      assertThat(spec.getPolicy().getRoleBasedPolicy().getRolesList()).containsExactlyElementsOf(p.roles());
      for (String role : ROLES) {
        assertThat(spec.getPolicy().getRoleBasedPolicy().getRolesList().contains(role) || p.roles().contains("*"))
            .isEqualTo(p.grantsTo(Set.of(role)));
      }
      Set<AuthzedAction> feastActions = EnumSet.noneOf(AuthzedAction.class);
      feastActions.addAll(spec.getActionsList());
      assertThat(feastActions.contains(AuthzedAction.DESCRIBE)).isEqualTo(p.allows(Action.DESCRIBE));
      assertThat(feastActions.containsAll(List.of(AuthzedAction.CREATE, AuthzedAction.UPDATE, AuthzedAction.DELETE)))
          .isEqualTo(p.allows(Action.APPLY));
      assertThat(feastActions.contains(AuthzedAction.READ_ONLINE)).isEqualTo(p.allows(Action.READ_ONLINE));
      assertThat(feastActions.contains(AuthzedAction.READ_OFFLINE)).isEqualTo(p.allows(Action.READ_OFFLINE));
      assertThat(feastActions.contains(AuthzedAction.WRITE_OFFLINE)).isEqualTo(p.allows(Action.PUSH));
      // online writes are Quiver's push and materialize both (Feast has one action for the two)
      assertThat(feastActions.contains(AuthzedAction.WRITE_ONLINE))
          .isEqualTo(p.allows(Action.PUSH) || p.allows(Action.MATERIALIZE));
      for (int r = 0; r < 30; r++) {
        Resource resource = randomResource(rnd);
        assertThat(feastMatches(spec, resource)).as("%s on %s", p, resource).isEqualTo(p.covers(resource));
      }
    }
  }

  @Test
  void quiversOwnWordsAreKeptInTheTags() {
    Permission p = new Permission("risk-reads-pii", Set.of("risk-team"), Set.of(Action.READ_ONLINE, Action.DESCRIBE),
        Set.of(Resource.Kind.FEATURE_VIEW), List.of("user_*"), Map.of("pii", "true"), "risk analysts read personal data");
    var proto = FeastPermissions.permission(p, "payments", AT);
    assertThat(proto.getSpec().getTypesList()).containsExactly(PermissionSpec.Type.FEATURE_VIEW,
        PermissionSpec.Type.BATCH_FEATURE_VIEW, PermissionSpec.Type.STREAM_FEATURE_VIEW);
    assertThat(proto.getSpec().getNamePatternsList()).containsExactly("user_.*");
    assertThat(proto.getSpec().getRequiredTagsMap()).isEqualTo(Map.of("pii", "true"));
    assertThat(proto.getSpec().getTagsMap()).isEqualTo(Map.of("quiver.actions", "describe,read_online",
        "quiver.roles", "risk-team", "quiver.kinds", "feature_view", "quiver.names", "user_*",
        "quiver.description", "risk analysts read personal data"));
    assertThat(proto.getSpec().getProject()).isEqualTo("payments");
    assertThat(proto.getMeta().getCreatedTimestamp()).isEqualTo(AT);
    assertThat(FeastPermissions.regex("a.b*c?[d]")).isEqualTo("a\\.b.*c.\\[d\\]");
  }

  private static Permission randomPermission(Random rnd) {
    Set<String> roles = new TreeSet<>();
    roles.add(ROLES.get(rnd.nextInt(ROLES.size())));
    if (rnd.nextBoolean()) {
      roles.add(ROLES.get(rnd.nextInt(ROLES.size())));
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    int count = 1 + rnd.nextInt(3);
    for (int i = 0; i < count; i++) {
      actions.add(Action.values()[rnd.nextInt(Action.values().length)]);
    }
    Set<Resource.Kind> kinds = EnumSet.noneOf(Resource.Kind.class);
    int kindCount = rnd.nextInt(3);
    for (int i = 0; i < kindCount; i++) {
      kinds.add(Resource.Kind.values()[rnd.nextInt(Resource.Kind.values().length)]);
    }
    List<String> names = new ArrayList<>();
    int nameCount = rnd.nextInt(3);
    for (int i = 0; i < nameCount; i++) {
      names.add(GLOBS.get(rnd.nextInt(GLOBS.size())));
    }
    Map<String, String> tags = new TreeMap<>();
    if (rnd.nextInt(3) == 0) {
      tags.put("pii", rnd.nextBoolean() ? "true" : "false");
    }
    if (rnd.nextInt(4) == 0) {
      tags.put("team", "risk");
    }
    return new Permission("p" + rnd.nextInt(1000), roles, actions, kinds, names, tags, rnd.nextBoolean() ? null : "d");
  }

  private static Resource randomResource(Random rnd) {
    Map<String, String> tags = new TreeMap<>();
    if (rnd.nextBoolean()) {
      tags.put("pii", rnd.nextBoolean() ? "true" : "false");
    }
    if (rnd.nextBoolean()) {
      tags.put("team", rnd.nextBoolean() ? "risk" : "growth");
    }
    return new Resource(Resource.Kind.values()[rnd.nextInt(Resource.Kind.values().length)],
        NAMES.get(rnd.nextInt(NAMES.size())), tags);
  }
}
