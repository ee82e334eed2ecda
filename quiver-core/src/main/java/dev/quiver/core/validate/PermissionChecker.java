package dev.quiver.core.validate;

import dev.quiver.core.load.Origins;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks permissions against the definitions: a name written without a wildcard must name a
 * definition of a kind the permission covers (a typo would otherwise silently grant nothing), and
 * a permission needs roles and actions.
 */
final class PermissionChecker {
  /** Kinds whose objects are definitions, so a literal name can be checked. */
  private static final Set<Resource.Kind> DEFINED = EnumSet.of(Resource.Kind.FEATURE_VIEW,
      Resource.Kind.ON_DEMAND_VIEW, Resource.Kind.FEATURE_SERVICE, Resource.Kind.SOURCE, Resource.Kind.ENTITY);

  private PermissionChecker() {}

  static void check(DefinitionValidator v, Definitions defs) {
    for (Permission p : defs.permissions()) {
      String key = Origins.permission(p.name());
      if (p.roles().isEmpty()) {
        v.problem(key, "permission '" + p.name() + "' needs 'roles' (who it grants to), e.g. roles: [risk-team]");
      }
      if (p.actions().isEmpty()) {
        v.problem(key, "permission '" + p.name() + "' needs 'actions', e.g. actions: [read_online]; actions are "
            + actionSpellings());
      }
      Set<Resource.Kind> kinds = p.kinds().isEmpty() ? EnumSet.allOf(Resource.Kind.class) : p.kinds();
      if (!kinds.stream().allMatch(DEFINED::contains)) {
        continue; // datasets and the registry are not definitions: any name may be meant
      }
      for (String name : p.names()) {
        if (name.contains("*") || name.contains("?")) {
          continue;
        }
        if (kinds.stream().noneMatch(k -> defines(defs, k, name))) {
          v.problem(key + "/resources", "permission '" + p.name() + "' names '" + name + "', but no "
              + String.join(" or ", kinds.stream().map(Permission::spelling).toList())
              + " has that name; fix the name, or write a pattern such as '" + name + "*'");
        }
      }
    }
  }

  private static boolean defines(Definitions d, Resource.Kind kind, String name) {
    return switch (kind) {
      case FEATURE_VIEW -> d.view(name, 0).isPresent();
      case ON_DEMAND_VIEW -> d.onDemandView(name, 0).isPresent();
      case FEATURE_SERVICE -> d.service(name, 0).isPresent();
      case SOURCE -> d.source(name).isPresent();
      case ENTITY -> d.entity(name).isPresent();
      case DATASET, REGISTRY -> true;
    };
  }

  private static String actionSpellings() {
    List<String> out = new ArrayList<>();
    for (Action a : Action.values()) {
      out.add(a.wireName());
    }
    return String.join(", ", out);
  }
}
