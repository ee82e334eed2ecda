package dev.quiver.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The time formats of sources: spellings, the strftime rendering, and the reference conversion. */
class TimestampFormatTest {

  @Test
  void epochFormatsScaleIntegersToMicroseconds() {
    assertThat(TimestampFormat.parse("epoch_seconds").micros(1_700_000_000L)).isEqualTo(1_700_000_000_000_000L);
    assertThat(TimestampFormat.parse("epoch_millis").micros(1_700_000_000_123L)).isEqualTo(1_700_000_000_123_000L);
    assertThat(TimestampFormat.parse("EPOCH_MICROS").micros(5)).isEqualTo(5L);
    assertThat(TimestampFormat.parse("epoch_seconds").micros(null)).isNull();
    assertThatThrownBy(() -> TimestampFormat.parse("epoch_seconds").micros(Long.MAX_VALUE / 10))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> TimestampFormat.parse("epoch_seconds").micros(1.5)).hasMessageContaining("needs an integer");
  }

  @Test
  void patternsParseAsUtcUnlessTheyCarryAnOffset() {
    TimestampFormat f = TimestampFormat.parse("yyyy-MM-dd HH:mm:ss");
    assertThat(f.kind()).isEqualTo(TimestampFormat.Kind.PATTERN);
    assertThat(f.instant("2026-01-02 03:04:05")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(TimestampFormat.parse("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").instant("2026-01-02T03:04:05.120+02:00"))
        .isEqualTo(Instant.parse("2026-01-02T01:04:05.120Z"));
    assertThat(TimestampFormat.parse("yyyyMMdd").instant("20260102")).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
    assertThat(TimestampFormat.parse("dd/MM/yyyy HH:mm:ss.SSSSSS").instant("02/01/2026 00:00:00.000007"))
        .isEqualTo(Instant.parse("2026-01-02T00:00:00.000007Z"));
  }

  @Test
  void aValueThatDoesNotMatchExactlyIsAnError() {
    TimestampFormat f = TimestampFormat.parse("yyyy-MM-dd HH:mm:ss");
    assertThatThrownBy(() -> f.micros("2026-1-02 03:04:05")).hasMessageContaining("does not match");
    assertThatThrownBy(() -> f.micros("2026-02-30 03:04:05")).hasMessageContaining("does not match");
    assertThatThrownBy(() -> f.micros("2026-01-02T03:04:05")).hasMessageContaining("does not match");
  }

  @Test
  void rendersTheStrftimeSpellingAndWidth() {
    TimestampFormat f = TimestampFormat.parse("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");
    assertThat(f.strftime()).isEqualTo("%Y-%m-%dT%H:%M:%S.%f%z");
    assertThat(f.width()).isEqualTo("2026-01-02T03:04:05.000001+02:00".length());
    assertThat(TimestampFormat.parse("yyyy/MM/dd HH:mm:ss.SSS").strftime()).isEqualTo("%Y/%m/%d %H:%M:%S.%g");
    assertThat(TimestampFormat.parse("yyyy-MM-dd' at 'HH").strftime()).isEqualTo("%Y-%m-%d at %H");
  }

  @Test
  void refusesPatternsEnginesWouldReadDifferently() {
    assertThatThrownBy(() -> TimestampFormat.parse("yyyy-MM-dd HH:mm:ss a"))
        .hasMessageContaining("'a', which is not one of the fields yyyy, MM, dd");
    assertThatThrownBy(() -> TimestampFormat.parse("yy-MM-dd")).hasMessageContaining("'yy'");
    assertThatThrownBy(() -> TimestampFormat.parse("HH:mm:ss")).hasMessageContaining("needs a date");
    assertThatThrownBy(() -> TimestampFormat.parse("yyyy-MM-dd'T")).hasMessageContaining("does not close");
    assertThatThrownBy(() -> TimestampFormat.parse("yyyy-MM-dd%H")).hasMessageContaining("'%'");
    assertThatThrownBy(() -> TimestampFormat.parse("yyyy-MM-dd dd")).hasMessageContaining("a field twice");
  }

  @Test
  void spellingsReadBack() {
    for (String s : new String[] {"timestamp", "epoch_seconds", "epoch_millis", "epoch_micros", "yyyy-MM-dd HH:mm:ss"}) {
      assertThat(TimestampFormat.parse(s).spelling()).isEqualTo(s);
      assertThat(TimestampFormat.parse(TimestampFormat.parse(s).spelling())).isEqualTo(TimestampFormat.parse(s));
    }
    assertThat(TimestampFormat.parse("timestamp")).isSameAs(TimestampFormat.TIMESTAMP);
  }

  @Test
  void patternsAgreeWithJavasFormatterOnRandomTimes() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    TimestampFormat f = TimestampFormat.parse("yyyy-MM-dd HH:mm:ss.SSSSSS");
    DateTimeFormatter java = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    for (int i = 0; i < 2000; i++) {
      long micros = r.nextLong(-2_000_000_000_000_000L, 4_000_000_000_000_000L);
      LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
          (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
      assertThat(f.micros(java.format(t))).as("seed %d: %s", seed, t).isEqualTo(micros);
    }
  }
}
