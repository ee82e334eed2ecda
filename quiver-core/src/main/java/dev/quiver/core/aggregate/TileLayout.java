package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ValueType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The window aggregates of one view version, compiled for online tiles: features that share a
 * kernel state, column, hop and input type share one <em>family</em> of tiles (the 1-day and 7-day
 * sums of {@code amount} at a 1-hour hop read the same tiles, and so do its sum and avg, whose
 * kernels keep the same count and exact sum; variance and stddev likewise), and each family keeps
 * tiles as far back as its longest window reaches. An aggregate with a {@code where} filter has a
 * family of its own, which adds only the rows the filter keeps ({@link RowFilter}).
 *
 * <p>Rows written before sum/avg and variance/stddev shared families (one family per function) are
 * still read: {@link #unshared()} is that layout, and {@link EntityTiles#decode} turns such a row into
 * this layout's (each shared family takes the old family that kept tiles as far back).
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
  public record Family(Aggregator aggregator, long hopMicros, long longestMicros, boolean lifetime, String column,
      String where) {
    /** The tile of an event time. */
    public long tile(long micros) {
      return Math.floorDiv(micros, hopMicros);
    }

    /**
     * Tiles per coarse tile, or 0 for none: about the square root of the tiles in the longest fixed
     * window once that reaches 16, so a read merges about {@code 3·√(W/H)} states instead of
     * {@code W/H}.
     */
    public int coarseSpan() {
      long n = longestMicros / hopMicros;
      return n < 16 ? 0 : (int) Math.max(2, Math.round(Math.sqrt((double) n)));
    }
  }

  /**
   * One feature: its family, its own window, and its own function, which finishes the family's
   * state (the family's kernel may be another function's with the same state, e.g. sum for an avg).
   */
  public record Slot(String feature, int family, WindowSpec window, Aggregator aggregator) {}

  private final String view;
  private final List<Family> families;
  private final Map<String, Slot> slots;
  private final List<String> columns;
  private final String signature;
  /** {@link #signature} in UTF-8, as every encoded row starts with it. */
  private final byte[] signatureBytes;
  private final long fingerprint;
  private final List<Slot> slotList;
  private final int[] columnOf;
  private final int[][] familySlots;
  private final Function<String, ValueType> inputType;
  /** The layout with one family per function, when it differs and its rows convert exactly; else null. */
  private TileLayout unshared;
  /** Per family, the {@link #unshared} family its tiles come from. */
  private int[] unsharedSource;
  /** Compiled filters by family, made on first use (a benign race: each is immutable, with final fields). */
  private final BoundFilter[] filters;

  private record BoundFilter(RowFilter filter, int[] at) {}

  private TileLayout(String view, long fingerprint, List<Family> families, Map<String, Slot> slots, List<String> columns,
      Function<String, ValueType> inputType) {
    this.view = view;
    this.fingerprint = fingerprint;
    this.inputType = inputType;
    this.filters = new BoundFilter[families.size()];
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
    this.signatureBytes = signature.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** True when the view has an aggregate feature (served from tiles). */
  public static boolean hasTiles(FeatureView view) {
    return view.features().stream().anyMatch(f -> f instanceof AggregateFeature);
  }

  /**
   * True when tile rows written for one view version's aggregates fit the other's: the same
   * families (function, column, filter, hop, and how far back they keep tiles) in the same order,
   * which is what {@link #fingerprint()} identifies. Then every aggregate of either is read exactly
   * from rows written for the other (each window fits in its family's tiles); otherwise rows must be
   * rebuilt (materialized again).
   */
  public static boolean sameFamilies(FeatureView a, FeatureView b) {
    return shape(a, true).equals(shape(b, true));
  }

  /**
   * The fingerprint of a view's tile families (see {@link #fingerprint()}); equal for two views
   * exactly when {@link #sameFamilies} holds (but for a 2^-64 chance).
   */
  public static long fingerprint(FeatureView view) {
    return fingerprint(view, true);
  }

  private static long fingerprint(FeatureView view, boolean shared) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    StateCodec.Sink text = new StateCodec.Sink();
    for (List<String> family : shape(view, shared)) {
      for (String field : family) {
        text.bytes(field.getBytes(StandardCharsets.UTF_8));
      }
    }
    return ByteBuffer.wrap(sha.digest(text.toByteArray())).getLong();
  }

  /**
   * Each family's fields, in family order: function, column ("" for count of rows), k, percentile,
   * hop (µs), filter ("" for none), longest fixed window (µs, 0 for none), lifetime ("1" or "0").
   * The canonical text the fingerprint hashes (docs/online-encoding.md). A shared family's function
   * is its first aggregate's.
   */
  private static List<List<String>> shape(FeatureView view, boolean shared) {
    Map<String, List<String>> families = new LinkedHashMap<>(); // key -> fields
    for (Feature f : view.features()) {
      if (f instanceof AggregateFeature a) {
        Aggregation agg = a.aggregation();
        WindowSpec w = WindowSpec.of(agg);
        List<String> fields = families.computeIfAbsent(familyKey(agg, shared), k -> new ArrayList<>(List.of(agg.function().spelling(),
            agg.column() == null ? "" : agg.column(), Integer.toString(agg.k()), Double.toString(agg.percentile()),
            Long.toString(w.hopMicros()), agg.where() == null ? "" : agg.where(), "0", "0")));
        fields.set(6, Long.toString(Math.max(Long.parseLong(fields.get(6)), w.lengthMicros())));
        if (w.lifetime()) {
          fields.set(7, "1");
        }
      }
    }
    return List.copyOf(families.values());
  }

  /**
   * What makes aggregates share tiles: everything but the window length and the input type, and
   * (when {@code shared}) functions whose kernels keep the same state counting as one.
   */
  private static String familyKey(Aggregation agg, boolean shared) {
    return (shared ? stateOf(agg.function()) : agg.function()) + "|" + agg.column() + "|" + agg.k() + "|" + agg.percentile() + "|" + WindowSpec.of(agg).hopMicros()
        + "|" + agg.where();
  }

  /**
   * The function whose kernel state {@code fn} keeps: avg keeps sum's (the count and the exact sum,
   * int64 for integer columns, exact partials for floats; docs/aggregation-encoding.md), stddev keeps
   * variance's; every other function its own.
   */
  private static AggregateFunction stateOf(AggregateFunction fn) {
    return switch (fn) {
      case AVG -> AggregateFunction.SUM;
      case STDDEV -> AggregateFunction.VARIANCE;
      default -> fn;
    };
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
    TileLayout layout = build(view, inputType, true);
    TileLayout unshared = build(view, inputType, false);
    if (unshared.families.size() != layout.families.size()) {
      int[] source = new int[layout.families.size()];
      boolean exact = true;
      for (int f = 0; f < source.length && exact; f++) {
        source[f] = -1;
        for (int u = 0; u < unshared.families.size() && source[f] < 0; u++) {
          if (sameTiles(layout, f, unshared, u)) {
            source[f] = u;
          }
        }
        exact = source[f] >= 0;
      }
      if (exact) {
        layout.unshared = unshared;
        layout.unsharedSource = source;
      }
    }
    return layout;
  }

  /**
   * True when family u of the unshared layout holds exactly the tiles family f of the shared one
   * does: a member of it (same column, filter, hop and kernel state) keeping tiles as far back.
   */
  private static boolean sameTiles(TileLayout layout, int f, TileLayout unshared, int u) {
    Family a = layout.families.get(f);
    Family b = unshared.families.get(u);
    boolean member = false;
    for (Slot s : layout.slotList) {
      member |= s.family() == f && unshared.slots.get(s.feature()).family() == u;
    }
    return member && a.longestMicros() == b.longestMicros() && a.lifetime() == b.lifetime();
  }

  private static TileLayout build(FeatureView view, Function<String, ValueType> inputType, boolean shared) {
    List<Family> families = new ArrayList<>();
    Map<String, Integer> familyIndex = new LinkedHashMap<>();
    Map<String, Slot> slots = new LinkedHashMap<>();
    List<String> columns = new ArrayList<>();
    for (Feature f : view.features()) {
      if (!(f instanceof AggregateFeature a)) {
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
      String key = familyKey(agg, shared);
      Integer index = familyIndex.get(key);
      if (index == null) {
        index = families.size();
        familyIndex.put(key, index);
        families.add(new Family(Aggregator.of(agg, input), window.hopMicros(), window.lengthMicros(), window.lifetime(),
            agg.column(), agg.where()));
        if (agg.column() != null && !columns.contains(agg.column())) {
          columns.add(agg.column());
        }
        if (agg.where() != null) {
          for (String c : RowFilter.columns(agg.where())) {
            if (!columns.contains(c)) {
              columns.add(c);
            }
          }
        }
      } else {
        Family old = families.get(index);
        families.set(index, new Family(old.aggregator(), old.hopMicros(), Math.max(old.longestMicros(), window.lengthMicros()),
            old.lifetime() || window.lifetime(), old.column(), old.where()));
      }
      Aggregator own = families.get(index).aggregator().function() == agg.function()
          ? families.get(index).aggregator() : Aggregator.of(agg, input);
      slots.put(a.name(), new Slot(a.name(), index, window, own));
    }
    return new TileLayout(view.qualifiedName(), fingerprint(view, shared), families, slots, columns, inputType);
  }

  /**
   * The layout an encoded row was written with: {@code signature} (see {@link #signature()}) gives
   * each family's input type, in the order {@link #of} makes families.
   *
   * @throws QuiverException when the signature does not fit the view's aggregates
   */
  public static TileLayout ofSignature(FeatureView view, String signature) {
    List<String> types = signature.isEmpty() ? List.of() : List.of(signature.split(",", -1));
    Map<String, ValueType> columnTypes = columnTypes(view, types, true);
    if (columnTypes == null) {
      columnTypes = columnTypes(view, types, false); // a row written before families were shared
    }
    if (columnTypes == null) {
      throw new QuiverException("the online tiles of " + view.qualifiedName() + " hold " + types.size()
          + " aggregate families but the view has " + shape(view, true).size()
          + "; materialize the view again");
    }
    TileLayout layout = of(view, columnTypes::get);
    if (!layout.signature().equals(signature) && (layout.unshared == null || !layout.unshared.signature().equals(signature))) {
      throw new QuiverException("the online tiles of " + view.qualifiedName() + " were written for input types " + signature
          + ", which do not fit the view's aggregates; materialize the view again");
    }
    return layout;
  }

  /** The column types a signature gives, read with shared or unshared families; null when the family count differs. */
  private static Map<String, ValueType> columnTypes(FeatureView view, List<String> types, boolean shared) {
    Map<String, Integer> families = new LinkedHashMap<>();
    Map<String, ValueType> columnTypes = new LinkedHashMap<>();
    for (Feature f : view.features()) {
      if (!(f instanceof AggregateFeature a)) {
        continue;
      }
      Aggregation agg = a.aggregation();
      String key = familyKey(agg, shared);
      Integer index = families.get(key);
      if (index == null) {
        index = families.size();
        families.put(key, index);
      }
      if (agg.column() != null && index < types.size()) {
        ValueType.parse(types.get(index)).ifPresent(t -> columnTypes.putIfAbsent(agg.column(), t));
      }
    }
    return families.size() == types.size() ? columnTypes : null;
  }

  /**
   * The layout of rows written before sum/avg and variance/stddev shared families, when it differs
   * from this one and its rows convert exactly ({@link EntityTiles#decode}); else null.
   */
  public TileLayout unshared() {
    return unshared;
  }

  /** The {@link #unshared()} family a family's tiles come from. */
  int unsharedSource(int family) {
    return unsharedSource[family];
  }

  /** The type of a source column the layout reads (from the function it was made with). */
  public ValueType columnType(String column) {
    return inputType.apply(column);
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

  /** {@link #signature()} in UTF-8 (shared: do not change it). */
  byte[] signatureBytes() {
    return signatureBytes;
  }

  /**
   * What identifies the families of this layout exactly — each one's function, column, filter, k,
   * percentile, hop, longest fixed window and lifetime flag, in order — as the first 8 bytes of a
   * SHA-256 over them: an encoded row records it beside {@link #signature()}, and a row decodes only
   * with a layout of the same fingerprint and signature.
   */
  public long fingerprint() {
    return fingerprint;
  }

  /**
   * True when a family takes the row: it has no filter, or its filter holds for the row's values
   * (aligned with {@link #columns()}). The filter is compiled on first use, with the column types
   * the layout was made with.
   */
  boolean keeps(int family, Object[] values) {
    String where = families.get(family).where();
    if (where == null) {
      return true;
    }
    BoundFilter bound = filters[family];
    if (bound == null) {
      RowFilter filter = RowFilter.compile(where, inputType);
      int[] at = new int[filter.columns().size()];
      for (int i = 0; i < at.length; i++) {
        at[i] = columns.indexOf(filter.columns().get(i));
      }
      bound = new BoundFilter(filter, at);
      filters[family] = bound;
    }
    Object[] args = new Object[bound.at().length];
    for (int i = 0; i < args.length; i++) {
      args[i] = values[bound.at()[i]];
    }
    return bound.filter().test(args);
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
