package dev.quiver.server.grpc;

import com.google.protobuf.Timestamp;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import dev.quiver.grpc.feast.core.PermissionMeta;
import dev.quiver.grpc.feast.core.PermissionSpec;
import dev.quiver.grpc.feast.core.PermissionSpec.AuthzedAction;
import dev.quiver.grpc.feast.core.Policy;
import dev.quiver.grpc.feast.core.RoleBasedPolicy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Quiver's permissions as Feast's ({@code feast.permissions.Permission}), so {@code store.list_permissions()}
 * shows who may do what and Feast's own matcher reads them as Quiver does (docs/python.md has the table):
 *
 * <ul>
 *   <li>roles → a {@code RoleBasedPolicy} of the same roles ({@code *}, Quiver's "everyone", stays the role
 *       {@code *}: Feast's protocol cannot carry its allow-all policy, and the {@code quiver.roles} tag says it);
 *   <li>kinds → types: a feature view covers Feast's batch and stream feature views too, a source Feast's data
 *       sources, a dataset saved datasets, the registry Feast's project and permissions; no kinds → no types
 *       (Feast: every type);
 *   <li>name globs → anchored regular expressions ({@code *} → {@code .*}, {@code ?} → {@code .}, the rest
 *       escaped as Python's {@code re.escape} does), which Feast matches in full as Quiver does;
 *   <li>tags → {@code required_tags}; actions → {@code describe} → DESCRIBE, {@code apply} → CREATE, UPDATE,
 *       DELETE, {@code read_online}/{@code read_offline} → READ_ONLINE/READ_OFFLINE, {@code push} → WRITE_ONLINE
 *       and WRITE_OFFLINE, {@code materialize} → WRITE_ONLINE, {@code admin} → every action.
 * </ul>
 *
 * <p>The mapping is one way: Quiver's actions, kinds, globs and roles are kept verbatim in the permission's own
 * tags ({@code quiver.actions}, {@code quiver.kinds}, {@code quiver.names}, {@code quiver.roles}) with its
 * description ({@code quiver.description}). Stateless.
 */
final class FeastPermissions {
  private FeastPermissions() {}

  /** Each permission of the version, guarded by {@code describe} on the registry like {@code /api/v1/permissions}. */
  static List<FeastRegistryMapping.Item<dev.quiver.grpc.feast.core.Permission>> map(List<Permission> permissions,
      String project, Timestamp applied) {
    List<FeastRegistryMapping.Item<dev.quiver.grpc.feast.core.Permission>> items = new ArrayList<>();
    for (Permission p : permissions) {
      items.add(new FeastRegistryMapping.Item<>(p.name(), Resource.REGISTRY_ROOT, permission(p, project, applied)));
    }
    return items;
  }

  static dev.quiver.grpc.feast.core.Permission permission(Permission p, String project, Timestamp applied) {
    PermissionSpec.Builder spec = PermissionSpec.newBuilder().setName(p.name()).setProject(project)
        .setPolicy(Policy.newBuilder().setRoleBasedPolicy(RoleBasedPolicy.newBuilder().addAllRoles(p.roles())))
        .putAllRequiredTags(p.tags());
    types(p.kinds()).forEach(spec::addTypes);
    p.names().forEach(glob -> spec.addNamePatterns(regex(glob)));
    actions(p.actions()).forEach(spec::addActions);
    spec.putTags("quiver.actions", p.actions().stream().map(Action::wireName).collect(Collectors.joining(",")));
    spec.putTags("quiver.roles", String.join(",", p.roles()));
    if (!p.kinds().isEmpty()) {
      spec.putTags("quiver.kinds", p.kinds().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT))
          .collect(Collectors.joining(",")));
    }
    if (!p.names().isEmpty()) {
      spec.putTags("quiver.names", String.join(",", p.names()));
    }
    if (p.description() != null && !p.description().isBlank()) {
      spec.putTags("quiver.description", p.description());
    }
    return dev.quiver.grpc.feast.core.Permission.newBuilder().setSpec(spec)
        .setMeta(PermissionMeta.newBuilder().setCreatedTimestamp(applied).setLastUpdatedTimestamp(applied)).build();
  }

  /** Feast's resource types for Quiver's kinds, in Feast's order; empty for all. */
  static List<PermissionSpec.Type> types(Set<Resource.Kind> kinds) {
    EnumSet<PermissionSpec.Type> out = EnumSet.noneOf(PermissionSpec.Type.class);
    for (Resource.Kind k : kinds) {
      switch (k) {
        case FEATURE_VIEW -> out.addAll(List.of(PermissionSpec.Type.FEATURE_VIEW, PermissionSpec.Type.BATCH_FEATURE_VIEW,
            PermissionSpec.Type.STREAM_FEATURE_VIEW));
        case ON_DEMAND_VIEW -> out.add(PermissionSpec.Type.ON_DEMAND_FEATURE_VIEW);
        case FEATURE_SERVICE -> out.add(PermissionSpec.Type.FEATURE_SERVICE);
        case SOURCE -> out.add(PermissionSpec.Type.DATA_SOURCE);
        case ENTITY -> out.add(PermissionSpec.Type.ENTITY);
        case DATASET -> out.add(PermissionSpec.Type.SAVED_DATASET);
        case REGISTRY -> out.addAll(List.of(PermissionSpec.Type.PROJECT, PermissionSpec.Type.PERMISSION));
      }
    }
    return List.copyOf(out);
  }

  /** Feast's actions for Quiver's, in Feast's order. */
  static List<AuthzedAction> actions(Set<Action> actions) {
    EnumSet<AuthzedAction> out = EnumSet.noneOf(AuthzedAction.class);
    for (Action a : actions) {
      switch (a) {
        case DESCRIBE -> out.add(AuthzedAction.DESCRIBE);
        case APPLY -> out.addAll(List.of(AuthzedAction.CREATE, AuthzedAction.UPDATE, AuthzedAction.DELETE));
        case READ_ONLINE -> out.add(AuthzedAction.READ_ONLINE);
        case READ_OFFLINE -> out.add(AuthzedAction.READ_OFFLINE);
        case PUSH -> out.addAll(List.of(AuthzedAction.WRITE_ONLINE, AuthzedAction.WRITE_OFFLINE));
        case MATERIALIZE -> out.add(AuthzedAction.WRITE_ONLINE);
        case ADMIN -> out.addAll(EnumSet.complementOf(EnumSet.of(AuthzedAction.UNRECOGNIZED)));
      }
    }
    out.remove(AuthzedAction.UNRECOGNIZED);
    return List.copyOf(out);
  }

  /** A Quiver glob as a regular expression Feast matches in full ({@code re.fullmatch}). */
  static String regex(String glob) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> out.append(".*");
        case '?' -> out.append('.');
        default -> {
          if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_') {
            out.append('\\');
          }
          out.append(c);
        }
      }
    }
    return out.toString();
  }
}
