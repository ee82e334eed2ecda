package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How far in the future an event time may be (DESIGN §3, time bounds): later than {@code now +
 * max_future_skew} (default 1 h) it is refused, never stored, since newest-wins would let it shadow
 * every real update of its key for good. Pushes (HTTP, gRPC, {@code /write-to-online-store}, Java,
 * CLI) refuse the whole request ({@link FutureEventException}); stream events are dropped one by one
 * and counted ({@link Pusher.Result#rejectedFuture()}); a materialization END is bounded the same way
 * (a backfill END in the past is fine).
 *
 * <p>The skew comes from {@code quiver.yaml} ({@code online: {max_future_skew: 1h}}), overridden by the
 * system property {@code quiver.online.max_future_skew} and, for a server, {@code quiver serve
 * --max-future-skew}. "Now" is the injected {@link Clock}. Immutable and thread-safe.
 *
 * @param maxFutureSkew how far after now an event time may be; not negative
 * @param clock what "now" is
 */
public record TimeBounds(Duration maxFutureSkew, Clock clock) {
  /** The setting's key in {@code quiver.yaml}'s {@code online} section. */
  public static final String SETTING = "max_future_skew";
  /** The system property that overrides {@code quiver.yaml}. */
  public static final String PROPERTY = "quiver.online.max_future_skew";
  /** The default skew: one hour. */
  public static final Duration DEFAULT_SKEW = Duration.ofHours(1);

  public TimeBounds {
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    Objects.requireNonNull(clock, "clock");
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("max_future_skew must not be negative, got " + maxFutureSkew);
    }
  }

  /** The default skew on the system clock. */
  public static TimeBounds systemDefault() {
    return new TimeBounds(DEFAULT_SKEW, Clock.systemUTC());
  }

  /**
   * The bounds {@code quiver.yaml}'s online section sets ({@value #SETTING}, a duration such as {@code
   * 1h} or {@code 30m}; default 1 h), the system property {@value #PROPERTY} overriding it.
   *
   * @throws QuiverException naming the setting when its value is not a duration
   */
  public static TimeBounds of(Map<String, Object> onlineSection, Clock clock) {
    String property = System.getProperty(PROPERTY);
    if (property != null) {
      return new TimeBounds(parse(property, "system property " + PROPERTY), clock);
    }
    Object configured = onlineSection.get(SETTING);
    return new TimeBounds(configured == null ? DEFAULT_SKEW
        : parse(String.valueOf(configured), "quiver.yaml online." + SETTING), clock);
  }

  /**
   * Parses a skew as {@code quiver.yaml} spells durations.
   *
   * @param where the setting's name, for the message
   * @throws QuiverException naming the setting and the forms accepted
   */
  public static Duration parse(String text, String where) {
    return Durations.parse(text).orElseThrow(() -> new QuiverException(where + " '" + text
        + "' is not a duration; write e.g. 30m, 1h or 2h30m (0s refuses any event time after now)"));
  }

  /** The same bounds with another skew. */
  public TimeBounds withSkew(Duration skew) {
    return new TimeBounds(skew, clock);
  }

  /** The latest event time accepted now: {@code now + maxFutureSkew}. */
  public Instant limit() {
    return clock.instant().plus(maxFutureSkew);
  }

  /** True when {@code t} is later than {@link #limit()}. */
  public boolean isFuture(Instant t) {
    return t.isAfter(limit());
  }

  /**
   * Refuses a pushed request holding an event time after the limit, naming the first such row.
   *
   * @param column the event-time column's name
   * @param events the rows' event times, aligned with the rows
   * @throws FutureEventException naming the row, its time, the limit and the setting
   */
  public void checkEvents(String column, List<Instant> events) {
    Instant limit = limit();
    int first = -1;
    int count = 0;
    for (int r = 0; r < events.size(); r++) {
      Instant t = events.get(r);
      if (t != null && t.isAfter(limit)) {
        count++;
        if (first < 0) {
          first = r;
        }
      }
    }
    if (count > 0) {
      throw new FutureEventException(count, "column '" + column + "' row " + first + " has event time " + events.get(first)
          + ", after now + " + SETTING + " (" + limit + ")" + (count > 1 ? "; " + count + " rows do" : "")
          + "; nothing was written. Send real event times, or raise online." + SETTING + " in quiver.yaml (now "
          + Durations.format(maxFutureSkew) + ")");
    }
  }

  /**
   * Refuses a materialization END after the limit (a past END, a backfill, is fine).
   *
   * @throws FutureEventException (no rows) naming END, the limit and the setting
   */
  public void checkEnd(Instant end) {
    Instant limit = limit();
    if (end.isAfter(limit)) {
      throw new FutureEventException(0, "END " + end + " is after now + " + SETTING + " (" + limit + "): a watermark there"
          + " would stop incremental runs until then; materialize up to now (or raise online." + SETTING
          + " in quiver.yaml, now " + Durations.format(maxFutureSkew) + ")");
    }
  }
}
