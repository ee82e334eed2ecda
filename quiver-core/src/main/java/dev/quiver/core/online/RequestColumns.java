package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.RequestField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's columns sorted into what they are: the join keys of the views read, and the request
 * data of the on-demand features asked for.
 *
 * <p>Feast's clients send request data as columns of {@code entities} (Feast's server splits them by
 * the on-demand views' request schema), Quiver's also as {@code request_context}. So a column of
 * {@code entities} that is a request field a requested feature reads is request data; one that is
 * also a join key of a view read is both. A request field given both ways is refused (which one was
 * meant is a guess), and so is an entity column that is neither a join key of a view read nor a
 * request field of a requested on-demand view (a typo would otherwise read nothing, silently).
 * Request-context fields no requested feature reads are ignored.
 *
 * @param keys the join-key columns, in request order; the request's own map when nothing was taken out
 * @param requestData the request fields the plan reads, by name
 * @param rows the number of entity rows
 */
record RequestColumns(Map<String, List<Object>> keys, Map<String, List<Object>> requestData, int rows) {

  /**
   * Sorts the request's columns.
   *
   * @param base the base features that will be read (their views' join keys are needed)
   * @param requested the requested features (their on-demand views' request fields may be given)
   * @param plan the derived plan, or null when no derived feature is requested
   * @throws InvalidRequestException for columns of different lengths, a missing join key or request
   *     field, a request field given twice, or an entity column that is neither
   */
  static RequestColumns split(Definitions defs, List<FeatureResolver.Resolved> base, List<FeatureResolver.Resolved> requested,
      DerivedPlan plan, OnlineRequest request) {
    Map<String, List<Object>> entities = request.entities();
    Map<String, List<Object>> context = request.requestContext();
    int rows = rowCount(entities, context);
    // each join key the views read need, with the first view that needs it (for messages)
    // (a request reads a few views, its features mostly grouped by view: no hashing of views)
    Map<String, FeatureView> joinKeys = new LinkedHashMap<>(4);
    List<FeatureView> seen = new ArrayList<>(2);
    FeatureView last = null;
    for (FeatureResolver.Resolved r : base) {
      if (r instanceof FeatureResolver.ViewFeature vf && vf.view() != last) {
        last = vf.view();
        if (seen.stream().noneMatch(v -> v == vf.view())) {
          seen.add(vf.view());
          for (String e : vf.view().entities()) {
            for (JoinKey k : defs.entity(e).orElseThrow().joinKeys()) {
              joinKeys.putIfAbsent(k.name(), vf.view());
            }
          }
        }
      }
    }
    List<DerivedPlan.RequestSlot> needed = plan == null ? List.of() : plan.requestFields();
    if (needed.isEmpty() && joinKeys.keySet().containsAll(entities.keySet())) { // the common case: nothing to sort
      requireKeys(joinKeys, entities);
      return new RequestColumns(entities, Map.of(), rows);
    }
    Set<String> neededNames = new LinkedHashSet<>();
    needed.forEach(s -> neededNames.add(s.field().name()));
    Map<String, List<Object>> keys = new LinkedHashMap<>();
    Map<String, List<Object>> data = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    Set<String> declared = declaredFields(requested);
    for (Map.Entry<String, List<Object>> e : entities.entrySet()) {
      String name = e.getKey();
      boolean key = joinKeys.containsKey(name);
      if (key) {
        keys.put(name, e.getValue());
      }
      if (neededNames.contains(name)) {
        if (context.containsKey(name)) {
          throw new InvalidRequestException("request field '" + name + "' is given twice, as an entity column and in the"
              + " request context; give it once");
        }
        data.put(name, e.getValue());
      } else if (!key && !declared.contains(name)) {
        unknown.add(name);
      }
    }
    requireKeys(joinKeys, entities);
    if (!unknown.isEmpty()) {
      throw new InvalidRequestException("entity column" + (unknown.size() == 1 ? " '" + unknown.getFirst() + "' is" : "s '"
          + String.join("', '", unknown) + "' are") + " neither a join key of the views read ("
          + (joinKeys.isEmpty() ? "none" : String.join(", ", joinKeys.keySet())) + ") nor a request field of the requested on-demand views ("
          + (declared.isEmpty() ? "none" : String.join(", ", declared)) + "); remove "
          + (unknown.size() == 1 ? "it" : "them") + " or request the features that read " + (unknown.size() == 1 ? "it" : "them"));
    }
    for (DerivedPlan.RequestSlot slot : needed) {
      String name = slot.field().name();
      if (data.containsKey(name)) {
        continue;
      }
      List<Object> values = context.get(name);
      if (values == null) {
        Set<String> given = new LinkedHashSet<>(entities.keySet());
        given.addAll(context.keySet());
        throw new InvalidRequestException(InvalidRequestException.Reason.MISSING_REQUEST_DATA, "on-demand view " + slot.view() + " needs request field '" + name + "' ("
            + slot.field().type().spelling() + "), as an entity column or in the request context"
            + (given.isEmpty() ? "; the request has neither" : "; the request has: " + String.join(", ", given)));
      }
      data.put(name, values);
    }
    return new RequestColumns(keys.size() == entities.size() ? entities : keys, data, rows);
  }

  /** The request fields the requested on-demand views declare (any of them may be sent, read or not). */
  private static Set<String> declaredFields(List<FeatureResolver.Resolved> requested) {
    Set<String> out = new LinkedHashSet<>();
    for (FeatureResolver.Resolved r : requested) {
      if (r instanceof FeatureResolver.OnDemandFeature of) {
        for (RequestField f : of.view().requestFields()) {
          out.add(f.name());
        }
      }
    }
    return out;
  }

  private static void requireKeys(Map<String, FeatureView> joinKeys, Map<String, List<Object>> entities) {
    for (Map.Entry<String, FeatureView> k : joinKeys.entrySet()) {
      if (!entities.containsKey(k.getKey())) {
        throw new InvalidRequestException("the request needs entity column '" + k.getKey() + "' for view "
            + k.getValue().qualifiedName() + "; it has: " + (entities.isEmpty() ? "none" : String.join(", ", entities.keySet())));
      }
    }
  }

  private static int rowCount(Map<String, List<Object>> entities, Map<String, List<Object>> context) {
    int rows = -1;
    for (Map<String, List<Object>> columns : List.of(entities, context)) {
      String what = columns == entities ? "entity" : "request-context";
      for (var e : columns.entrySet()) {
        if (e.getValue() == null) {
          throw new InvalidRequestException(what + " column '" + e.getKey() + "' has no values");
        }
        if (rows >= 0 && e.getValue().size() != rows) {
          throw new InvalidRequestException("entity and request-context columns have different lengths: '" + e.getKey()
              + "' has " + e.getValue().size() + " values, others " + rows);
        }
        rows = e.getValue().size();
      }
    }
    return Math.max(rows, 0);
  }
}
