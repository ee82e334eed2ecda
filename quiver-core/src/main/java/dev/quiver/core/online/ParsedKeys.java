package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request's entity columns, each join-key column parsed once ({@link EntityValues}) however many
 * views read it, and the columns to echo in the response: the keys as the store saw them ({@code 1},
 * not the {@code "1"} the request sent), other columns as given. Not thread-safe; one per request.
 */
final class ParsedKeys {
  private final Map<String, List<Object>> given;
  private final Map<JoinKey, List<Object>> parsed = new HashMap<>();
  /** Key columns whose parsed values differ from the given ones (by identity), by column name. */
  private final Map<String, List<Object>> echoed = new HashMap<>();

  ParsedKeys(Map<String, List<Object>> given) {
    this.given = given;
  }

  /**
   * The column of {@code key} parsed to its type, for {@code view} (named when the column is missing).
   *
   * @throws InvalidRequestException when the column is missing or a value does not fit the key's type
   */
  List<Object> column(JoinKey key, FeatureView view) {
    List<Object> known = parsed.get(key);
    if (known != null) {
      return known;
    }
    List<Object> col = given.get(key.name());
    if (col == null) {
      throw new InvalidRequestException("the request needs entity column '" + key.name() + "' for view " + view.qualifiedName()
          + "; it has: " + String.join(", ", given.keySet()));
    }
    List<Object> out = new ArrayList<>(col.size());
    boolean asGiven = true;
    for (int i = 0; i < col.size(); i++) {
      Object given = col.get(i);
      Object v = EntityValues.coerce(key, given);
      asGiven &= v == given; // a Long for an int64 key is its own parse: nothing to echo differently
      out.add(v);
    }
    parsed.put(key, out);
    if (!asGiven) {
      echoed.putIfAbsent(key.name(), out);
    }
    return out;
  }

  /** The request's columns in its order, the key columns read replaced by their parsed values. */
  Map<String, List<Object>> echo() {
    if (echoed.isEmpty()) {
      return given;
    }
    Map<String, List<Object>> out = new LinkedHashMap<>();
    given.forEach((name, values) -> out.put(name, echoed.getOrDefault(name, values)));
    return out;
  }
}
