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
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The last online write a tile row records (docs/online-encoding.md, "last online write"): what a
 * materialization compares with the time its scan started, exactly for a write of its own process,
 * with the clock skew allowed for another's; kept through rebuilds and the byte format.
 */
class OnlineWriteStampTest {
  private static final long S = 1_000_000L;
  private static final long T = 1_790_000_000L * S;

  private static TileLayout layout() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))))
        .build();
    return TileLayout.of(v, Map.of("x", ScalarType.FLOAT64)::get);
  }

  private static EntityTiles row() {
    EntityTiles tiles = new EntityTiles(layout());
    tiles.add(T - 10 * S, Long.MIN_VALUE, new Object[] {1.5});
    return tiles;
  }

  @Test
  void aRowWrittenByThisProcessComparesExactly() {
    EntityTiles tiles = row();
    assertThat(tiles.writtenOnlineSince(Long.MIN_VALUE + 1, 0)).as("never written online").isFalse();
    tiles.recordOnlineWrite(T);
    assertThat(tiles.writtenOnlineSince(T, 5 * S)).isTrue();
    assertThat(tiles.writtenOnlineSince(T + 1, 5 * S)).as("no skew for this process's own clock").isFalse();
    EntityTiles decoded = EntityTiles.decode(layout(), tiles.encode());
    assertThat(decoded.writtenOnlineSince(T, 0)).isTrue();
    assertThat(decoded.writtenOnlineSince(T + 1, 0)).isFalse();
  }

  @Test
  void aRowWrittenByAnotherProcessAllowsTheSkewAndSoDoesOneWrittenByMany() throws IOException {
    // the current format's golden row, then a write stamped at T by a process whose id is 0123456789abcdef
    String golden = Files.readString(Path.of("src/test/resources/aggregate/tile-row-golden-v3.txt"), StandardCharsets.UTF_8);
    byte[] plain = HexFormat.of().parseHex(golden.lines().findFirst().orElseThrow());
    StateCodec.Sink tail = new StateCodec.Sink();
    tail.zigzag(T);
    tail.be64(0x0123456789abcdefL);
    byte[] stamped = concat(plain, tail.toByteArray());
    TileLayout layout = TileRowGoldenTest.layout();
    EntityTiles other = EntityTiles.decode(layout, stamped);
    assertThat(other.writtenOnlineSince(T + 4 * S, 5 * S)).as("within the skew").isTrue();
    assertThat(other.writtenOnlineSince(T + 6 * S, 5 * S)).isFalse();
    assertThat(other.encode()).as("read and written again: the same bytes").isEqualTo(stamped);
    assertThat(EntityTiles.decode(layout, plain).writtenOnlineSince(Long.MIN_VALUE + 1, 0))
        .as("a row that ends before the field took no online write").isFalse();

    other.recordOnlineWrite(T + S); // this process writes it too: several writers, the skew applies
    assertThat(other.writtenOnlineSince(T + 5 * S, 5 * S)).isTrue();
    assertThat(other.writtenOnlineSince(T + 7 * S, 5 * S)).isFalse();
  }

  @Test
  void aRebuildKeepsTheStampOfTheRowItMergesWith() {
    EntityTiles stored = row();
    stored.recordOnlineWrite(T);
    EntityTiles rebuilt = new EntityTiles(layout());
    rebuilt.add(T - 20 * S, Long.MIN_VALUE, new Object[] {2.0});
    long horizon = EntityTiles.horizon(T, stored);
    assertThat(EntityTiles.nothingNewer(stored, horizon)).as("the stamp alone makes the merge worth doing").isFalse();
    rebuilt.keepNewer(stored, horizon);
    assertThat(rebuilt.writtenOnlineSince(T, 0)).as("a second run racing the same write still sees it").isTrue();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
