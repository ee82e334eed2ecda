package dev.quiver.core.validate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders derived features so each comes after the derived features it reads, and finds cycles.
 * Depth-first with three colours; a cycle is reported as the path that closes it.
 */
final class DerivedOrder {
  private final Map<String, Set<String>> dependsOn;
  private final Map<String, Integer> state = new LinkedHashMap<>();
  private final List<String> order = new ArrayList<>();
  private final List<List<String>> cycles = new ArrayList<>();

  /** @param dependsOn each derived feature and the derived features (same scope) it reads */
  DerivedOrder(Map<String, Set<String>> dependsOn) {
    this.dependsOn = dependsOn;
    for (String n : dependsOn.keySet()) {
      visit(n, new ArrayList<>());
    }
  }

  /** Every feature, dependencies first (features on a cycle included once). */
  List<String> order() {
    return order;
  }

  /** Each cycle as a path {@code a, b, a}. */
  List<List<String>> cycles() {
    return cycles;
  }

  private void visit(String n, List<String> path) {
    Integer s = state.get(n);
    if (s != null && s == 2) {
      return;
    }
    if (s != null && s == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(n), path.size()));
      cycle.add(n);
      cycles.add(cycle);
      return;
    }
    state.put(n, 1);
    path.add(n);
    for (String d : dependsOn.getOrDefault(n, Set.of())) {
      if (dependsOn.containsKey(d)) {
        visit(d, path);
      }
    }
    path.removeLast();
    state.put(n, 2);
    order.add(n);
  }
}
