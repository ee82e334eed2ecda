package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
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
 * Locks the online tile row format (docs/online-encoding.md, "Tile row"): a fixed row — head,
 * tiles, coarse blocks, a lifetime rest, a filtered family — must encode to the golden bytes and
 * read back to the same values, so a format change is a deliberate, versioned act
 * (-Dquiver.golden.update=true rewrites the current format's file). The golden row of format 1,
 * written before rows carried their families' fingerprint, and the row of format 2, written before
 * rows recorded the stream offsets and push keys they took, must still read the same.
 */
class TileRowGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/aggregate/tile-row-golden-v3.txt");
  private static final Path GOLDEN_V2 = Path.of("src/test/resources/aggregate/tile-row-golden-v2.txt");
  private static final Path GOLDEN_V1 = Path.of("src/test/resources/aggregate/tile-row-golden-v1.txt");
  private static final long S = 1_000_000L;
  private static final long T0 = 1_790_000_000L * S;

  static TileLayout layout() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
        .aggregate("count_life", Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()).withHop(Duration.ofMinutes(5)))
        .aggregate("max_10m_web", Aggregation.of(AggregateFunction.MAX, "x", Window.of(Duration.ofMinutes(10)))
            .withHop(Duration.ofMinutes(1)).where("channel = 'web'"))
        .build();
    return TileLayout.of(v, Map.of("x", ScalarType.FLOAT64, "channel", ScalarType.STRING)::get);
  }

  private static EntityTiles row(TileLayout layout) {
    EntityTiles tiles = new EntityTiles(layout);
    for (int i = 0; i < 40; i++) {
      // every 97 s over about an hour, a late row every tenth
      long event = T0 + (i % 10 == 9 ? (i - 5) * 97 : i * 97) * S;
      tiles.add(event, i % 3 == 0 ? Long.MIN_VALUE : event + 1, new Object[] {i * 0.5, i % 2 == 0 ? "web" : "app"});
    }
    return tiles;
  }

  @Test
  void bytesMatchTheGoldenFileAndReadBack() throws IOException {
    TileLayout layout = layout();
    EntityTiles tiles = row(layout);
    tiles.recordOffset("localhost:9092/txns", 2, 1_234_567);
    tiles.recordOffset("localhost:9092/txns", 0, 42);
    tiles.recordPush("batch-0001", T0);
    tiles.recordPush("batch-0002", T0 + S);
    byte[] bytes = tiles.encode();
    long t = tiles.maxEvent() + 1;
    String actual = HexFormat.of().formatHex(bytes) + "\n" + Arrays.toString(EntityTiles.read(layout, bytes, t)) + "\n";
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.writeString(GOLDEN, actual);
    }
    String golden = Files.readString(GOLDEN, StandardCharsets.UTF_8);
    assertThat(actual).isEqualTo(golden);
    byte[] goldenBytes = HexFormat.of().parseHex(golden.lines().findFirst().orElseThrow());
    assertThat(Arrays.toString(EntityTiles.read(layout, goldenBytes, t))).isEqualTo(golden.lines().skip(1).findFirst().orElseThrow());
    assertThat(layout.families().get(0).coarseSpan()).isEqualTo(8); // the golden row has coarse blocks
    EntityTiles decoded = EntityTiles.decode(layout, goldenBytes);
    assertThat(decoded.appliedOffset("localhost:9092/txns", 2)).isEqualTo(1_234_567);
    assertThat(decoded.appliedOffset("localhost:9092/txns", 0)).isEqualTo(42);
    assertThat(decoded.appliedPush("batch-0002")).isTrue();
  }

  @Test
  void rowsOfFormatTwoStillReadAndRewriteInTheCurrentFormat() throws IOException {
    TileLayout layout = layout();
    EntityTiles tiles = row(layout);
    long t = tiles.maxEvent() + 1;
    List<String> v2 = Files.readAllLines(GOLDEN_V2, StandardCharsets.UTF_8);
    byte[] v2Bytes = HexFormat.of().parseHex(v2.get(0));
    assertThat(TileRowHeader.of(v2Bytes).format()).isEqualTo(2);
    assertThat(Arrays.toString(EntityTiles.read(layout, v2Bytes, t))).isEqualTo(v2.get(1));
    EntityTiles decoded = EntityTiles.decode(layout, v2Bytes);
    assertThat(decoded.appliedOffset("localhost:9092/txns", 0)).as("format 2 records nothing taken").isEqualTo(-1);
    assertThat(decoded.encode()).isEqualTo(tiles.encode());
  }

  @Test
  void rowsOfFormatOneStillReadAndRewriteInTheCurrentFormat() throws IOException {
    TileLayout layout = layout();
    EntityTiles tiles = row(layout);
    long t = tiles.maxEvent() + 1;
    List<String> v1 = Files.readAllLines(GOLDEN_V1, StandardCharsets.UTF_8);
    byte[] v1Bytes = HexFormat.of().parseHex(v1.get(0));
    TileRowHeader header = TileRowHeader.of(v1Bytes);
    assertThat(header.format()).isEqualTo(1);
    assertThat(header.exact()).as("format 1 names no families").isFalse();
    assertThat(header.fits(layout)).isTrue();
    assertThat(Arrays.toString(EntityTiles.read(layout, v1Bytes, t))).isEqualTo(v1.get(1));
    assertThat(EntityTiles.decode(layout, v1Bytes).encode()).as("decoded and written again: the current format")
        .isEqualTo(tiles.encode());
  }

  @Test
  void otherFormatsAndTruncatedRowsAreRefused() {
    TileLayout layout = layout();
    byte[] good = row(layout).encode();
    byte[] other = good.clone();
    other[0] = 4;
    assertThatThrownBy(() -> EntityTiles.read(layout, other, 0)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("format 4").hasMessageContaining("materialize the view again");
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertThatThrownBy(() -> EntityTiles.decode(layout, truncated)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("corrupt");
  }
}
