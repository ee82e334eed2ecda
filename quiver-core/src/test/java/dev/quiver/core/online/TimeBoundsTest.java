package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Event times after now + max_future_skew: refused for pushes, dropped and counted for streams; END bounded. */
class TimeBoundsTest {
  private static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");
  private static final TimeBounds BOUNDS = new TimeBounds(Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void theSkewComesFromQuiverYamlDefaultsToAnHourAndIsNamedWhenMalformed() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    assertThat(TimeBounds.of(Map.of(), clock).maxFutureSkew()).isEqualTo(Duration.ofHours(1));
    assertThat(TimeBounds.of(Map.of("max_future_skew", "30m"), clock).limit()).isEqualTo(NOW.plus(Duration.ofMinutes(30)));
    assertThatThrownBy(() -> TimeBounds.of(Map.of("max_future_skew", "soon"), clock))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("quiver.yaml online.max_future_skew 'soon' is not a duration");
  }

  @Test
  void aPushWithAFutureEventTimeIsRefusedNamingTheRowTheTimeAndTheSetting() {
    List<Instant> events = List.of(NOW, NOW.plus(Duration.ofMinutes(59)), Instant.parse("9999-12-31T00:00:00Z"),
        NOW.plus(Duration.ofHours(2)));
    assertThatThrownBy(() -> BOUNDS.checkEvents("event_ts", events))
        .isInstanceOfSatisfying(FutureEventException.class, e -> assertThat(e.rows()).isEqualTo(2))
        .hasMessageStartingWith("column 'event_ts' row 2 has event time 9999-12-31T00:00:00Z, after now + max_future_skew"
            + " (2026-03-15T13:00:00Z); 2 rows do; nothing was written")
        .hasMessageContaining("raise online.max_future_skew in quiver.yaml (now 1h)");
    BOUNDS.checkEvents("event_ts", events.subList(0, 2)); // within the skew: fine
  }

  @Test
  void materializationEndIsBoundedButAPastEndIsFine() {
    BOUNDS.checkEnd(Instant.parse("2000-01-01T00:00:00Z"));
    BOUNDS.checkEnd(NOW.plus(Duration.ofHours(1)));
    assertThatThrownBy(() -> BOUNDS.checkEnd(Instant.parse("9999-12-31T00:00:00Z")))
        .isInstanceOf(FutureEventException.class)
        .hasMessageStartingWith("END 9999-12-31T00:00:00Z is after now + max_future_skew (2026-03-15T13:00:00Z)");
  }

  private static Map<String, List<Object>> rows(String... times) {
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    columns.put("user_id", new ArrayList<>());
    columns.put("event_ts", new ArrayList<>());
    for (int i = 0; i < times.length; i++) {
      columns.get("user_id").add((long) i);
      columns.get("event_ts").add(times[i]);
    }
    return columns;
  }

  @Test
  void aStreamsFutureEventsAreDroppedWithTheirOffsetsAndCounted() {
    Map<String, List<Object>> columns = rows("2026-03-15T11:00:00Z", "9999-12-31T00:00:00Z", "2026-03-15T12:30:00Z",
        "2026-03-16T00:00:00Z");
    FutureRows.Admitted a = FutureRows.admit(BOUNDS, "event_ts", columns,
        new Origin.Stream("broker/topic", 3, new long[] {10, 11, 12, 13}));
    assertThat(a.rejected()).isEqualTo(2);
    assertThat(a.columns().get("user_id")).containsExactly(0L, 2L);
    assertThat(a.columns().get("event_ts")).containsExactly("2026-03-15T11:00:00Z", "2026-03-15T12:30:00Z");
    Origin.Stream kept = (Origin.Stream) a.origin();
    assertThat(kept.partition()).isEqualTo(3);
    assertThat(kept.offsets()).containsExactly(10, 12);
  }

  @Test
  void aPushIsRefusedWholeAndRowsThatAreNoTimesAreLeftForThePushToReport() {
    assertThatThrownBy(() -> FutureRows.admit(BOUNDS, "event_ts", rows("2026-03-15T11:00:00Z", "9999-12-31T00:00:00Z"), Origin.PUSH))
        .isInstanceOf(FutureEventException.class)
        .hasMessageContaining("row 1 has event time 9999-12-31T00:00:00Z");
    Map<String, List<Object>> odd = rows("yesterday", "2026-03-15T11:00:00Z");
    FutureRows.Admitted a = FutureRows.admit(BOUNDS, "event_ts", odd, Origin.PUSH);
    assertThat(a.rejected()).isZero();
    assertThat(a.columns()).isSameAs(odd);
  }
}
