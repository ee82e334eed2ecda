package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast ISO path answers what java.time answers, or leaves the string to it (null). */
class IsoInstantsTest {

  /** What the push path's java.time parse gives (OffsetDateTime, else LocalDateTime at UTC), or null. */
  private static Instant javaTime(String s) {
    String text = s.replace(' ', 'T');
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-22T10:15:30Z", "2026-11-22T10:15:30", "2026-11-22 10:15:30Z", "2026-11-22T10:15:30.1Z",
      "2026-11-22T10:15:30.123456Z", "2026-11-22T10:15:30.123456789Z", "2026-11-22T10:15:30+05:30",
      "2026-11-22T10:15:30.5-08:00", "2026-11-22T10:15:30-00:00", "2024-02-29T23:59:59.999999Z", "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999999+17:59", "1969-12-31T23:59:59.9Z"})
  void commonSpellingsAnswerAsJavaTimeDoes(String s) {
    assertThat(IsoInstants.parse(s)).isNotNull().isEqualTo(javaTime(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-02-29T10:15:30Z", "2026-13-01T10:15:30Z", "2026-04-31T10:15:30Z", "2026-11-22T24:00:00Z",
      "2026-11-22T10:60:00Z", "2026-11-22T10:15:60Z", "2026-11-22T10:15:30.Z", "2026-11-22T10:15:30.1234567890Z",
      "2026-11-22T10:15Z", "2026-11-22", "2026-11-22t10:15:30z", " 2026-11-22T10:15:30Z", "2026-11-22T10:15:30Z ",
      "2026-11-22T10:15:30+18:00", "2026-11-22T10:15:30+05", "2026-11-22T10:15:30+05:30:15", "2026-11-22T10:15:30[UTC]",
      "+2026-11-22T10:15:30Z", "2026-1-22T10:15:30Z", "2026-11-22X10:15:30Z", "abcd-ef-ghTij:kl:mnZ"})
  void otherSpellingsAndInvalidTimesAreLeftToJavaTime(String s) {
    assertThat(IsoInstants.parse(s)).isNull();
  }

  @Test
  void randomTimesAgreeWithJavaTime() {
    Random random = new Random(19);
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String s = String.format("%04d-%02d-%02d%c%02d:%02d:%02d%s%s", random.nextInt(10_000), random.nextInt(14),
          random.nextInt(33), random.nextBoolean() ? 'T' : ' ', random.nextInt(26), random.nextInt(62), random.nextInt(62),
          random.nextInt(3) == 0 ? "" : "." + "123456789012".substring(0, random.nextInt(11)),
          switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> "Z";
            default -> String.format("%c%02d:%02d", random.nextBoolean() ? '+' : '-', random.nextInt(20), random.nextInt(61));
          });
      Instant fast = IsoInstants.parse(s);
      if (fast != null && !fast.equals(javaTime(s))) {
        wrong.add(s + " -> " + fast + ", java.time " + javaTime(s));
      }
    }
    assertThat(wrong).isEmpty();
  }
}
