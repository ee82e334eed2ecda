package dev.quiver.cli;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.Names;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entity rows and request data of {@code quiver online}: each {@code --entity} value as text, which
 * core parses strictly by its join key's type as it does every key (see {@code StrictValues}), each
 * {@code --request} value typed by the declared type of the on-demand request field it feeds. Mistakes are one-line {@link InvalidRequestException}s
 * naming the option, the value and the fix.
 *
 * @param entities join-key columns, column-major
 * @param requestData request-field columns, column-major, as long as the entity columns
 */
record OnlineArgs(Map<String, List<Object>> entities, Map<String, List<Object>> requestData) {
  /**
   * Reads the options for a request of {@code refs} against {@code defs}, whose custom transforms
   * {@code transforms} loads.
   *
   * @param entityOptions {@code KEY=V1,V2} each (one per join key)
   * @param requestOptions {@code FIELD=V[,FIELD=V...]} each; a field may list several values
   *     ({@code amount=10.5,80,country=DE,FR}) or one for every entity row
   */
  static OnlineArgs read(Definitions defs, ClassLoader transforms, List<FeatureRef> refs, List<String> entityOptions,
      List<String> requestOptions) {
    DerivedFeatures compiled = DerivedFeatures.cached(defs, transforms);
    List<FeatureResolver.Resolved> resolved = compiled.resolve(refs);
    Map<String, DerivedPlan.RequestSlot> needed = new LinkedHashMap<>();
    if (compiled.anyDerived(resolved)) {
      compiled.plan(resolved).requestFields().forEach(slot -> needed.putIfAbsent(slot.field().name(), slot));
    }
    // accepted: every request field of the on-demand views asked for, read or not (as the server does)
    Map<String, DerivedPlan.RequestSlot> declared = new LinkedHashMap<>();
    for (FeatureResolver.Resolved r : resolved) {
      if (r instanceof FeatureResolver.OnDemandFeature odf) {
        odf.view().requestFields().forEach(f -> declared.putIfAbsent(f.name(), new DerivedPlan.RequestSlot(f, odf.view().qualifiedName())));
      }
    }
    needed.forEach(declared::putIfAbsent);
    Map<String, List<Object>> entities = entities(defs, entityOptions, declared.keySet());
    Map<String, List<String>> given = requestText(requestOptions);
    for (String field : given.keySet()) {
      if (!declared.containsKey(field)) {
        throw new InvalidRequestException(declared.isEmpty()
            ? "--request " + field + ": no requested feature reads request data; request fields belong to on-demand views"
                + " (quiver list views), so drop --request or ask for an on-demand feature"
            : "--request " + field + ": the requested on-demand features have no request field '" + field + "'"
                + Names.didYouMean(field, declared.keySet()) + " (they have " + describe(declared) + ")");
      }
    }
    // in declaration order
    List<String> missing = declared.keySet().stream().filter(f -> needed.containsKey(f) && !given.containsKey(f)).toList();
    if (!missing.isEmpty()) {
      Map<String, DerivedPlan.RequestSlot> lacking = new LinkedHashMap<>();
      missing.forEach(f -> lacking.put(f, declared.get(f)));
      throw new InvalidRequestException("the requested features need request data: " + describe(lacking) + "; add --request "
          + String.join(",", missing.stream().map(f -> f + "=" + TextValues.example(declared.get(f).field().type())).toList()));
    }
    int rows = entities.isEmpty() ? given.values().stream().mapToInt(List::size).max().orElse(0)
        : entities.values().iterator().next().size();
    Map<String, List<Object>> requestData = new LinkedHashMap<>();
    given.forEach((field, texts) -> {
      ValueType type = declared.get(field).field().type();
      if (texts.size() != 1 && texts.size() != rows) {
        throw new InvalidRequestException("--request " + field + " has " + texts.size() + " values for " + rows
            + " entity rows; give one value (for every row) or one per row");
      }
      List<Object> values = new ArrayList<>(rows);
      for (String text : texts) {
        values.add(typed("--request " + field, text, type));
      }
      requestData.put(field, texts.size() == 1 && rows != 1 ? Collections.nCopies(rows, values.getFirst()) : values);
    });
    if (entities.isEmpty() && requestData.isEmpty()) {
      throw new InvalidRequestException("give the entity keys to look up: --entity KEY=V1,V2");
    }
    return new OnlineArgs(entities, requestData);
  }

  private static Map<String, List<Object>> entities(Definitions defs, List<String> options, java.util.Set<String> requestFields) {
    Map<String, JoinKey> keys = new LinkedHashMap<>();
    for (Entity e : defs.entities()) {
      e.joinKeys().forEach(k -> keys.putIfAbsent(k.name(), k));
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (String option : options) {
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new InvalidRequestException("--entity '" + option + "' must look like KEY=V1,V2");
      }
      String name = option.substring(0, eq);
      JoinKey key = keys.get(name);
      if (key == null && requestFields.contains(name)) {
        throw new InvalidRequestException("--entity " + name + ": '" + name + "' is request data, not a join key;"
            + " give it with --request " + option);
      }
      if (key == null) {
        throw new InvalidRequestException("--entity " + name + ": no entity has join key '" + name + "'"
            + Names.didYouMean(name, keys.keySet()) + " (join keys: " + String.join(", ", keys.keySet()) + ")");
      }
      // keys stay text: core parses every key the same way, whichever way it arrives (StrictValues)
      List<Object> values = new ArrayList<>(List.of(option.substring(eq + 1).split(",", -1)));
      if (columns.put(name, values) != null) {
        throw new InvalidRequestException("--entity " + name + " is given twice; list every value once: " + name + "=V1,V2");
      }
    }
    return columns;
  }

  /**
   * The {@code --request} options as text columns: items are separated by commas outside brackets
   * (a list value is {@code [1.5,2.0]}); an item {@code FIELD=VALUE} starts a field, an item
   * without {@code =} adds a value to the field before it.
   */
  private static Map<String, List<String>> requestText(List<String> options) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    for (String option : options) {
      List<String> current = null;
      for (String item : items(option)) {
        int eq = item.indexOf('=');
        if (eq > 0 && Names.isValid(item.substring(0, eq))) {
          String field = item.substring(0, eq);
          current = new ArrayList<>();
          if (fields.put(field, current) != null) {
            throw new InvalidRequestException("--request " + field + " is given twice; list its values once: "
                + field + "=V1,V2 (one for every entity row, or one per row)");
          }
          current.add(item.substring(eq + 1));
        } else if (current != null) {
          current.add(item);
        } else {
          throw new InvalidRequestException("--request '" + option + "' must look like FIELD=VALUE[,FIELD=VALUE...]");
        }
      }
    }
    return fields;
  }

  /** Splits on commas that are not inside brackets. */
  private static List<String> items(String option) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < option.length(); i++) {
      char c = option.charAt(i);
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth = Math.max(0, depth - 1);
      } else if (c == ',' && depth == 0) {
        items.add(option.substring(start, i));
        start = i + 1;
      }
    }
    items.add(option.substring(start));
    return items;
  }

  private static Object typed(String option, String text, ValueType type) {
    try {
      return TextValues.parse(text, type);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(option + ": '" + text + "' is not " + article(type.spelling()) + " " + type.spelling()
          + "; " + e.getMessage());
    }
  }

  private static String article(String word) {
    return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
  }

  /** {@code amount (float64), country (string) of on-demand view txn_risk@v1}. */
  private static String describe(Map<String, DerivedPlan.RequestSlot> fields) {
    Map<String, List<String>> byView = new LinkedHashMap<>();
    fields.forEach((name, slot) -> byView.computeIfAbsent(slot.view(), v -> new ArrayList<>())
        .add(name + " (" + slot.field().type().spelling() + ")"));
    List<String> parts = new ArrayList<>();
    byView.forEach((view, names) -> parts.add(String.join(", ", names) + " of on-demand view " + view));
    return String.join("; ", parts);
  }
}
