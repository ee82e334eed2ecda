package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.ViewBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Statuses, TTL and request checks of online reads, over a map-backed store. */
class OnlineReaderTest {
  private static final Instant NOW = Instant.parse("2026-04-01T00:00:00Z");

  private final Definitions defs = Definitions.builder("p")
      .entity("user", "user_id", ScalarType.INT64)
      .source(new FileSource("s", "s.parquet", FileFormat.PARQUET, "ts", null, Map.of(), Metadata.EMPTY))
      .view(ViewBuilder.named("v").entities("user").source("s").ttl("1d")
          .feature(new dev.quiver.core.model.ColumnFeature("country", "country", ScalarType.STRING, ""))
          .feature(new dev.quiver.core.model.ColumnFeature("amount", "amount", ScalarType.FLOAT64, "")))
      .build();
  private final MapStore store = new MapStore();

  @Test
  void statusesFollowTheRowsAndTheTtl() {
    FeatureView view = defs.view("v", 1).orElseThrow();
    String table = OnlineTables.of("p", view);
    put(table, 1L, NOW.minus(Duration.ofHours(1)), "DE", 10.0);
    put(table, 2L, NOW.minus(Duration.ofHours(1)), null, 20.0);
    put(table, 3L, NOW.minus(Duration.ofDays(1)).minusNanos(1000), "FR", 30.0);
    put(table, 4L, NOW.minus(Duration.ofDays(1)), "IT", 40.0);

    Map<String, List<Object>> entities = new LinkedHashMap<>();
    entities.put("user_id", Arrays.asList(1, 2L, "3", 4, 5, null));
    OnlineResponse r = reader().read(List.of(FeatureRef.of("v:country")), entities, false);
    FeatureColumn c = r.features().getFirst();
    assertThat(c.name()).isEqualTo("country");
    assertThat(c.statuses()).containsExactly(FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE,
        FeatureStatus.OUTSIDE_MAX_AGE, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, FeatureStatus.NOT_FOUND);
    assertThat(c.values()).containsExactly("DE", null, null, "IT", null, null);
    assertThat(c.eventTimes().get(0)).isEqualTo(NOW.minus(Duration.ofHours(1)));
    assertThat(c.eventTimes().get(4)).isNull();
  }

  @Test
  void fullFeatureNamesAndWildcards() {
    OnlineResponse r = reader().read(List.of(FeatureRef.of("v:*")), Map.of("user_id", List.of(1)), true);
    assertThat(r.features()).extracting(FeatureColumn::name).containsExactly("v__country", "v__amount");
  }

  @Test
  void badRequestsAreClearErrors() {
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("v:country")), Map.of("uid", List.of(1)), false))
        .isInstanceOf(QuiverException.class).hasMessageContaining("needs entity column 'user_id'");
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("v:country")), Map.of("user_id", List.of("abc")), false))
        .hasMessageContaining("holds int64 keys, but got 'abc'");
    Map<String, List<Object>> uneven = new LinkedHashMap<>();
    uneven.put("user_id", List.of(1, 2));
    uneven.put("other", List.of(1));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("v:country")), uneven, false))
        .hasMessageContaining("different lengths");
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("v:countri")), Map.of("user_id", List.of(1)), false))
        .hasMessageContaining("did you mean 'country'");
  }

  @Test
  void keysParseStrictlyAndTheResponseEchoesTheKeysLookedUp() {
    FeatureView view = defs.view("v", 1).orElseThrow();
    put(OnlineTables.of("p", view), 1L, NOW.minus(Duration.ofHours(1)), "DE", 10.0);
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    entities.put("user_id", Arrays.asList("1", 1, (short) 1, null));
    OnlineResponse r = reader().read(List.of(FeatureRef.of("v:country")), entities, false);
    assertThat(r.features().getFirst().values()).containsExactly("DE", "DE", "DE", null);
    assertThat(r.entities().keySet()).containsExactly("user_id");
    assertThat(r.entities().get("user_id")).containsExactly(1L, 1L, 1L, null);
    for (Object bad : List.of("01", " 1", 1.5, 1e0, "1e0", true)) {
      assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("v:country")), Map.of("user_id", List.of(bad)), false))
          .as(String.valueOf(bad)).isInstanceOf(dev.quiver.core.InvalidRequestException.class)
          .hasMessageContaining("entity column 'user_id' holds int64 keys, but got " + StrictValues.describe(bad));
    }
  }

  private OnlineReader reader() {
    return new OnlineReader(defs, store, Runnable::run, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private void put(String table, long user, Instant t, String country, Double amount) {
    List<ValueType> types = List.of(ScalarType.STRING, ScalarType.FLOAT64);
    byte[] row = RowEncoding.encode(t, null, List.of("country", "amount"), types, Arrays.asList(country, amount));
    store.multiPutIfNewer(table, List.of(new OnlineStore.Entry(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(user)), row)));
  }

  /** The plainest possible store, for testing the reader alone. */
  static class MapStore implements OnlineStore {
    private final Map<String, Map<String, byte[]>> tables = new HashMap<>();

    @Override
    public void createTable(String table) {
      tables.computeIfAbsent(table, t -> new HashMap<>());
    }

    @Override
    public void dropTable(String table) {
      tables.remove(table);
    }

    @Override
    public List<byte[]> multiGet(String table, List<byte[]> keys) {
      List<byte[]> out = new ArrayList<>();
      for (byte[] k : keys) {
        out.add(tables.getOrDefault(table, Map.of()).get(Arrays.toString(k)));
      }
      return out;
    }

    @Override
    public void multiPut(String table, List<Entry> entries) {
      for (Entry e : entries) {
        tables.computeIfAbsent(table, x -> new HashMap<>()).put(Arrays.toString(e.key()), e.value());
      }
    }

    @Override
    public int multiPutIfNewer(String table, List<Entry> entries) {
      int n = 0;
      for (Entry e : entries) {
        Map<String, byte[]> t = tables.computeIfAbsent(table, x -> new HashMap<>());
        if (RowEncoding.isNewer(e.value(), t.get(Arrays.toString(e.key())))) {
          t.put(Arrays.toString(e.key()), e.value());
          n++;
        }
      }
      return n;
    }

    @Override
    public int multiPutIfNotOlder(String table, List<Entry> entries) {
      int n = 0;
      for (Entry e : entries) {
        Map<String, byte[]> t = tables.computeIfAbsent(table, x -> new HashMap<>());
        if (RowEncoding.isNotOlder(e.value(), t.get(Arrays.toString(e.key())))) {
          t.put(Arrays.toString(e.key()), e.value());
          n++;
        }
      }
      return n;
    }

    @Override
    public void delete(String table, List<byte[]> keys) {
      keys.forEach(k -> tables.getOrDefault(table, new HashMap<>()).remove(Arrays.toString(k)));
    }

    @Override
    public void check() {}

    @Override
    public void close() {}
  }
}
