package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The entity keys of pushed rows ({@link Pusher}): a view's join keys, each row's key values
 * coerced to their types (a null key is refused by name), and their encoded bytes, computed once per
 * push for each set of join keys and shared by the views that have them.
 */
final class PushedKeys {
  private PushedKeys() {}

  /** The view's join keys, in entity order. */
  static List<JoinKey> joinKeys(Definitions defs, FeatureView view) {
    List<JoinKey> keys = new ArrayList<>();
    for (String e : view.entities()) {
      keys.addAll(defs.entity(e).orElseThrow().joinKeys());
    }
    return keys;
  }

  /**
   * Every row's key values (coerced to the join keys' types) and encoded key.
   *
   * @param values row by row, as {@link #keyValues} gives them
   * @param encoded row by row, {@link KeyEncoding#encode} of the values
   */
  record EncodedKeys(List<List<Object>> values, List<byte[]> encoded) {}

  /** The rows' keys for {@code keys}: computed by the first view of the push that needs them, then shared. */
  static EncodedKeys encodedKeys(List<JoinKey> keys, Map<String, List<Object>> columns, int rows, FeatureView view,
      Map<List<JoinKey>, EncodedKeys> encoded) {
    EncodedKeys known = encoded.get(keys);
    if (known != null) {
      return known;
    }
    KeyRows keyRows = new KeyRows(keys, columns, rows, view);
    for (int r = 0; r < rows; r++) {
      keyRows.add(r);
    }
    EncodedKeys out = keyRows.done();
    encoded.put(List.copyOf(keys), out);
    return out;
  }

  /** Builds {@link EncodedKeys} row by row, so a caller can check each row's keys where it checked them before. */
  static final class KeyRows {
    private final List<JoinKey> keys;
    private final List<ScalarType> types;
    private final List<List<Object>> keyColumns = new ArrayList<>();
    private final List<List<Object>> values;
    private final List<byte[]> bytes;

    KeyRows(List<JoinKey> keys, Map<String, List<Object>> columns, int rows, FeatureView view) {
      this.keys = keys;
      this.types = keys.stream().map(JoinKey::type).toList();
      for (JoinKey k : keys) {
        keyColumns.add(PushedColumns.column(columns, k.name(), view));
      }
      this.values = new ArrayList<>(rows);
      this.bytes = new ArrayList<>(rows);
    }

    void add(int r) {
      List<Object> keyValues = keyValues(keys, keyColumns, r);
      values.add(keyValues);
      bytes.add(KeyEncoding.encode(types, keyValues));
    }

    EncodedKeys done() {
      return new EncodedKeys(values, bytes);
    }
  }

  /** Row r's key values, coerced to the join keys' types; a null key is refused by name. */
  static List<Object> keyValues(List<JoinKey> keys, List<List<Object>> keyColumns, int r) {
    List<Object> values = new ArrayList<>(keys.size());
    for (int k = 0; k < keys.size(); k++) {
      Object v = keyColumns.get(k).get(r);
      if (v == null) {
        throw new InvalidRequestException("column '" + keys.get(k).name() + "' row " + r + " is null; every pushed row needs its keys");
      }
      values.add(EntityValues.coerce(keys.get(k), v, r));
    }
    return values;
  }
}
