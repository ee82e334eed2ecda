package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.diff.BreakingChange;
import dev.quiver.core.diff.Change;
import dev.quiver.core.diff.Plan;
import java.io.PrintWriter;
import java.util.List;

/** Renders a {@link Plan} for people and as JSON. */
final class PlanPrinter {
  private PlanPrinter() {}

  /** Prints the plan as {@code quiver plan} does, ending with what apply does with breaking changes. */
  static void print(Plan plan, PrintWriter out) {
    print(plan, out, true);
  }

  /**
   * Prints the plan once.
   *
   * @param refusalHint end a plan with breaking changes with the line saying that apply refuses them
   *     ({@code quiver apply} says so in its error instead)
   */
  static void print(Plan plan, PrintWriter out, boolean refusalHint) {
    out.println(plan.base() == 0 ? "Registry: empty" : "Registry: version " + plan.base());
    long added = count(plan, Change.Action.ADDED);
    long changed = count(plan, Change.Action.CHANGED);
    long removed = count(plan, Change.Action.REMOVED);
    if (plan.isEmpty()) {
      out.println("No changes: the registry matches the definitions.");
    } else {
      out.printf("Plan: %d to add, %d to change, %d to remove%n%n", added, changed, removed);
    }
    for (Change c : plan.changes()) {
      char mark = switch (c.action()) {
        case ADDED -> '+';
        case CHANGED -> '~';
        case REMOVED -> '-';
      };
      out.printf("  %c %s %s%n", mark, c.kind(), c.name());
      for (Change.FieldChange f : c.fields()) {
        out.printf("      %s: %s -> %s%n", f.path(), show(f.before()), show(f.after()));
      }
    }
    for (Plan.Kept k : plan.kept()) {
      out.printf("  = keeps %s %s (superseded by a newer version; %s)%n", k.kind(), k.name(),
          k.kind().equals("feature service") ? "callers that pin it keep working; apply --prune drops it"
              : "apply --prune drops it unless something pins it");
    }
    if (!plan.moves().isEmpty()) {
      out.println();
      out.println("MOVES: refs without a version follow the newest version (not breaking):");
      for (Plan.Move m : plan.moves()) {
        out.printf("  > %s: %s  %s -> %s%s%n", m.consumer(), m.ref(), m.from(), m.to(),
            m.changes().isEmpty() ? " (same meaning)" : "");
        for (String c : m.changes()) {
          out.printf("      %s%n", c);
        }
      }
      out.println("Pin a ref (view@vN:feature, or an input view@vN) to keep reading the older version.");
    }
    if (!plan.breaking().isEmpty()) {
      out.println();
      out.println("BREAKING: these change what an online feature means:");
      for (BreakingChange b : plan.breaking()) {
        out.printf("  ! %s:%s%n", b.view(), b.feature());
        for (String r : b.reasons()) {
          out.printf("      %s%n", r);
        }
        out.printf("      read by: %s%n", b.consumers().isEmpty() ? "no feature service" : String.join(", ", b.consumers()));
      }
      if (refusalHint) {
        out.println("apply refuses breaking changes: give the view a new version (old and new coexist) or pass --force.");
      }
    }
    List<String> unread = notReadHere(plan);
    if (!unread.isEmpty()) {
      out.println();
      unread.forEach(out::println);
    }
    out.flush();
  }

  /**
   * A note per source this machine does not read (an Iceberg table, files at a URI): its columns are
   * as its {@code schema} declares them, not checked against data.
   */
  static List<String> notReadHere(Plan plan) {
    List<String> notes = new java.util.ArrayList<>();
    for (var s : plan.target().sources()) {
      if (s instanceof dev.quiver.core.model.FileSource f && !f.isLocal()) {
        notes.add("Note: source '" + f.name() + "' is " + (f.isIceberg() ? "an Iceberg table (" + f.path() + ")" : "at " + f.path())
            + ", which plan does not read here: its columns are as its schema declares, not checked against data.");
      }
    }
    return notes;
  }

  static ObjectNode json(Plan plan) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("base_version", plan.base());
    ArrayNode changes = root.putArray("changes");
    for (Change c : plan.changes()) {
      ObjectNode n = changes.addObject();
      n.put("action", c.action().name().toLowerCase(java.util.Locale.ROOT));
      n.put("kind", c.kind());
      n.put("name", c.name());
      ArrayNode fields = n.putArray("fields");
      for (Change.FieldChange f : c.fields()) {
        fields.addObject().put("path", f.path()).put("before", f.before()).put("after", f.after());
      }
    }
    ArrayNode breaking = root.putArray("breaking");
    for (BreakingChange b : plan.breaking()) {
      ObjectNode n = breaking.addObject();
      n.put("view", b.view());
      n.put("feature", b.feature());
      b.reasons().forEach(n.putArray("reasons")::add);
      b.consumers().forEach(n.putArray("consumers")::add);
    }
    ArrayNode moves = root.putArray("moves");
    for (Plan.Move m : plan.moves()) {
      ObjectNode n = moves.addObject();
      n.put("consumer", m.consumer()).put("ref", m.ref()).put("from", m.from()).put("to", m.to());
      m.changes().forEach(n.putArray("changes")::add);
    }
    List<String> unread = notReadHere(plan);
    if (!unread.isEmpty()) {
      unread.forEach(root.putArray("notes")::add);
    }
    ArrayNode kept = root.putArray("kept");
    plan.kept().forEach(k -> kept.addObject().put("kind", k.kind()).put("name", k.name()));
    return root;
  }

  private static long count(Plan plan, Change.Action a) {
    return plan.changes().stream().filter(c -> c.action() == a).count();
  }

  private static String show(String v) {
    return v == null ? "(none)" : v;
  }
}
