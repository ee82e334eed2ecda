package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's pulls over a Quiver source and a saved dataset, against a real server on FlightRepo's
 * randomized events (ties within a file and across its two files, null amounts and countries): {@code
 * pull_latest} equals a plain reference (rows with {@code start <= event_ts < end}, per key the last in
 * the order event time, created time, file, row), {@code pull_all} equals all those rows ordered by key
 * then that order, on random ranges whose ends fall on event times; a saved dataset persisted under a
 * storage path reads back as its file.
 */
class OfflineFlightPullTest {
  static final List<String> COLUMNS = List.of("user_id", "amount", "country", "n");

  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static FlightClientAccess flight;
  /** The source rows in tie order: user_id, event_ts, created_ts, amount, country, n, file, row. */
  static List<Object[]> events = new ArrayList<>();

  @BeforeAll
  static void start() {
    Path dir = FlightRepo.create(tmp.resolve("repo"), 11, "");
    repo = FeatureRepo.open(dir);
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
    flight = new FlightClientAccess(server.grpcPort(), null);
    for (int file = 0; file < 2; file++) {
      try (HistoricalRows rows = repo.offline().read(dir.resolve("data/events/part-" + file + ".parquet"), FileFormat.PARQUET)) {
        int row = 0;
        while (rows.hasNext()) {
          Object[] r = Arrays.copyOf(rows.next(), 8);
          r[6] = file;
          r[7] = row++;
          events.add(r);
        }
      }
    }
    Comparator<Object[]> created = Comparator.comparing(r -> (Instant) r[2], Comparator.nullsFirst(Comparator.naturalOrder()));
    events.sort(Comparator.<Object[], Instant>comparing(r -> (Instant) r[1]).thenComparing(created)
        .thenComparing(r -> (Integer) r[6]).thenComparing(r -> (Integer) r[7]));
  }

  @AfterAll
  static void stop() throws Exception {
    flight.close();
    server.close();
    repo.close();
  }

  static Map<String, Object> pull(String api, String source, Instant start, Instant end) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command_id", "test");
    c.put("api", api);
    c.put("data_source_name", source);
    c.put("join_key_columns", List.of("user_id"));
    c.put("feature_name_columns", List.of("amount", "country", "n"));
    c.put("timestamp_field", "event_ts");
    c.put("created_timestamp_column", "created_ts");
    c.put("start_date", start.toString().replace("Z", "+00:00")); // as Python's isoformat() spells it
    c.put("end_date", end.toString().replace("Z", "+00:00"));
    return c;
  }

  /** The reference: rows in range with a key, as user_id, amount, country, n, event_ts, created_ts. */
  static List<Object[]> inRange(Instant start, Instant end) {
    List<Object[]> out = new ArrayList<>();
    for (Object[] r : events) {
      Instant t = (Instant) r[1];
      if (r[0] != null && !t.isBefore(start) && t.isBefore(end)) {
        out.add(new Object[] {r[0], r[3], r[4], r[5], r[1], r[2]});
      }
    }
    return out;
  }

  static List<Object[]> normalized(FlightClientAccess.Answer got) {
    assertThat(got.schema().getFields().stream().map(f -> f.getName()).toList())
        .containsExactly("user_id", "amount", "country", "n", "event_ts", "created_ts");
    List<Object[]> rows = new ArrayList<>();
    for (Object[] r : got.rows()) {
      Object[] n = r.clone();
      n[2] = n[2] instanceof Text t ? t.toString() : n[2];
      for (int i = 4; i < 6; i++) {
        n[i] = n[i] == null ? null : dev.quiver.core.model.Timestamps.ofMicros((Long) n[i]);
      }
      rows.add(n);
    }
    return rows;
  }

  /** A range whose ends are event times of the source (so the end-exclusive edge is exercised). */
  static Instant[] range(long seed) {
    Random r = new Random(seed);
    Instant a = (Instant) events.get(r.nextInt(events.size()))[1];
    Instant b = (Instant) events.get(r.nextInt(events.size()))[1];
    return a.isBefore(b) ? new Instant[] {a, b} : new Instant[] {b, a.equals(b) ? a.plusSeconds(3600) : a};
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void pullLatestIsTheLatestRowPerKeyInTheRange(long seed) throws Exception {
    Instant[] range = range(seed);
    Map<Long, Object[]> latest = new java.util.TreeMap<>();
    inRange(range[0], range[1]).forEach(r -> latest.put((Long) r[0], r)); // later in tie order replaces
    String source = seed % 2 == 0 ? "events" : "events_files"; // as the registry shows it, or its files
    List<Object[]> got = normalized(flight.exchange(pull(OfflineProducer.PULL_LATEST, source, range[0], range[1]), null, 1));
    got.sort(Comparator.comparing(r -> (Long) r[0]));
    assertThat(got.stream().map(Arrays::asList).toList()).as("range %s", Arrays.toString(range))
        .containsExactlyElementsOf(latest.values().stream().map(Arrays::asList).toList());
    assertThat(got).hasSizeGreaterThan(5);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 6})
  void pullAllIsEveryRowInTheRangeByKeyInTieOrder(long seed) throws Exception {
    Instant[] range = range(seed);
    List<Object[]> expected = new ArrayList<>(inRange(range[0], range[1]));
    expected.sort(Comparator.comparing(r -> (Long) r[0])); // stable: tie order within a key
    List<Object[]> got = normalized(flight.exchange(pull(OfflineProducer.PULL_ALL, "events", range[0], range[1]), null, 1));
    assertThat(got.stream().map(Arrays::asList).toList()).as("range %s", Arrays.toString(range))
        .containsExactlyElementsOf(expected.stream().map(Arrays::asList).toList());
    assertThat(got).hasSizeGreaterThan(20);
  }

  @Test
  void aDatasetPersistedUnderAStoragePathReadsBackAsItsFile() throws Exception {
    Map<String, Object> c = OfflineFlightTest.historical(List.of("stats:amount", "windows:events_1d"), true);
    c.put("api", "persist");
    c.put("retrieve_func", "get_historical_features");
    c.put("data_source_name", "exports/pulled_back.parquet"); // Feast's FileSource name: its path
    flight.put(c, FlightRepo.queryRows(12, 300));
    var saved = repo.registry().dataset("pulled_back").orElseThrow();
    Path file = repo.config().root().resolve(saved.output());
    List<Object[]> expected = new ArrayList<>();
    try (HistoricalRows rows = repo.offline().read(file, FileFormat.PARQUET)) {
      rows.forEachRemaining(expected::add);
    }
    Map<String, Object> back = pull(OfflineProducer.PULL_ALL, file.toString(), Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"));
    FlightClientAccess.Answer got = flight.exchange(back, null, 1);
    assertThat(got.rows()).hasSize(300);
    for (int i = 0; i < expected.size(); i++) {
      for (int k = 0; k < expected.get(i).length; k++) {
        Object v = got.rows().get(i)[k];
        Object want = expected.get(i)[k];
        Object normal = v instanceof Text t ? t.toString() : want instanceof Instant && v != null
            ? dev.quiver.core.model.Timestamps.ofMicros((Long) v) : v;
        assertThat(normal).as("row %d column %d", i, k).isEqualTo(want);
      }
    }
  }

  @Test
  void aPullOfWhatIsNotASourceOrColumnIsRefused() {
    Instant[] range = range(9);
    assertThatThrownBy(() -> flight.exchange(pull(OfflineProducer.PULL_LATEST, "nowhere", range[0], range[1]), null, 1))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("nowhere").hasMessageContaining("get_historical_features");
    Map<String, Object> badColumn = pull(OfflineProducer.PULL_LATEST, "events", range[0], range[1]);
    badColumn.put("feature_name_columns", List.of("amount", "no_such_column"));
    assertThatThrownBy(() -> flight.exchange(badColumn, null, 1)).isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining("no_such_column").hasMessageNotContaining("at dev.quiver");
    Map<String, Object> badTime = pull(OfflineProducer.PULL_LATEST, "events", range[0], range[1]);
    badTime.put("timestamp_field", "created_ts");
    assertThatThrownBy(() -> flight.exchange(badTime, null, 1)).isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining("event_ts");
  }
}
