package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.spi.SourceAppend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every name a push generates is known as a pushed file, with its time; no other name is. */
class PushedFileTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00.123Z");

  @Test
  void everyGeneratedNameIsKnownWithItsTime() {
    Random r = new Random(7);
    String alphabet = "aAzZ0-~._pushé";
    for (int i = 0; i < 2000; i++) {
      List<Path> existing = new ArrayList<>();
      for (int k = 0, n = r.nextInt(0, 4); k < n; k++) {
        StringBuilder b = new StringBuilder();
        for (int c = 0, len = r.nextInt(1, 12); c < len; c++) {
          b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        existing.add(Path.of("/repo/data").resolve(b + ".parquet"));
      }
      existing.sort(null);
      String id = r.nextBoolean() ? "abcd1234" : "key-" + "0123456789abcdef".repeat(2);
      String name = SourceAppend.pushedName(existing, NOW, id, "parquet");
      PushedFile f = PushedFile.of("data/txns/" + name).orElseThrow(() -> new AssertionError(name + " after " + existing));
      assertThat(f.name()).isEqualTo(name);
      assertThat(f.key()).isEqualTo("file:" + name);
      // the name carries the push's millisecond, or a later one when it must sort after a same-time name
      assertThat(f.stampMicros()).as(name).isBetween(NOW.toEpochMilli() * 1000, (NOW.toEpochMilli() + 1000) * 1000);
    }
  }

  @Test
  void otherNamesAreNot() {
    for (String name : List.of("part-0.parquet", "push.parquet", "pushy-20260301T100000123-a.parquet",
        "push-2026-a.parquet", "push-20261399T100000123-a.parquet",
        "stream-p00001-o00000000000000000000-00000000000000000009.parquet", "data/push-20260301T100000123-a/x.parquet")) {
      assertThat(PushedFile.of(name)).as(name).isEmpty();
    }
    assertThat(PushedFile.of("C:\\repo\\push-20260301T100000123-a.csv")).map(PushedFile::name)
        .contains("push-20260301T100000123-a.csv");
  }
}
