package dev.quiver.core.load;

import dev.quiver.core.Names;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads one item of {@code permissions:}:
 *
 * <pre>{@code
 * - name: risk-reads-pii
 *   roles: [risk-team]
 *   actions: [read_online, read_offline, describe]
 *   resources: {kinds: [feature_view, feature_service], names: ["txn_*"], tags: {pii: "true"}}
 * }</pre>
 *
 * Problems name the file and line of the key or item at fault and the fix (an unknown action lists
 * the valid ones).
 */
final class PermissionReader {
  private static final List<String> KEYS = List.of("name", "roles", "actions", "resources", "description");
  private static final List<String> RESOURCE_KEYS = List.of("kinds", "names", "tags");
  private static final List<String> ACTIONS = Arrays.stream(Action.values()).map(Action::wireName).toList();
  private static final List<String> KINDS = Arrays.stream(Resource.Kind.values()).map(Permission::spelling).toList();

  private PermissionReader() {}

  static void read(YamlMap m, Origins origins, Definitions.Builder out) {
    m.allowOnly("permission", KEYS);
    String name = m.required("name", "a permission");
    if (name == null) {
      return;
    }
    String key = Origins.permission(name);
    dev.quiver.core.Origin first = origins.declare(key, m.origin());
    if (first != null) {
      m.problem(m.origin(), "permission '" + name + "' is defined twice (first at " + first
          + "); give one a different name");
      return;
    }
    String what = "permission '" + name + "'";
    Set<String> roles = new TreeSet<>(scalars(m, "roles", what));
    if (!m.has("roles")) {
      m.problem(m.origin(), what + " needs 'roles' (who it grants to), e.g. roles: [risk-team]");
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    if (!m.has("actions")) {
      m.problem(m.origin(), what + " needs 'actions', e.g. actions: [read_online]; actions are "
          + String.join(", ", ACTIONS));
    }
    for (Node n : items(m, "actions")) {
      String text = ((ScalarNode) n).getValue();
      if (ACTIONS.contains(text)) {
        actions.add(Action.of(text));
      } else {
        m.problem(m.origin(n), "unknown action '" + text + "' in " + what + Names.didYouMean(text, ACTIONS)
            + "; actions are " + String.join(", ", ACTIONS));
      }
    }
    Set<Resource.Kind> kinds = EnumSet.noneOf(Resource.Kind.class);
    List<String> names = List.of();
    Map<String, String> tags = Map.of();
    YamlMap r = m.map("resources");
    if (r != null) {
      origins.put(key + "/resources", m.origin("resources"));
      r.allowOnly("the resources of " + what, RESOURCE_KEYS);
      for (Node n : items(r, "kinds")) {
        String text = ((ScalarNode) n).getValue();
        if (KINDS.contains(text)) {
          kinds.add(Permission.kind(text));
        } else {
          r.problem(r.origin(n), "unknown resource kind '" + text + "' in " + what + Names.didYouMean(text, KINDS)
              + "; kinds are " + String.join(", ", KINDS) + " (leave 'kinds' out for all)");
        }
      }
      names = scalars(r, "names", what);
      tags = r.stringMap("tags");
    }
    out.permission(new Permission(name, roles, actions, kinds, names, tags, m.string("description")));
  }

  /** A list of single values, or one single value; other items are problems and skipped. */
  private static List<Node> items(YamlMap m, String key) {
    List<Node> out = new ArrayList<>();
    Node raw = m.raw(key);
    if (raw instanceof ScalarNode s && !s.getTag().getValue().endsWith(":null")) {
      out.add(s);
      return out;
    }
    for (Node n : m.list(key)) {
      if (n instanceof ScalarNode) {
        out.add(n);
      } else {
        m.problem(m.origin(n), "items of '" + key + "' must be single values, not a " + YamlMap.kind(n));
      }
    }
    return out;
  }

  private static List<String> scalars(YamlMap m, String key, String what) {
    List<String> out = new ArrayList<>();
    for (Node n : items(m, key)) {
      String v = ((ScalarNode) n).getValue();
      if (v.isBlank()) {
        m.problem(m.origin(n), "'" + key + "' of " + what + " has an empty item; remove it");
      } else {
        out.add(v.strip());
      }
    }
    return out;
  }
}
