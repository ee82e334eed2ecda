package dev.quiver.bench.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.core.online.RowPosition;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ninth round's spike: its operands fold to what adding the events one by one gives, redeliveries
 * included, and each configuration of {@link BlindAppendBenchmark} runs at a small scale with its own
 * checks (it throws when a served answer or latest row differs from one pass over the events).
 */
class BlindAppendSpikeTest {
  private static final long HOUR = 3_600_000_000L;
  private static final long START = 1_790_000_000_000_000L;

  @TempDir Path dir;

  @Test
  void concatenatedOperandsFoldAsOnePassAndSkipOffsetsTaken() {
    TileLayout layout = TileWriteBenchmark.layout();
    SplittableRandom r = new SplittableRandom(7);
    List<BlindAppendBenchmark.Event> events = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // event times out of order within the hour
      events.add(new BlindAppendBenchmark.Event(1, START + r.nextLong(HOUR), i, r.nextInt(10_000) / 100.0, 0, 0, i));
    }
    EntityTiles onePass = new EntityTiles(layout);
    events.forEach(e -> onePass.add(e.micros(), Long.MIN_VALUE, new Object[] {e.amount()}));
    byte[] stored = stored(layout, events.subList(0, 10));
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    pending.writeBytes(PendingEvents.encode(0, events.subList(5, 25), row(events.get(24))));
    pending.writeBytes(PendingEvents.encode(0, events.subList(20, 40))); // a redelivery overlapping what was appended

    EntityTiles folded = EntityTiles.decode(layout, stored);
    PendingEvents.apply(folded, pending.toByteArray(), "s");

    assertThat(folded.appliedOffset("s", 0)).isEqualTo(39);
    long t = START + HOUR + 1;
    assertThat(EntityTiles.read(layout, folded.encode(), t)).isEqualTo(EntityTiles.read(layout, onePass.encode(), t));
    assertThat(PendingEvents.read(layout, stored, pending.toByteArray(), "s", t))
        .isEqualTo(EntityTiles.read(layout, onePass.encode(), t));
  }

  @Test
  void theNewestRidingRowWinsWhateverItsPlaceInTheValue() {
    BlindAppendBenchmark.Event older = new BlindAppendBenchmark.Event(1, START + 10, 3, 1.0, 0, 0, 3);
    BlindAppendBenchmark.Event newer = new BlindAppendBenchmark.Event(1, START + 20, 2, 2.0, 0, 0, 2);
    byte[] value = concat(PendingEvents.encode(0, List.of(newer), row(newer)),
        PendingEvents.encode(0, List.of(older), row(older)));

    assertThat(PendingEvents.newestRow(value)).isEqualTo(row(newer));
    assertThat(PendingEvents.newestRow(PendingEvents.encode(0, List.of(older)))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--mode rmw", "--mode rmw --cache all", "--mode blind --fold 8", "--mode blind --fold 2",
      "--mode blind --fold 8 --latest ride", "--mode blind --fold 3 --latest skip", "--mode decode"})
  void everyConfigurationRunsAndItsAnswersEqualOnePassWithRedeliveries(String mode) throws Exception {
    List<String> args = new ArrayList<>(List.of(dir.toString(), "--events", "8000", "--users", "1000", "--batch", "200",
        "--rounds", "1", "--replay-every", "3"));
    args.addAll(Arrays.asList(mode.split(" ")));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream before = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      BlindAppendBenchmark.main(args.toArray(new String[0]));
    } finally {
      System.setOut(before);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).containsPattern("round 1: [0-9.]+ µs thread CPU");
    assertThat(out).contains(mode.equals("--mode decode") ? "0 users' answers" : "20 users' answers equal one pass");
  }

  private static byte[] stored(TileLayout layout, List<BlindAppendBenchmark.Event> events) {
    EntityTiles tiles = new EntityTiles(layout);
    for (BlindAppendBenchmark.Event e : events) {
      tiles.add(e.micros(), Long.MIN_VALUE, new Object[] {e.amount()});
      tiles.recordOffset("s", 0, e.offset());
    }
    return tiles.encode();
  }

  private static byte[] row(BlindAppendBenchmark.Event e) {
    List<ValueType> types = List.of(ScalarType.FLOAT64);
    return RowEncoding.encode(Instant.ofEpochSecond(0, e.micros() * 1000), null, new RowPosition.Streamed("s", 0, e.offset()),
        List.of("amount"), types, List.of(e.amount()));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
