package dev.quiver.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A pushed file's name sorts after every file already there (DESIGN §3, "Ties"), so its rows win ties. */
class SourceAppendNameTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00.123Z");

  private static String named(String... existing) {
    List<Path> files = new ArrayList<>();
    for (String e : existing) {
      files.add(Path.of("/repo/data").resolve(e));
    }
    return SourceAppend.pushedName(files, NOW, "abcd1234", "parquet");
  }

  @Test
  void aPlainNameWhenItSortsLast() {
    assertThat(named()).isEqualTo("push-20260301T100000123-abcd1234.parquet");
    assertThat(named("part-0.parquet", "part-1.parquet")).isEqualTo("push-20260301T100000123-abcd1234.parquet");
  }

  @Test
  void afterTheLastFileWhenItsNameSortsAfterPush() {
    assertThat(named("a.parquet", "transactions.parquet")).isEqualTo("transactions~push-20260301T100000123-abcd1234.parquet");
    // a later push follows the same stem, not a longer one
    assertThat(named("transactions.parquet", "transactions~push-20260301T090000000-ffffffff.parquet"))
        .isEqualTo("transactions~push-20260301T100000123-abcd1234.parquet");
  }

  @Test
  void alwaysAfterTheLastWhateverTheNames() {
    Random r = new Random(5);
    String alphabet = "aAzZ0-~._pushé";
    for (int i = 0; i < 2000; i++) {
      List<String> names = new ArrayList<>();
      int n = r.nextInt(1, 4);
      for (int k = 0; k < n; k++) {
        StringBuilder b = new StringBuilder();
        int len = r.nextInt(1, 12);
        for (int c = 0; c < len; c++) {
          b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        names.add(b + (r.nextBoolean() ? ".parquet" : ""));
      }
      if (r.nextInt(4) == 0) {
        names.add("push-20260301T100000123-abcd1234.parquet"); // a push of the same millisecond
      }
      names.sort((a, b) -> Path.of("/repo/data").resolve(a).compareTo(Path.of("/repo/data").resolve(b)));
      String name = named(names.toArray(String[]::new));
      assertThat(Path.of("/repo/data").resolve(name)).as("after %s", names)
          .isGreaterThan(Path.of("/repo/data").resolve(names.getLast()));
      assertThat(name).endsWith(".parquet");
    }
  }
}
