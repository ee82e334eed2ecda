package dev.quiver.core.online;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A fast path for the common spellings of an ISO-8601 time, {@code 2026-11-22T10:15:30Z}, with an
 * optional fraction of 1 to 9 digits, {@code Z}, an offset {@code ±HH:MM} or no zone (UTC), and
 * {@code T} or a space between date and time. It answers exactly what {@code OffsetDateTime.parse}
 * (or, without a zone, {@code LocalDateTime.parse} at UTC) answers for those strings, without their
 * field maps (java.time's parsers cost a stream consumer a fifth of its time); anything else — other
 * spellings, and invalid dates or times — returns null, for the caller's java.time parse to decide.
 * Stateless and thread-safe.
 */
final class IsoInstants {
  private IsoInstants() {}

  /** The instant {@code s} spells in one of the common forms, or null (not one of them, or invalid). */
  static Instant parse(String s) {
    int n = s.length();
    if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != ' ')
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
        || second > 59) {
      return null;
    }
    int at = 19;
    int nanos = 0;
    if (at < n && s.charAt(at) == '.') {
      int start = ++at;
      while (at < n && at - start < 10 && isDigit(s.charAt(at))) {
        nanos = nanos * 10 + (s.charAt(at) - '0');
        at++;
      }
      int count = at - start;
      if (count == 0 || count > 9) {
        return null;
      }
      for (int i = count; i < 9; i++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (at == n) {
      offsetSeconds = 0; // no zone: UTC
    } else if (s.charAt(at) == 'Z' && at + 1 == n) {
      offsetSeconds = 0;
    } else if ((s.charAt(at) == '+' || s.charAt(at) == '-') && at + 6 == n && s.charAt(at + 3) == ':') {
      int h = digits(s, at + 1, 2);
      int m = digits(s, at + 4, 2);
      if (h < 0 || m < 0 || h > 17 || m > 59) {
        return null; // ±18:00 and beyond: java.time's limits decide
      }
      offsetSeconds = (s.charAt(at) == '-' ? -1 : 1) * (h * 3600 + m * 60);
    } else {
      return null;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException invalid) {
      return null;
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
  }

  /** The non-negative number in {@code s[from, from + count)}, or -1 when a character is not a digit. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
