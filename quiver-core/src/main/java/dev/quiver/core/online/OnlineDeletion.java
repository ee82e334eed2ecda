package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Deletes entities' online state: for each view version named, the latest rows and the tile rows
 * (window aggregates) of the given keys, nothing else. A read afterwards answers {@code NOT_FOUND}
 * for those keys until something writes them again (a push, a stream event, a materialization whose
 * range holds their rows). Keys are parsed strictly ({@link StrictValues}), all of them before
 * anything is deleted.
 *
 * <p>Not atomic with other writers: a push or a materialization racing with a delete of the same key
 * may write after it, and then its row stays (the store's delete is one call per table, not a
 * compare-and-set). Delete when the key's writers are quiet, or delete again. Stateless and
 * thread-safe when the store is.
 */
public final class OnlineDeletion {
  private OnlineDeletion() {}

  /**
   * What a deletion did.
   *
   * @param views the view versions whose rows were deleted ({@code name@vN})
   * @param entities how many entity rows were given
   * @param latestRowsDeleted latest rows that existed and were deleted, over every view version
   * @param tileRowsDeleted tile rows that existed and were deleted, over every view version
   */
  public record Result(List<String> views, int entities, long latestRowsDeleted, long tileRowsDeleted) {}

  /**
   * Deletes the online rows of {@code entities} in {@code views}.
   *
   * @param views view names (every version the registry holds) or {@code name@vN}; not empty
   * @param entities join-key columns, column-major, Feast's {@code {"user_id": [7, 8]}}: every join
   *     key of every view named, equally long; values as {@link StrictValues} reads them
   * @throws NotFoundException (kind {@code FEATURE_VIEW}) for an unknown view
   * @throws InvalidRequestException for missing, extra, null or malformed keys, or columns of
   *     different lengths; nothing is deleted then
   */
  public static Result delete(Definitions defs, OnlineStore store, List<String> views, Map<String, List<Object>> entities) {
    Objects.requireNonNull(entities, "entities");
    if (views == null || views.isEmpty()) {
      throw new InvalidRequestException("name the feature views to delete from (name, or name@vN for one version)");
    }
    List<FeatureView> selected = select(defs, views);
    int rows = rows(entities);
    Set<String> used = new LinkedHashSet<>();
    Map<FeatureView, List<byte[]>> keysByView = new LinkedHashMap<>();
    for (FeatureView view : selected) {
      List<JoinKey> joinKeys = new ArrayList<>();
      for (String e : view.entities()) {
        joinKeys.addAll(defs.entity(e).orElseThrow().joinKeys());
      }
      List<List<Object>> columns = new ArrayList<>();
      for (JoinKey k : joinKeys) {
        List<Object> col = entities.get(k.name());
        if (col == null) {
          throw new InvalidRequestException("view " + view.qualifiedName() + " is keyed by "
              + String.join(", ", joinKeys.stream().map(JoinKey::name).toList()) + ", but the entities have no '" + k.name()
              + "' column; give every join key of every view named");
        }
        columns.add(col);
        used.add(k.name());
      }
      List<ScalarType> types = joinKeys.stream().map(JoinKey::type).toList();
      List<byte[]> keys = new ArrayList<>(rows);
      for (int r = 0; r < rows; r++) {
        keys.add(KeyEncoding.encode(types, keyValues(joinKeys, columns, r)));
      }
      keysByView.put(view, keys);
    }
    Set<String> extra = new LinkedHashSet<>(entities.keySet());
    extra.removeAll(used);
    if (!extra.isEmpty()) {
      throw new InvalidRequestException("entity column '" + extra.iterator().next() + "' is no join key of "
          + String.join(", ", selected.stream().map(FeatureView::qualifiedName).toList())
          + Names.didYouMean(extra.iterator().next(), used) + "; their join keys are " + String.join(", ", used));
    }
    long latest = 0;
    long tiles = 0;
    for (var e : keysByView.entrySet()) {
      FeatureView view = e.getKey();
      latest += deleteExisting(store, OnlineTables.of(defs.project(), view), e.getValue());
      if (TileLayout.hasTiles(view)) {
        tiles += deleteExisting(store, TileRows.table(defs.project(), view), e.getValue());
      }
    }
    return new Result(selected.stream().map(FeatureView::qualifiedName).toList(), rows, latest, tiles);
  }

  /** Row r's key values, parsed strictly; a null key is refused by name. */
  private static List<Object> keyValues(List<JoinKey> keys, List<List<Object>> columns, int r) {
    List<Object> values = new ArrayList<>(keys.size());
    for (int k = 0; k < keys.size(); k++) {
      Object v = columns.get(k).get(r);
      if (v == null) {
        throw new InvalidRequestException("entity column '" + keys.get(k).name() + "' row " + r + " is null; give every key");
      }
      values.add(EntityValues.coerce(keys.get(k), v, r));
    }
    return values;
  }

  /** Deletes {@code keys} from {@code table}; returns how many had a row. */
  private static long deleteExisting(OnlineStore store, String table, List<byte[]> keys) {
    long found = store.multiGet(table, keys).stream().filter(Objects::nonNull).count();
    store.delete(table, keys);
    return found;
  }

  /** The view versions named: every version of a name, or one {@code name@vN}. */
  static List<FeatureView> select(Definitions defs, List<String> names) {
    List<FeatureView> out = new ArrayList<>();
    for (String n : names) {
      List<FeatureView> matched = defs.views().stream()
          .filter(v -> v.name().equals(n) || v.qualifiedName().equals(n)).toList();
      if (matched.isEmpty()) {
        throw new NotFoundException(NotFoundException.Kind.FEATURE_VIEW, "no feature view '" + n + "' in the registry"
            + Names.didYouMean(n, defs.views().stream().map(FeatureView::name).distinct().toList()));
      }
      matched.stream().filter(v -> !out.contains(v)).forEach(out::add);
    }
    return out;
  }

  private static int rows(Map<String, List<Object>> entities) {
    if (entities.isEmpty()) {
      throw new InvalidRequestException("no entities given: name the keys to delete, e.g. {\"user_id\": [7]}");
    }
    int rows = -1;
    String first = null;
    for (var e : entities.entrySet()) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw new InvalidRequestException("entity column '" + e.getKey() + "' has no values");
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        throw new InvalidRequestException("entity columns have different lengths: '" + e.getKey() + "' has "
            + e.getValue().size() + " values, '" + first + "' has " + rows);
      }
      rows = e.getValue().size();
      first = first == null ? e.getKey() : first;
    }
    return rows;
  }
}
