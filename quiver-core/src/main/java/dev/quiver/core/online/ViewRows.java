package dev.quiver.core.online;

import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.PushedKeys.EncodedKeys;
import dev.quiver.core.online.PushedKeys.KeyRows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One view's pushed rows, checked and coerced, to be encoded once their positions are known. */
record ViewRows(String table, List<String> names, List<ValueType> types, List<byte[]> keys,
    List<Instant> events, List<Instant> created, List<List<Object>> values) {
  List<OnlineStore.Entry> entries(List<RowPosition> positions) {
    List<OnlineStore.Entry> entries = new ArrayList<>(keys.size());
    for (int r = 0; r < keys.size(); r++) {
      entries.add(new OnlineStore.Entry(keys.get(r), RowEncoding.encode(events.get(r),
          created == null ? null : created.get(r), positions.get(r), names, types, values.get(r))));
    }
    return entries;
  }

  /** One view's rows of a push ({@link Pusher}): keys and column features checked and coerced. */
  static ViewRows prepare(Definitions defs, FeatureView view, Map<String, List<Object>> columns, int rows, List<Instant> events,
      List<Instant> created, Map<List<JoinKey>, EncodedKeys> encoded) {
    List<JoinKey> keys = PushedKeys.joinKeys(defs, view);
    List<String> names = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    List<List<Object>> featureColumns = new ArrayList<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c) {
        names.add(c.name());
        types.add(c.type());
        featureColumns.add(PushedColumns.column(columns, c.column(), view));
      }
    }
    EncodedKeys known = encoded.get(keys);
    KeyRows keyRows = known == null ? new KeyRows(keys, columns, rows, view) : null;
    List<List<Object>> rowValues = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      if (keyRows != null) {
        keyRows.add(r); // row r's keys are checked before its values, as they always were
      }
      List<Object> values = new ArrayList<>(names.size());
      for (int f = 0; f < names.size(); f++) {
        values.add(PushValues.coerce(types.get(f), featureColumns.get(f).get(r), names.get(f), r));
      }
      rowValues.add(values);
    }
    if (keyRows != null) {
      known = keyRows.done();
      encoded.put(List.copyOf(keys), known);
    }
    return new ViewRows(OnlineTables.of(defs.project(), view), names, types, known.encoded(), events, created,
        rowValues);
  }
}
