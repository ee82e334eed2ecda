package dev.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The events of {@link WritePathContract} and the offline record of where each one landed: the
 * randomized rows (out of order, late, nulls, exact ties, bytes keys), their columns for a push,
 * the Parquet files the contract writes itself (the first source files and the query files, with
 * DuckDB's JDBC driver, which must be on the class path), and the source's files in sorted path
 * order, which is the order of every tie (DESIGN §3, "Ties"). Not thread-safe.
 */
final class WritePathData {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant LAST = Instant.parse("2026-01-31T00:00:00Z");
  static final int USERS = 30;
  /** The devices (a bytes key): equal contents in fresh arrays, a prefix of another, a zero byte, empty. */
  static final List<byte[]> DEVICES = List.of(new byte[] {1, 2}, new byte[] {1, 2, 3}, new byte[] {0}, new byte[] {},
      new byte[] {(byte) 0xFF, 0});
  /** The source's raw columns, in file order. */
  static final List<String> COLUMNS = List.of("user_id", "device_id", "event_ts", "created_ts", "amount", "channel");

  /**
   * One source row.
   *
   * @param id unique per event (tie siblings differ only in it and their values)
   * @param created null for no created time (older than any time)
   * @param arrival when it reaches Quiver
   */
  record Event(int id, long user, byte[] device, Instant event, Instant created, Double amount, String channel,
      Instant arrival) {
    Object[] row() {
      return new Object[] {user, device, event, created, amount, channel};
    }

    @Override public String toString() {
      return "#" + id + "(user " + user + " device " + Arrays.toString(device) + " at " + event + "/" + created + ": "
          + amount + ", " + channel + ")";
    }
  }

  /** The source's files by name (sorted as {@link dev.quiver.core.spi.SourceFiles} sorts: UTF-8 bytes, unsigned). */
  private final TreeMap<String, List<Event>> files = new TreeMap<>(WritePathData::compareNames);

  /**
   * Records that {@code rows} landed, in this order, in the source file {@code file}; DESIGN §3 has
   * every file written later sort after those already there, which is checked here.
   *
   * @throws AssertionError when the file sorts before one already there, or is recorded twice
   */
  void landed(Path file, List<Event> rows) {
    String name = file.getFileName().toString();
    if (files.containsKey(name)) {
      throw new AssertionError("file " + name + " written twice");
    }
    if (!files.isEmpty() && compareNames(name, files.lastKey()) <= 0) {
      throw new AssertionError("file " + name + " written after " + files.lastKey() + " sorts before it (DESIGN §3, Ties)");
    }
    files.put(name, List.copyOf(rows));
  }

  /** Every source row in offline order: files in sorted path order, rows in file order. */
  List<Event> offlineOrder() {
    List<Event> out = new ArrayList<>();
    files.values().forEach(out::addAll);
    return out;
  }

  /** The source's files so far, in path order. */
  List<String> fileNames() {
    return List.copyOf(files.keySet());
  }

  /**
   * The rows of one key that a latest-row lookup at t chooses among: those with the greatest (event,
   * created) at or before t, each with its file, in offline order (the last one wins); for messages.
   */
  String latestTies(java.util.function.Predicate<Event> key, Instant t) {
    Comparator<Event> byTime = Comparator.comparing(Event::event)
        .thenComparing(Event::created, Comparator.nullsFirst(Comparator.naturalOrder()));
    List<String> names = new ArrayList<>();
    List<Event> candidates = new ArrayList<>();
    files.forEach((name, rows) -> rows.stream().filter(e -> key.test(e) && !e.event().isAfter(t)).forEach(e -> {
      candidates.add(e);
      names.add(name);
    }));
    Event newest = candidates.stream().max(byTime).orElse(null);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < candidates.size(); i++) {
      if (newest != null && byTime.compare(candidates.get(i), newest) == 0) {
        b.append("\n      ").append(candidates.get(i)).append(" in ").append(names.get(i));
      }
    }
    return b.toString();
  }

  /** The rows of one file, in file order. */
  List<Event> rowsOf(String name) {
    return files.get(name);
  }

  static int compareNames(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Events of users 1..USERS in bursts: nulls, arrivals up to three days late, and exact ties (a
   * sibling with the same user, event and created time, other values, often another device, arriving
   * at once or hours later).
   */
  static List<Event> events(SplittableRandom random) {
    List<Event> out = new ArrayList<>();
    long span = LAST.getEpochSecond() - START.getEpochSecond();
    for (long user = 1; user <= USERS; user++) {
      int n = random.nextInt(0, 80);
      long burst = random.nextLong(span);
      Set<Instant> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        if (random.nextInt(20) == 0) {
          burst = random.nextLong(span);
        }
        long second = Math.floorMod(burst + random.nextLong(-2 * 86_400, 2 * 86_400), span);
        Instant event = START.plusSeconds(second).plusNanos(random.nextInt(1000) * 1000L);
        if (!seen.add(event)) {
          continue;
        }
        Instant created = random.nextInt(4) == 0 ? null : event.plusSeconds(random.nextInt(3));
        byte[] device = DEVICES.get(random.nextInt(DEVICES.size()));
        long delay = random.nextInt(8) == 0 ? random.nextLong(3 * 86_400) : random.nextLong(120);
        Instant arrival = event.plusSeconds(delay);
        out.add(new Event(out.size(), user, device, event, created, amount(random), channel(random), arrival));
        for (int ties = random.nextInt(5) == 0 ? 1 + random.nextInt(2) : 0; ties > 0; ties--) {
          byte[] other = random.nextBoolean() ? device : DEVICES.get(random.nextInt(DEVICES.size())).clone();
          Duration later = random.nextInt(3) == 0 ? Duration.ofSeconds(random.nextLong(6 * 3600)) : Duration.ofSeconds(random.nextLong(5));
          out.add(new Event(out.size(), user, other, event, created, amount(random), channel(random), arrival.plus(later)));
        }
      }
    }
    return out;
  }

  private static Double amount(SplittableRandom random) {
    return random.nextInt(7) == 0 ? null : Math.round(random.nextDouble(-50, 500) * 100) / 100.0 + 0.25;
  }

  private static String channel(SplittableRandom random) {
    return random.nextInt(6) == 0 ? null : List.of("web", "app", "pos", "phone").get(random.nextInt(4));
  }

  /** The rows as a push's columns (names as the definitions use them). */
  static Map<String, List<Object>> columns(List<Event> rows) {
    Map<String, List<Object>> c = new LinkedHashMap<>();
    for (String name : COLUMNS) {
      c.put(name, new ArrayList<>());
    }
    for (Event e : rows) {
      c.get("user_id").add(e.user());
      c.get("device_id").add(e.device().clone()); // keys by content: never the array the reference holds
      c.get("event_ts").add(e.event().toString());
      c.get("created_ts").add(e.created() == null ? null : e.created().toString());
      c.get("amount").add(e.amount());
      c.get("channel").add(e.channel());
    }
    return c;
  }

  /** Writes events as a Parquet source file with the source's columns and types. */
  static void writeSource(Path file, List<Event> rows) {
    parquet(file, "user_id BIGINT, device_id BLOB, event_ts TIMESTAMP, created_ts TIMESTAMP, amount DOUBLE, channel VARCHAR",
        rows.stream().map(Event::row).toList());
  }

  /** Writes a query file: one key column ({@code BIGINT} or {@code BLOB}) and {@code event_timestamp}. */
  static void writeQuery(Path file, String keyColumn, String keyType, List<Object[]> rows) {
    parquet(file, keyColumn + " " + keyType + ", event_timestamp TIMESTAMP", rows);
  }

  private static void parquet(Path file, String schema, List<Object[]> rows) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE t (" + schema + ")");
      int width = schema.split(",").length;
      StringBuilder marks = new StringBuilder();
      for (int i = 0; i < width; i++) {
        marks.append(i == 0 ? "" : ", ").append("?");
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO t VALUES (" + marks + ")")) {
        for (Object[] row : rows) {
          for (int i = 0; i < width; i++) {
            Object v = row[i];
            if (v instanceof Instant t) {
              p.setObject(i + 1, java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC));
            } else if (v instanceof byte[] b) {
              p.setBytes(i + 1, b);
            } else {
              p.setObject(i + 1, v);
            }
          }
          p.execute();
        }
      }
      s.execute("COPY t TO '" + file.toString().replace("'", "''") + "' (FORMAT parquet)");
    } catch (SQLException e) {
      throw new UncheckedIOException(new IOException("cannot write " + file + " with DuckDB: " + e.getMessage(), e));
    }
  }

}
