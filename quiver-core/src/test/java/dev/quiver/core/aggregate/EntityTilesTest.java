package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Online tiles against the plain definition: for random rows added in random order (late rows,
 * ties, nulls) and any read time from the boundary on, every slot equals one kernel pass over the
 * rows in {@code [align(t − W, H), t)}, read from bytes and from a decoded copy alike.
 */
class EntityTilesTest {
  static final long S = 1_000_000L;
  static final Map<String, ValueType> TYPES = Map.of("x", ScalarType.FLOAT64, "n", ScalarType.INT64,
      "s", ScalarType.STRING);

  record Row(long event, long created, Object[] values) {}

  static FeatureView view() {
    ViewBuilder b = ViewBuilder.named("v").entities("user").source("events");
    AggregateFunction[] fns = AggregateFunction.values();
    String[][] windows = {{"30s", "5s"}, {"2m", "10s"}, {"10m", "1m"}, {"1h", "1m"}, {"lifetime", "1m"}, {"20m", "1m"}};
    int i = 0;
    for (AggregateFunction fn : fns) {
      for (String[] w : windows) {
        String column = switch (fn) {
          case COUNT -> i % 2 == 0 ? null : "x";
          case SUM, AVG, STDDEV, VARIANCE, APPROX_PERCENTILE -> i % 3 == 0 ? "n" : "x";
          default -> i % 3 == 0 ? "s" : i % 3 == 1 ? "n" : "x";
        };
        Window window = w[0].equals("lifetime") ? Window.lifetime()
            : Window.of(dev.quiver.core.model.Durations.parse(w[0]).orElseThrow());
        Aggregation agg = Aggregation.of(fn, column, window).withHop(dev.quiver.core.model.Durations.parse(w[1]).orElseThrow());
        if (fn == AggregateFunction.LAST_K) {
          agg = agg.withK(3);
        }
        if (fn == AggregateFunction.APPROX_PERCENTILE) {
          agg = agg.withPercentile(0.9);
        }
        b.aggregate(fn.spelling() + "_" + i++, agg);
      }
    }
    return b.build();
  }

  static List<Row> rows(Random r, int n, long start) {
    List<Row> rows = new ArrayList<>();
    long t = start;
    for (int i = 0; i < n; i++) {
      t += r.nextInt(4) == 0 ? 0 : (long) (r.nextDouble() * r.nextDouble() * 40 * S) + (r.nextInt(20) == 0 ? 600 * S : 0);
      Object x = r.nextInt(6) == 0 ? null : Math.round(r.nextGaussian() * 1000) / 8.0;
      Object nv = r.nextInt(8) == 0 ? null : (long) r.nextInt(50) - 10;
      Object s = r.nextInt(7) == 0 ? null : "k" + r.nextInt(6);
      rows.add(new Row(t, r.nextInt(3) == 0 ? Long.MIN_VALUE : t + r.nextInt(5), new Object[] {x, nv, s}));
    }
    return rows;
  }

  static Object[] values(TileLayout layout, Row row) {
    Object[] out = new Object[layout.columns().size()];
    List<String> all = List.of("x", "n", "s");
    for (int c = 0; c < out.length; c++) {
      out[c] = row.values()[all.indexOf(layout.columns().get(c))];
    }
    return out;
  }

  private static Object expected(TileLayout layout, TileLayout.Slot slot, List<Row> rows, long t) {
    Aggregator agg = slot.aggregator(); // the slot's own function (its family's kernel may be another with the same state)
    AggregateState s = agg.newState();
    int column = layout.columnIndex(slot.family());
    for (Row row : rows) {
      if (slot.window().contains(t, row.event())) {
        agg.add(s, column < 0 ? null : values(layout, row)[column], row.event(), row.created());
      }
    }
    return agg.finish(s);
  }

  @Test
  void everySlotEqualsOnePassOverItsWindowFromTheBoundaryOn() {
    TileLayout layout = TileLayout.of(view(), TYPES::get);
    assertThat(layout.families().size()).isLessThan(layout.slots().size());
    long mismatches = 0;
    long compared = 0;
    for (long seed = 1; seed <= 12; seed++) {
      Random r = new Random(seed);
      List<Row> rows = rows(r, 50 + r.nextInt(400), 1_790_000_000L * S + r.nextInt(1000) * S);
      List<Row> shuffled = new ArrayList<>(rows);
      // mostly in time order, with some late rows
      Collections.sort(shuffled, (a, b) -> Long.compare(a.event(), b.event()));
      for (int i = 0; i < shuffled.size() / 5; i++) {
        Collections.swap(shuffled, r.nextInt(shuffled.size()), r.nextInt(shuffled.size()));
      }
      EntityTiles tiles = new EntityTiles(layout);
      int half = shuffled.size() / 2;
      for (int i = 0; i < half; i++) {
        tiles.add(shuffled.get(i).event(), shuffled.get(i).created(), values(layout, shuffled.get(i)));
      }
      // a write path: read back from bytes, add the rest
      tiles = EntityTiles.decode(layout, tiles.encode());
      for (int i = half; i < shuffled.size(); i++) {
        tiles.add(shuffled.get(i).event(), shuffled.get(i).created(), values(layout, shuffled.get(i)));
      }
      byte[] bytes = tiles.encode();
      long boundary = tiles.boundary();
      assertThat(EntityTiles.decode(layout, bytes).encode()).isEqualTo(bytes);
      List<Long> times = new ArrayList<>();
      long max = tiles.maxEvent();
      for (int i = 0; i < 30; i++) {
        times.add(tiles.boundary() + (long) (r.nextDouble() * (max - tiles.boundary() + 900 * S)));
      }
      times.add(max);
      times.add(max + 1);
      times.add(tiles.boundary());
      rows.stream().filter(x -> x.event() >= boundary).limit(5).forEach(x -> times.add(x.event()));
      for (long t : times) {
        Object[] got = EntityTiles.read(layout, bytes, t);
        for (int i = 0; i < layout.slots().size(); i++) {
          TileLayout.Slot slot = layout.slots().get(i);
          Object want = expected(layout, slot, shuffled, t); // in arrival order: ties go to the row added later
          compared++;
          if (!Objects.deepEquals(want, got[i])) {
            mismatches++;
            if (mismatches < 10) {
              System.out.println("seed " + seed + " t " + t + " " + slot + ": want " + want + ", got " + got[i]);
            }
          }
        }
      }
    }
    assertThat(mismatches).as("mismatches of %d values", compared).isZero();
  }

  @Test
  void aRowHoldsTheTilesOfItsLongestWindowWhateverTheNumberOfEvents() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(5)))
        .aggregate("count_life", Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()).withHop(Duration.ofMinutes(5)))
        .build();
    TileLayout layout = TileLayout.of(v, TYPES::get);
    EntityTiles tiles = new EntityTiles(layout);
    long t0 = 1_790_000_000L * S;
    for (int i = 0; i < 100_000; i++) {
      tiles.add(t0 + i * 7 * S, Long.MIN_VALUE, new Object[] {1.0});
    }
    byte[] bytes = tiles.encode();
    // 12 five-minute tiles (and the partial one) per family, one rest state, a minute of head
    assertThat(bytes.length).isLessThan(2_000);
    Object[] values = EntityTiles.read(layout, bytes, tiles.maxEvent() + 1);
    assertThat(values[1]).isEqualTo(100_000L);
    long t = tiles.maxEvent() + 1;
    long start = WindowSpec.align(t - 3_600 * S, 300 * S);
    long inWindow = 0;
    for (int i = 0; i < 100_000; i++) {
      long e = t0 + i * 7 * S;
      if (e >= start && e < t) {
        inWindow++;
      }
    }
    assertThat(values[0]).isEqualTo((double) inWindow);
  }

  @Test
  void aRowOfOtherInputTypesIsRefusedWithAFix() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("avg_1h", AggregateFunction.AVG, "x", "1h").build();
    EntityTiles tiles = new EntityTiles(TileLayout.of(v, c -> ScalarType.INT64));
    tiles.add(0, Long.MIN_VALUE, new Object[] {3L});
    byte[] bytes = tiles.encode();
    assertThat(TileRowHeader.of(bytes).signature()).isEqualTo("int64");
    assertThatThrownBy(() -> EntityTiles.read(TileLayout.of(v, c -> ScalarType.FLOAT64), bytes, 1))
        .isInstanceOf(QuiverException.class).hasMessageContaining("materialize the view again");
  }

  @Test
  void aRowOfOtherFamiliesWithTheSameInputTypesIsRefused() {
    // two counts of the same width and hop: reordered, the families swap but the input types ("-,-") do not
    FeatureView before = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("n_7d", Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7))))
        .aggregate("web_7d", Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7))).where("channel = 'web'"))
        .build();
    FeatureView reordered = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("web_7d", Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7))).where("channel = 'web'"))
        .aggregate("n_7d", Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7))))
        .build();
    TileLayout written = TileLayout.of(before, c -> ScalarType.STRING);
    TileLayout now = TileLayout.of(reordered, c -> ScalarType.STRING);
    assertThat(now.signature()).isEqualTo(written.signature());
    assertThat(now.fingerprint()).isNotEqualTo(written.fingerprint());
    assertThat(TileLayout.fingerprint(before)).isEqualTo(written.fingerprint());
    EntityTiles tiles = new EntityTiles(written);
    tiles.add(0, Long.MIN_VALUE, new Object[] {"web"});
    tiles.add(1, Long.MIN_VALUE, new Object[] {"app"});
    byte[] bytes = tiles.encode();
    TileRowHeader header = TileRowHeader.of(bytes);
    assertThat(header.fits(written)).isTrue();
    assertThat(header.fits(now)).isFalse();
    assertThatThrownBy(() -> EntityTiles.read(now, bytes, 2)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("other window aggregates").hasMessageContaining("materialize the view again");
    assertThatThrownBy(() -> EntityTiles.decode(now, bytes)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("other window aggregates");
    assertThat(EntityTiles.read(written, bytes, 2)).containsExactly(2L, 1L);
  }
}
