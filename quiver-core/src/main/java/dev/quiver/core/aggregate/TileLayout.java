package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The window aggregates of one view version, compiled for online tiles: features that share a
 * function, column, hop and input type share one <em>family</em> of tiles (the 1-day and 7-day sums
 * of {@code amount} at a 1-hour hop read the same tiles), and each family keeps tiles as far back
 * as its longest window reaches. Aggregates with a {@code where} filter are left out (no path
 * computes them yet).
 *
 * <p>Immutable and thread-safe.
 */
public final class TileLayout {
  /**
   * One family: the kernel, its hop, how far back its fixed windows reach, whether one of its
   * windows is a lifetime window (then tiles older than the fixed windows merge into one), and the
   * column it reads (null for count of rows).
   *
   * @param longestMicros the longest fixed window, 0 when it has none
   */
  public record Family(Aggregator aggregator, long hopMicros, long longestMicros, boolean lifetime, String column) {
    /** The tile of an event time. */
    public long tile(long micros) {
      return Math.floorDiv(micros, hopMicros);
    }
  }

  /** One feature: its family and its own window. */
  public record Slot(String feature, int family, WindowSpec window) {}

  private final String view;
  private final List<Family> families;
  private final Map<String, Slot> slots;
  private final List<String> columns;
  private final String signature;
  private final List<Slot> slotList;
  private final int[] columnOf;
  private final int[][] familySlots;

  private TileLayout(String view, List<Family> families, Map<String, Slot> slots, List<String> columns) {
    this.view = view;
    this.families = List.copyOf(families);
    this.slots = slots;
    this.columns = List.copyOf(columns);
    this.slotList = List.copyOf(slots.values());
    this.columnOf = new int[families.size()];
    this.familySlots = new int[families.size()][];
    for (int f = 0; f < families.size(); f++) {
      String c = families.get(f).column();
      columnOf[f] = c == null ? -1 : columns.indexOf(c);
      final int family = f;
      // shortest window first, lifetime last: the order a newest-first pass leaves their windows
      familySlots[f] = java.util.stream.IntStream.range(0, slotList.size())
          .filter(i -> slotList.get(i).family() == family)
          .boxed()
          .sorted(java.util.Comparator.comparingLong(i -> slotList.get(i).window().lifetime()
              ? Long.MAX_VALUE : slotList.get(i).window().lengthMicros()))
          .mapToInt(Integer::intValue)
          .toArray();
    }
    StringBuilder sig = new StringBuilder();
    for (Family f : families) {
      sig.append(sig.isEmpty() ? "" : ",").append(f.aggregator().inputType() == null ? "-" : f.aggregator().inputType().spelling());
    }
    this.signature = sig.toString();
  }

  /** True when the view has an aggregate feature that tiles can serve. */
  public static boolean hasTiles(FeatureView view) {
    return view.features().stream().anyMatch(f -> f instanceof AggregateFeature a && a.aggregation().where() == null);
  }

  /**
   * Compiles the view's aggregates.
   *
   * @param inputType the type of a source column by the name definitions use; asked only for the
   *     columns aggregates read; may return null for a column it does not know (an error then)
   * @throws QuiverException when a column's type is unknown or does not fit its function
   */
  public static TileLayout of(FeatureView view, Function<String, ValueType> inputType) {
    Objects.requireNonNull(view, "view");
    List<Family> families = new ArrayList<>();
    Map<String, Integer> familyIndex = new LinkedHashMap<>();
    Map<String, Slot> slots = new LinkedHashMap<>();
    List<String> columns = new ArrayList<>();
    for (Feature f : view.features()) {
      if (!(f instanceof AggregateFeature a) || a.aggregation().where() != null) {
        continue;
      }
      Aggregation agg = a.aggregation();
      ValueType input = null;
      if (agg.column() != null) {
        input = inputType.apply(agg.column());
        if (input == null) {
          throw new QuiverException(view.qualifiedName() + ":" + a.name() + " aggregates column '" + agg.column()
              + "', whose type the source does not tell; check the source's files have that column");
        }
      }
      WindowSpec window = WindowSpec.of(agg);
      String key = agg.function() + "|" + agg.column() + "|" + agg.k() + "|" + agg.percentile() + "|" + window.hopMicros()
          + "|" + (input == null ? "-" : input.spelling());
      Integer index = familyIndex.get(key);
      if (index == null) {
        index = families.size();
        familyIndex.put(key, index);
        families.add(new Family(Aggregator.of(agg, input), window.hopMicros(), window.lengthMicros(), window.lifetime(),
            agg.column()));
        if (agg.column() != null && !columns.contains(agg.column())) {
          columns.add(agg.column());
        }
      } else {
        Family old = families.get(index);
        families.set(index, new Family(old.aggregator(), old.hopMicros(), Math.max(old.longestMicros(), window.lengthMicros()),
            old.lifetime() || window.lifetime(), old.column()));
      }
      slots.put(a.name(), new Slot(a.name(), index, window));
    }
    return new TileLayout(view.qualifiedName(), families, slots, columns);
  }

  /**
   * The layout an encoded row was written with: {@code signature} (see {@link #signature()}) gives
   * each family's input type, in the order {@link #of} makes families.
   *
   * @throws QuiverException when the signature does not fit the view's aggregates
   */
  public static TileLayout ofSignature(FeatureView view, String signature) {
    List<String> types = signature.isEmpty() ? List.of() : List.of(signature.split(",", -1));
    Map<String, Integer> families = new LinkedHashMap<>();
    Map<String, ValueType> columnTypes = new LinkedHashMap<>();
    for (Feature f : view.features()) {
      if (!(f instanceof AggregateFeature a) || a.aggregation().where() != null) {
        continue;
      }
      Aggregation agg = a.aggregation();
      String key = agg.function() + "|" + agg.column() + "|" + agg.k() + "|" + agg.percentile() + "|"
          + WindowSpec.of(agg).hopMicros();
      Integer index = families.get(key);
      if (index == null) {
        index = families.size();
        families.put(key, index);
      }
      if (agg.column() != null && index < types.size()) {
        ValueType.parse(types.get(index)).ifPresent(t -> columnTypes.putIfAbsent(agg.column(), t));
      }
    }
    if (families.size() != types.size()) {
      throw new QuiverException("the online tiles of " + view.qualifiedName() + " hold " + types.size()
          + " aggregate families but the view has " + families.size() + "; materialize the view again");
    }
    TileLayout layout = of(view, columnTypes::get);
    if (!layout.signature().equals(signature)) {
      throw new QuiverException("the online tiles of " + view.qualifiedName() + " were written for input types " + signature
          + ", which do not fit the view's aggregates; materialize the view again");
    }
    return layout;
  }

  /** {@code name@vN}. */
  public String view() {
    return view;
  }

  public List<Family> families() {
    return families;
  }

  /** The feature's slot, or null when the view has no tiled aggregate of that name. */
  public Slot slot(String feature) {
    return slots.get(feature);
  }

  /** The index in {@link #slots()} of a feature, or -1. */
  public int slotIndex(String feature) {
    Slot s = slots.get(feature);
    return s == null ? -1 : slotList.indexOf(s);
  }

  /** The tiled features, in the view's order. */
  public List<Slot> slots() {
    return slotList;
  }

  /** The indexes in {@link #slots()} of a family's slots, shortest window first, lifetime last. */
  int[] familySlots(int family) {
    return familySlots[family];
  }

  /** The source columns the families read (names as definitions use them), in the order rows carry them. */
  public List<String> columns() {
    return columns;
  }

  /** The families' input types, e.g. {@code "float64,-,int64"}: what an encoded row records, to check it fits. */
  public String signature() {
    return signature;
  }

  /** The index in {@link #columns()} of a family's column, or -1 for count of rows. */
  int columnIndex(int family) {
    return columnOf[family];
  }

  /**
   * The oldest event time any window at a time {@code >= from} can include: what materialization
   * must read so every tile it writes is complete; {@link Long#MIN_VALUE} with a lifetime window.
   */
  public long oldestNeeded(long from) {
    long oldest = Long.MAX_VALUE;
    for (Family f : families) {
      if (f.lifetime()) {
        return Long.MIN_VALUE;
      }
      oldest = Math.min(oldest, WindowSpec.align(from - f.longestMicros(), f.hopMicros()));
    }
    return oldest;
  }
}
