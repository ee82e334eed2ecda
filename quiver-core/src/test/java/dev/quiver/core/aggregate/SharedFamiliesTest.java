package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Aggregates whose kernels keep the same state share one family of tiles (sum and avg of a column;
 * variance and stddev), and rows written before they did (one family each: the golden row of
 * {@code tile-row-golden-unshared.txt}) still read, decode and are rewritten to the same values.
 */
class SharedFamiliesTest {
  private static final Path GOLDEN = Path.of("src/test/resources/aggregate/tile-row-golden-unshared.txt");
  private static final long S = 1_000_000L;
  private static final long T0 = 1_790_000_000L * S;

  static FeatureView view() {
    return ViewBuilder.named("v").entities("user").source("events")
        .aggregate("n_1h", AggregateFunction.COUNT, null, "1h")
        .aggregate("sum_1h", AggregateFunction.SUM, "x", "1h")
        .aggregate("avg_1d", AggregateFunction.AVG, "x", "1d")
        .aggregate("qty_avg_1h", AggregateFunction.AVG, "qty", "1h")
        .aggregate("qty_sum_1d", AggregateFunction.SUM, "qty", "1d")
        .aggregate("var_1d", Aggregation.of(AggregateFunction.VARIANCE, "x", Window.of(Duration.ofDays(1))))
        .aggregate("sd_1h", Aggregation.of(AggregateFunction.STDDEV, "x", Window.of(Duration.ofHours(1))))
        .aggregate("last_1d", AggregateFunction.LAST, "x", "1d")
        .build();
  }

  static TileLayout layout() {
    return TileLayout.of(view(), Map.of("x", ScalarType.FLOAT64, "qty", ScalarType.INT64)::get);
  }

  static EntityTiles row(TileLayout layout) {
    EntityTiles tiles = new EntityTiles(layout);
    int x = layout.columns().indexOf("x");
    int qty = layout.columns().indexOf("qty");
    for (int i = 0; i < 60; i++) {
      // every 37 minutes over a day and a half, a late row every seventh, a null x every fifth
      long event = T0 + (i % 7 == 6 ? (i - 4) * 37 : i * 37) * 60 * S;
      Object[] values = new Object[2];
      values[x] = i % 5 == 4 ? null : i * 0.37 - 3;
      values[qty] = (long) (i * 3 - 40);
      tiles.add(event, Long.MIN_VALUE, values);
    }
    tiles.recordOffset("localhost:9092/txns", 1, 77);
    return tiles;
  }

  /** Reads at several times from the newest event back over an hour. */
  static String reads(TileLayout layout, byte[] bytes, long newest) {
    StringBuilder s = new StringBuilder();
    for (long t : new long[] {newest + 1, newest + 600 * S, newest + 3_600 * S}) {
      s.append(Arrays.toString(EntityTiles.read(layout, bytes, t))).append('\n');
    }
    return s.toString();
  }

  @Test
  void sumAndAvgShareAFamilyAndEachSlotFinishesItsOwnFunction() {
    TileLayout layout = layout();
    // count; sum/avg of x; avg/sum of qty; variance/stddev of x; last: 5 families for 8 aggregates
    assertThat(layout.families()).hasSize(5);
    assertThat(layout.slot("avg_1d").family()).isEqualTo(layout.slot("sum_1h").family());
    assertThat(layout.slot("qty_sum_1d").family()).isEqualTo(layout.slot("qty_avg_1h").family());
    assertThat(layout.slot("sd_1h").family()).isEqualTo(layout.slot("var_1d").family());
    TileLayout.Family sums = layout.families().get(layout.slot("sum_1h").family());
    assertThat(sums.longestMicros()).isEqualTo(86_400 * S);
    EntityTiles tiles = row(layout);
    Object[] values = EntityTiles.read(layout, tiles.encode(), tiles.maxEvent() + 1);
    assertThat(values[layout.slotIndex("avg_1d")]).isInstanceOf(Double.class);
    assertThat(values[layout.slotIndex("qty_sum_1d")]).isInstanceOf(Long.class);
    assertThat(values[layout.slotIndex("qty_avg_1h")]).isInstanceOf(Double.class);
  }

  @Test
  void rowsWrittenWithAFamilyPerFunctionReadTheSame() throws IOException {
    TileLayout layout = layout();
    EntityTiles tiles = row(layout);
    byte[] bytes = tiles.encode();
    if (Boolean.getBoolean("quiver.golden.unshared.update")) {
      Files.writeString(GOLDEN, HexFormat.of().formatHex(bytes) + "\n" + reads(layout, bytes, tiles.maxEvent()),
          StandardCharsets.UTF_8);
    }
    List<String> golden = Files.readAllLines(GOLDEN, StandardCharsets.UTF_8);
    byte[] unshared = HexFormat.of().parseHex(golden.get(0));
    String expected = String.join("\n", golden.subList(1, 4)) + "\n";
    assertThat(TileRowHeader.of(unshared).fits(layout)).isTrue();
    assertThat(reads(layout, unshared, tiles.maxEvent())).as("an unshared row read straight from its bytes").isEqualTo(expected);
    assertThat(reads(layout, bytes, tiles.maxEvent())).as("the shared row").isEqualTo(expected);
    EntityTiles decoded = EntityTiles.decode(layout, unshared);
    assertThat(decoded.appliedOffset("localhost:9092/txns", 1)).isEqualTo(77);
    assertThat(decoded.encode()).as("decoded and written again: the shared families").isEqualTo(bytes);
    assertThat(TileLayout.ofSignature(view(), TileRowHeader.of(unshared).signature()).fingerprint())
        .isEqualTo(layout.fingerprint());
  }
}
