package dev.quiver.testkit;

import static dev.quiver.testkit.RandomTrainingData.CSV_FEATURE_COLUMNS;
import static dev.quiver.testkit.RandomTrainingData.FEATURE_COLUMNS;
import static dev.quiver.testkit.RandomTrainingData.KEY_TYPES;
import static dev.quiver.testkit.RandomTrainingData.featureView;
import static dev.quiver.testkit.RandomTrainingData.sourceColumns;
import static dev.quiver.testkit.TrainingSetRows.BASE;

import dev.quiver.core.model.Entity;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.RandomTrainingData.Gen;
import dev.quiver.testkit.RandomTrainingData.KeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The point-in-time join on seeded random data, compared cell by cell with {@link
 * NaivePointInTime}: data dense in the edges (equal event times, equal event and created times, TTL
 * boundaries to the microsecond, nulls everywhere, keys missing from the source) over one view,
 * composite keys, several views and entities, views sharing a source, sources spread over several
 * files, CSV sources and queries (one with a column named {@code rowid}), and renamed columns. A
 * failure names the seed and the first differing row with the source rows that compete for it;
 * {@code -Dquiver.contract.seed=N} runs just that seed, {@code -Dquiver.contract.seeds=N} runs seeds
 * 1 to N ({@link OfflineContractPart#seeds()}).
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer; its writer must write every type of {@link RandomTrainingData#FEATURE_COLUMNS}, and its
 * engine must read CSV sources and query files.
 */
public interface RandomizedJoinContract extends OfflineContractPart {
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomOneView(long seed) {
    Gen g = new Gen(seed);
    ScalarType keyType = g.pick(KEY_TYPES);
    // integer keys sometimes meet the other integer width in the query: joined by value
    ScalarType queryType = keyType == ScalarType.INT64 && g.chance(0.5) ? ScalarType.INT32
        : keyType == ScalarType.INT32 && g.chance(0.5) ? ScalarType.INT64 : keyType;
    KeySpec key = new KeySpec("user_id", keyType, queryType, 6);
    boolean created = g.chance(0.7);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    TrainingSetFixture f = fixture("one view, " + keyType + " key" + (queryType != keyType ? " (" + queryType + " query column)" : "")
        + (created ? ", created column" : "") + (ttl != null ? ", ttl " + ttl : ""), seed);
    f.defs.entity("user", "user_id", keyType).view(featureView("user_stats", "events", ttl, FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), created, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), created, 120, false);
    f.parquetFiles("events", "data/events.parquet", columns, Map.of("", rows), "event_ts", created ? "created_ts" : null, Map.of());
    String ts = g.chance(0.3) ? "asked_at" : null;
    f.query(g.queryColumns(List.of(key), ts), g.queryRows(List.of(key), rows, columns, ttl, 100, ts != null));
    f.run(g.chance(0.5), ts, g.refs("user_stats", FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomCompositeKeys(long seed) {
    Gen g = new Gen(seed);
    KeySpec first = new KeySpec("user_id", g.pick(KEY_TYPES), null, 3);
    KeySpec second = new KeySpec("device", g.pick(KEY_TYPES), null, 3);
    List<KeySpec> keys = List.of(first, second);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    TrainingSetFixture f = fixture("composite key (" + first.keyType() + ", " + second.keyType() + ")", seed);
    f.defs.entity(new Entity("user_device", List.of(new JoinKey("user_id", first.keyType()),
        new JoinKey("device", second.keyType())), Metadata.EMPTY));
    f.defs.view(featureView("usage", "sessions", ttl, FEATURE_COLUMNS, "", "user_device"));
    List<Column> columns = sourceColumns(keys, true, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, keys, true, 120, false);
    f.parquetFiles("sessions", "data/sessions.parquet", columns, Map.of("", rows), "event_ts", "created_ts", Map.of());
    f.query(g.queryColumns(keys, null), g.queryRows(keys, rows, columns, ttl, 100, false));
    f.run(g.chance(0.5), null, g.refs("usage", FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomSeveralViewsAndEntities(long seed) {
    Gen g = new Gen(seed);
    KeySpec user = new KeySpec("user_id", ScalarType.INT64, g.chance(0.5) ? ScalarType.INT32 : ScalarType.INT64, 5);
    KeySpec merchant = new KeySpec("merchant_id", ScalarType.STRING, ScalarType.STRING, 4);
    TrainingSetFixture f = fixture("several views and entities, two views over one source", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING);
    // three views over txns (by user, by merchant, by both) and one over profiles
    f.defs.view(featureView("user_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "ut_", "user"));
    f.defs.view(featureView("merchant_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "mt_", "merchant"));
    f.defs.view(featureView("pair_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "pt_", "user", "merchant"));
    f.defs.view(featureView("user_profile", "profiles", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "up_", "user"));
    List<Column> txnColumns = sourceColumns(List.of(user, merchant), true, FEATURE_COLUMNS);
    List<Object[]> txns = g.sourceRows(txnColumns, List.of(user, merchant), true, 150, false);
    f.parquetFiles("txns", "data/txns.parquet", txnColumns, Map.of("", txns), "event_ts", "created_ts", Map.of());
    List<Column> profileColumns = sourceColumns(List.of(user), false, FEATURE_COLUMNS);
    List<Object[]> profiles = g.sourceRows(profileColumns, List.of(user), false, 40, false);
    f.parquetFiles("profiles", "data/profiles.parquet", profileColumns, Map.of("", profiles), "event_ts", null, Map.of());
    f.query(g.queryColumns(List.of(user, merchant), null), g.queryRows(List.of(user, merchant), txns, txnColumns, null, 100, false));
    List<String> refs = new ArrayList<>();
    for (String[] view : new String[][] {{"user_txn", "ut_"}, {"merchant_txn", "mt_"}, {"pair_txn", "pt_"}, {"user_profile", "up_"}}) {
      if (refs.isEmpty() || g.chance(0.75)) {
        refs.addAll(Arrays.asList(g.refs(view[0], FEATURE_COLUMNS, view[1])));
      }
    }
    Collections.shuffle(refs, new java.util.Random(seed));
    f.run(g.chance(0.5), null, refs.toArray(String[]::new));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomSourceSpreadOverFiles(long seed) {
    Gen g = new Gen(seed);
    KeySpec key = new KeySpec("user_id", g.pick(KEY_TYPES), null, 5);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    boolean created = g.chance(0.5);
    int fileCount = g.between(2, 4);
    TrainingSetFixture f = fixture(fileCount + " Parquet files, " + key.keyType() + " key" + (created ? ", created column" : ""), seed);
    f.defs.entity("user", "user_id", key.keyType()).view(featureView("user_stats", "events", ttl, FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), created, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), created, 150, false);
    // each row goes to a random file: rows tie across files, and names sort unlike their numbers
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put("part-" + (8 + i) + ".parquet", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : rows) {
      files.get(g.pick(names)).add(row);
    }
    f.parquetFiles("events", "data/events/*.parquet", columns, files, "event_ts", created ? "created_ts" : null, Map.of());
    f.query(g.queryColumns(List.of(key), null), g.queryRows(List.of(key), rows, columns, ttl, 100, false));
    f.run(g.chance(0.5), null, g.refs("user_stats", FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomCsvSourceAndQuery(long seed) {
    Gen g = new Gen(seed);
    ScalarType keyType = g.chance(0.5) ? ScalarType.INT64 : ScalarType.STRING;
    KeySpec key = new KeySpec("user_id", keyType, null, 5, true);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    int fileCount = g.between(1, 2);
    TrainingSetFixture f = fixture(fileCount + " CSV file(s), CSV query, " + keyType + " key", seed);
    f.defs.entity("user", "user_id", keyType).view(featureView("user_stats", "events", ttl, CSV_FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), true, CSV_FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), true, 120, true);
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put("part-" + i + ".csv", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : rows) {
      files.get(g.pick(names)).add(row);
    }
    // DuckDB-style type sniffing needs a value of the right type in each column of each file
    for (List<Object[]> file : files.values()) {
      file.addFirst(g.fullRow(columns, List.of(key)));
    }
    f.csvFiles("events", fileCount == 1 ? "data/events/part-0.csv" : "data/events/*.csv", columns, files);
    List<Column> queryColumns = List.of(new Column("user_id", keyType), new Column("event_timestamp", ScalarType.TIMESTAMP),
        new Column("label", ScalarType.INT64));
    List<Object[]> query = new ArrayList<>();
    query.add(new Object[] {g.key(key, 0), BASE, 0L});
    for (Object[] q : g.queryRows(List.of(key), rows, columns, ttl, 100, false)) {
      query.add(new Object[] {q[0], q[1], g.chance(0.1) ? null : (long) g.between(-5, 5)});
    }
    f.csvQuery(queryColumns, query);
    f.run(g.chance(0.5), null, g.refs("user_stats", CSV_FEATURE_COLUMNS, ""));
  }

  /**
   * A CSV source with a column named {@code rowid} (random numbers): an engine that addresses staged
   * rows by a row id must not take the user's column for it.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  default void csvSourceWithAColumnNamedRowid(long seed) {
    Gen g = new Gen(seed);
    KeySpec key = new KeySpec("user_id", ScalarType.INT64, null, 5, true);
    TrainingSetFixture f = fixture("CSV source with a rowid column", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(featureView("user_stats", "events", null, CSV_FEATURE_COLUMNS, "", "user"));
    List<Column> columns = new ArrayList<>(sourceColumns(List.of(key), true, CSV_FEATURE_COLUMNS));
    columns.add(new Column("rowid", ScalarType.INT64));
    List<Object[]> rows = g.sourceRows(columns, List.of(key), true, 120, true);
    rows.addFirst(g.fullRow(columns, List.of(key)));
    f.csvFiles("events", "data/events/part-0.csv", columns, Map.of("part-0.csv", rows));
    f.query(g.queryColumns(List.of(key), null), g.queryRows(List.of(key), rows, columns, null, 100, false));
    f.run(false, null, g.refs("user_stats", CSV_FEATURE_COLUMNS, ""));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomRenamedColumns(long seed) {
    Gen g = new Gen(seed);
    KeySpec key = new KeySpec("user_id", g.pick(KEY_TYPES), null, 5);
    Duration ttl = g.chance(0.5) ? g.ttl() : null;
    TrainingSetFixture f = fixture("field mapping, " + key.keyType() + " key", seed);
    f.defs.entity("user", "user_id", key.keyType()).view(featureView("user_stats", "events", ttl, FEATURE_COLUMNS, "", "user"));
    List<Column> columns = sourceColumns(List.of(key), true, FEATURE_COLUMNS);
    List<Object[]> rows = g.sourceRows(columns, List.of(key), true, 120, false);
    // rename every raw column but one feature column; definitions use the mapped names
    Map<String, String> mapping = new LinkedHashMap<>();
    List<Column> raw = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      if (c.name().equals("f_string")) {
        raw.add(c);
      } else {
        raw.add(new Column("raw_" + i, c.type()));
        mapping.put("raw_" + i, c.name());
      }
    }
    f.parquetFiles("events", "data/events.parquet", raw, Map.of("", rows), "event_ts", "created_ts", mapping);
    f.query(g.queryColumns(List.of(key), null), g.queryRows(List.of(key), rows, columns, ttl, 100, false));
    f.run(g.chance(0.5), null, g.refs("user_stats", FEATURE_COLUMNS, ""));
  }
}
