package dev.quiver.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The comparison rule of skew (docs/monitoring.md, "Skew"), case by case and on random doubles. */
class ServedValuesTest {
  @Test
  void statusesOtherThanPresentServeNothing() {
    assertThat(ServedValues.served("PRESENT")).isTrue();
    assertThat(ServedValues.served(null)).isTrue();
    assertThat(List.of("NOT_FOUND", "NULL_VALUE", "OUTSIDE_MAX_AGE")).noneMatch(ServedValues::served);
  }

  @Test
  void nullsNumbersAndTypes() {
    assertThat(ServedValues.equal(null, null)).isTrue();
    assertThat(ServedValues.equal(null, 0L)).isFalse();
    assertThat(ServedValues.equal(0L, null)).isFalse();
    assertThat(ServedValues.equal(7, 7L)).as("int32 = int64 by value").isTrue();
    assertThat(ServedValues.equal(7L, 8L)).isFalse();
    assertThat(ServedValues.equal(Long.MAX_VALUE, Long.MAX_VALUE - 1)).as("integers exactly, not through doubles").isFalse();
    assertThat(ServedValues.equal(1.5f, 1.5)).isTrue();
    assertThat(ServedValues.equal(Double.NaN, Double.NaN)).isTrue();
    assertThat(ServedValues.equal(Double.NaN, 1.0)).isFalse();
    assertThat(ServedValues.equal(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY)).isTrue();
    assertThat(ServedValues.equal(Double.POSITIVE_INFINITY, Double.MAX_VALUE)).isFalse();
    assertThat(ServedValues.equal(0.0, -0.0)).isTrue();
    assertThat(ServedValues.equal(0.0, 1e-300)).as("relative: nothing is close to zero but zero").isFalse();
    assertThat(ServedValues.equal("US", "US")).isTrue();
    assertThat(ServedValues.equal("US", "us")).isFalse();
    assertThat(ServedValues.equal(true, true)).isTrue();
    assertThat(ServedValues.equal(new byte[] {1, 2}, new byte[] {1, 2})).isTrue();
    assertThat(ServedValues.equal(new byte[] {1, 2}, new byte[] {1, 3})).isFalse();
    Instant t = Instant.parse("2026-03-01T10:00:00.123456Z");
    assertThat(ServedValues.equal(t, t.plusNanos(500))).as("microseconds").isTrue();
    assertThat(ServedValues.equal(t, t.plusNanos(1000))).isFalse();
    assertThat(ServedValues.equal(t, java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC))).isTrue();
  }

  @Test
  void listsElementByElement() {
    assertThat(ServedValues.equal(List.of(1.0, 2.0), List.of(1.0f, 2.0f))).isTrue();
    assertThat(ServedValues.equal(List.of(1.0, 2.0), List.of(1.0))).isFalse();
    assertThat(ServedValues.equal(Arrays.asList("a", null), Arrays.asList("a", null))).isTrue();
    assertThat(ServedValues.equal(Arrays.asList("a", null), List.of("a", "b"))).isFalse();
    assertThat(ServedValues.equal(List.of(), null)).as("an empty list is a value").isFalse();
  }

  /** Against a plain reference: |a - b| <= 1e-12 * max(|a|, |b|), on random values and neighbours. */
  @Test
  void toleranceMatchesTheReferenceOnRandomDoubles() {
    SplittableRandom random = new SplittableRandom(42);
    int close = 0;
    for (int i = 0; i < 100_000; i++) {
      double a = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-20, 20));
      double b = switch (random.nextInt(4)) {
        case 0 -> a;
        case 1 -> a * (1 + (random.nextDouble() - 0.5) * 4e-12);
        case 2 -> Math.nextUp(a);
        default -> a + (random.nextDouble() - 0.5) * Math.abs(a) * 1e-6;
      };
      boolean reference = Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
      assertThat(ServedValues.equal(a, b)).as("%s vs %s", a, b).isEqualTo(reference);
      close += reference ? 1 : 0;
    }
    assertThat(close).as("both outcomes occur").isBetween(20_000, 90_000);
  }
}
