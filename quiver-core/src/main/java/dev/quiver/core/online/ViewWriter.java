package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.aggregate.RowFilter;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.VersionedName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes rows addressed to one feature view by its feature names, as Feast's {@code
 * write_to_online_store} sends them (Feast's SDK sends {@code POST /write-to-online-store} for its
 * push, write_to_online_store and materialize when its online store is remote).
 *
 * <p>The columns are the view's join keys, {@value #EVENT_TIMESTAMP} (or the source's own event-time
 * column), optionally {@value #CREATED} (or the source's created-time column; nulls allowed, and only
 * nulls when the source has none), and every column feature of the view by its feature name. They
 * are mapped back to the source's columns and written to this view alone through {@link Pusher}, with
 * its rules: newest wins by (event time, created time), and of equal ones the row written later, so
 * a repeated write leaves the same answer; the view's window-aggregate tiles take every row. Timestamp features may be ISO-8601 strings or, as
 * Feast sends them, whole seconds since the epoch.
 *
 * <p>Refused before anything is written ({@link InvalidRequestException}): an aggregate or derived
 * feature (computed, never stored: push the source rows instead), a column that is none of the above,
 * a missing key, event time or column feature, a window aggregate reading a source column no column
 * feature carries, and every value {@link Pusher} refuses. Thread-safe when the stores are.
 */
public final class ViewWriter {
  /** The event-time column Feast sends. */
  public static final String EVENT_TIMESTAMP = "event_timestamp";
  /** The created-time column Feast sends. */
  public static final String CREATED = "created";

  private final Definitions defs;
  private final Pusher pusher;

  /** A writer over {@code defs} that writes through {@code pusher} (built over the same definitions). */
  public ViewWriter(Definitions defs, Pusher pusher) {
    this.defs = Objects.requireNonNull(defs, "defs");
    this.pusher = Objects.requireNonNull(pusher, "pusher");
  }

  /**
   * Writes rows given column-major to a view.
   *
   * @param view a view name (its newest version) or {@code name@vN}
   * @throws NotFoundException when no view has that name or version
   * @throws InvalidRequestException when the view cannot take these columns (see above); nothing is
   *     written then
   * @throws dev.quiver.core.QuiverException when a store fails
   */
  public Pusher.Result write(String view, Map<String, List<Object>> columns) {
    FeatureView v = resolve(view);
    FileSource file = switch (defs.source(v.source()).orElseThrow()) {
      case FileSource f -> f;
      case StreamSource st -> st.batch();
    };
    return pusher.push(file, List.of(v), sourceColumns(v, file, columns), Pusher.Target.ONLINE);
  }

  private FeatureView resolve(String text) {
    VersionedName name = VersionedName.parse(text).orElseThrow(() -> new InvalidRequestException(
        "'" + text + "' is not a feature view name; write name or name@v2"));
    FeatureView v = defs.view(name.name(), name.version()).orElse(null);
    if (v == null) {
      if (defs.onDemandView(name.name(), name.version()).isPresent()) {
        throw new InvalidRequestException(text + " is an on-demand view: its features are computed when read, not"
            + " written; write the feature views it reads");
      }
      boolean exists = defs.view(name.name(), 0).isPresent();
      throw new NotFoundException(exists ? NotFoundException.Kind.VIEW_VERSION : NotFoundException.Kind.FEATURE_VIEW,
          exists ? "view '" + name.name() + "' has no version " + name.version()
              : "no feature view '" + name.name() + "' in the registry"
                  + Names.didYouMean(name.name(), defs.views().stream().map(FeatureView::name).distinct().toList()));
    }
    if (!v.online()) {
      throw new InvalidRequestException("view " + v.qualifiedName() + " is offline only (online: false); nothing is"
          + " written to the online store for it");
    }
    return v;
  }

  /** The rows under the source's column names, checked against what the view reads. */
  private Map<String, List<Object>> sourceColumns(FeatureView v, FileSource file, Map<String, List<Object>> columns) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    Set<String> used = new LinkedHashSet<>();
    List<String> missing = new ArrayList<>();
    for (String e : v.entities()) {
      for (JoinKey k : defs.entity(e).orElseThrow().joinKeys()) {
        take(columns, k.name(), k.name(), out, used, missing);
      }
    }
    String event = !columns.containsKey(EVENT_TIMESTAMP) && columns.containsKey(file.timestampColumn())
        ? file.timestampColumn() : EVENT_TIMESTAMP;
    take(columns, event, file.timestampColumn(), out, used, missing);
    String created = columns.containsKey(CREATED) ? CREATED : file.createdColumn();
    if (created != null && columns.containsKey(created)) {
      used.add(created);
      if (file.createdColumn() != null) {
        out.put(file.createdColumn(), columns.get(created));
      } else if (columns.get(created) != null && columns.get(created).stream().anyMatch(Objects::nonNull)) {
        throw new InvalidRequestException("view " + v.qualifiedName() + "'s source '" + file.name() + "' has no"
            + " created-time column; send '" + CREATED + "' as nulls or leave it out");
      }
    }
    List<String> computed = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, List<Object>> e : columns.entrySet()) {
      if (used.contains(e.getKey())) {
        continue;
      }
      Feature f = v.feature(e.getKey()).orElse(null);
      switch (f) {
        case null -> unknown.add(e.getKey());
        case ColumnFeature c -> {
          List<Object> values = timestamps(c.type(), e.getValue());
          List<Object> other = out.putIfAbsent(c.column(), values);
          if (other != null && !other.equals(values)) {
            throw new InvalidRequestException("features of view " + v.qualifiedName() + " that read source column '"
                + c.column() + "' were given different values; give them the same");
          }
        }
        case AggregateFeature a -> computed.add(a.name() + " (a window aggregate)");
        case DerivedFeature d -> computed.add(d.name() + " (derived)");
      }
    }
    List<String> features = new ArrayList<>();
    for (Feature f : v.features()) {
      if (f instanceof ColumnFeature c) {
        features.add(c.name());
        if (!columns.containsKey(c.name())) {
          missing.add(c.name());
        }
      }
    }
    if (!computed.isEmpty()) {
      throw new InvalidRequestException("view " + v.qualifiedName() + " cannot take values for " + String.join(", ", computed)
          + ": they are computed from source rows, not stored; write only its column features, or push the source's rows"
          + " to source '" + file.name() + "' (POST /push)");
    }
    String expected = "its join keys, " + EVENT_TIMESTAMP + ", " + CREATED + " and its column features ("
        + (features.isEmpty() ? "none" : String.join(", ", features)) + ")";
    if (!unknown.isEmpty()) {
      throw new InvalidRequestException("view " + v.qualifiedName() + " has no column" + (unknown.size() == 1 ? " '" : "s '")
          + String.join("', '", unknown) + "'; the columns are " + expected);
    }
    if (!missing.isEmpty()) {
      throw new InvalidRequestException("the rows for view " + v.qualifiedName() + " lack '" + String.join("', '", missing)
          + "'; the columns are " + expected);
    }
    for (Feature f : v.features()) {
      if (f instanceof AggregateFeature a) {
        List<String> read = new ArrayList<>();
        if (a.aggregation().column() != null) {
          read.add(a.aggregation().column());
        }
        if (a.aggregation().where() != null) {
          read.addAll(RowFilter.columns(a.aggregation().where()));
        }
        for (String c : read) {
          if (!out.containsKey(c)) {
            throw new InvalidRequestException("window aggregate " + a.name() + " of view " + v.qualifiedName() + " reads"
                + " source column '" + c + "', which no column feature of the view carries, so rows written by feature"
                + " name cannot update it; push the source's rows to source '" + file.name() + "' (POST /push)");
          }
        }
      }
    }
    return out;
  }

  private static void take(Map<String, List<Object>> columns, String given, String as, Map<String, List<Object>> out,
      Set<String> used, List<String> missing) {
    List<Object> values = columns.get(given);
    if (values == null) {
      missing.add(given);
      return;
    }
    out.put(as, values);
    used.add(given);
  }

  /** Feast sends timestamp features as whole seconds since the epoch: those become instants. */
  private static List<Object> timestamps(ValueType type, List<Object> values) {
    boolean scalar = type == ScalarType.TIMESTAMP;
    boolean list = type instanceof ListType l && l.element() == ScalarType.TIMESTAMP;
    if (values == null || (!scalar && !list)) {
      return values;
    }
    List<Object> out = new ArrayList<>(values.size());
    for (Object v : values) {
      if (scalar) {
        out.add(epochSeconds(v));
      } else if (v instanceof List<?> items) {
        out.add(items.stream().map(ViewWriter::epochSeconds).toList());
      } else {
        out.add(v);
      }
    }
    return out;
  }

  private static Object epochSeconds(Object v) {
    return v instanceof Long || v instanceof Integer ? Instant.ofEpochSecond(((Number) v).longValue()) : v;
  }
}
