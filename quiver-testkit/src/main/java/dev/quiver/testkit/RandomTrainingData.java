package dev.quiver.testkit;

import static dev.quiver.testkit.TrainingSetRows.at;
import static dev.quiver.testkit.TrainingSetRows.MICRO;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random training data for the offline contract's randomized cases: key domains of every
 * key type, source rows dense in the edges the semantics care about (equal event times, equal event
 * and created times, nulls), query rows at, around and a TTL away from source times, and views over
 * a feature column of every type.
 */
final class RandomTrainingData {
  /** A feature column of every type, as random sources carry them. */
  static final List<Column> FEATURE_COLUMNS = List.of(
      new Column("f_int32", ScalarType.INT32),
      new Column("f_int64", ScalarType.INT64),
      new Column("f_float32", ScalarType.FLOAT32),
      new Column("f_float64", ScalarType.FLOAT64),
      new Column("f_bool", ScalarType.BOOL),
      new Column("f_string", ScalarType.STRING),
      new Column("f_bytes", ScalarType.BYTES),
      new Column("f_ts", ScalarType.TIMESTAMP),
      new Column("f_floats", TrainingSetRows.FLOAT32_LIST),
      new Column("f_longs", TrainingSetRows.INT64_LIST),
      new Column("f_strings", TrainingSetRows.STRING_LIST),
      new Column("f_times", TrainingSetRows.TIMESTAMP_LIST));

  /** The feature columns a CSV file can carry unambiguously. */
  static final List<Column> CSV_FEATURE_COLUMNS = List.of(
      new Column("f_int64", ScalarType.INT64),
      new Column("f_float64", ScalarType.FLOAT64),
      new Column("f_bool", ScalarType.BOOL),
      new Column("f_string", ScalarType.STRING),
      new Column("f_ts", ScalarType.TIMESTAMP));

  /** Key types every engine must join on. */
  static final List<ScalarType> KEY_TYPES =
      List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.STRING, ScalarType.BOOL, ScalarType.BYTES);

  private RandomTrainingData() {}

  /**
   * A join key as the generator makes it.
   *
   * @param queryType the query column's type; null for the key's own
   * @param domain how many distinct values the source holds; queries also ask for two more
   * @param csv no values a CSV file cannot tell from null (the empty string)
   */
  record KeySpec(String name, ScalarType keyType, ScalarType queryType, int domain, boolean csv) {
    KeySpec(String name, ScalarType keyType, ScalarType queryType, int domain) {
      this(name, keyType, queryType, domain, false);
    }

    ScalarType queryColumnType() {
      return queryType == null ? keyType : queryType;
    }

    /** Whether int64 values must fit an int32 query column. */
    boolean narrow() {
      return queryColumnType() == ScalarType.INT32;
    }
  }

  /** The i-th value of a key domain: distinct for distinct i (bool has two). */
  static Object keyValue(ScalarType type, int i, boolean narrow) {
    return switch (type) {
      case INT32 -> i - 2;
      case INT64 -> narrow ? (long) i - 2 : (i - 2) * 4_294_967_311L; // beyond int32 when it may be
      case STRING -> i == 0 ? "" : i == 1 ? "ключ" : "k" + i; // the empty string is a key, not a null
      case BOOL -> i % 2 == 0;
      case BYTES -> i == 0 ? new byte[0] : new byte[] {(byte) i, 0, (byte) -i};
      default -> throw new IllegalArgumentException("not a key type in these tests: " + type);
    };
  }

  static List<Column> sourceColumns(List<KeySpec> keys, boolean created, List<Column> features) {
    List<Column> columns = new ArrayList<>();
    keys.forEach(k -> columns.add(new Column(k.name(), k.keyType())));
    columns.add(new Column("event_ts", ScalarType.TIMESTAMP));
    if (created) {
      columns.add(new Column("created_ts", ScalarType.TIMESTAMP));
    }
    columns.addAll(features);
    return columns;
  }

  static ViewBuilder featureView(String name, String source, Duration ttl, List<Column> features, String prefix,
      String... entities) {
    ViewBuilder v = ViewBuilder.named(name).entities(entities).source(source).ttl(ttl);
    features.forEach(c -> v.column(prefix + c.name(), c.name()));
    return v;
  }

  /** Seeded random data, dense in the edges the semantics care about. */
  static final class Gen {
    private final SplittableRandom random;

    Gen(long seed) {
      this.random = new SplittableRandom(seed);
    }

    boolean chance(double p) {
      return random.nextDouble() < p;
    }

    int between(int lo, int hi) {
      return random.nextInt(lo, hi + 1);
    }

    <T> T pick(List<T> items) {
      return items.get(random.nextInt(items.size()));
    }

    /** A TTL of a few seconds, sometimes with a microsecond part. */
    Duration ttl() {
      Duration d = Duration.ofSeconds(between(1, 12));
      return chance(0.3) ? d.plus(MICRO.multipliedBy(between(1, 999_999))) : d;
    }

    /** Event times crowd into 40 seconds so they tie often; some are a microsecond apart. */
    Instant eventTime() {
      Instant t = at(between(0, 40));
      return chance(0.2) ? t.plus(MICRO.multipliedBy(between(-1, 1))) : t;
    }

    Instant createdTime() {
      return chance(0.2) ? null : at(between(0, 4));
    }

    Object key(KeySpec k, int i) {
      return k.csv() && k.keyType() == ScalarType.STRING ? "k" + i : keyValue(k.keyType(), i, k.narrow());
    }

    /**
     * Source rows: fresh ones, copies of an earlier row's keys and event time with another created
     * time (created decides), and copies of keys, event and created time (position decides).
     */
    List<Object[]> sourceRows(List<Column> columns, List<KeySpec> keys, boolean created, int count, boolean csv) {
      int event = keys.size();
      List<Object[]> rows = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        Object[] row = new Object[columns.size()];
        if (!rows.isEmpty() && chance(0.35)) {
          Object[] earlier = pick(rows);
          System.arraycopy(earlier, 0, row, 0, event + 1);
          if (created && chance(0.5)) {
            row[event + 1] = createdTime();
          } else if (created) {
            row[event + 1] = earlier[event + 1];
          }
        } else {
          for (int k = 0; k < keys.size(); k++) {
            row[k] = chance(0.05) ? null : key(keys.get(k), random.nextInt(keys.get(k).domain()));
          }
          row[event] = chance(0.05) ? null : eventTime();
          if (created) {
            row[event + 1] = createdTime();
          }
        }
        for (int c = event + (created ? 2 : 1); c < columns.size(); c++) {
          row[c] = chance(0.15) ? null : value(columns.get(c).type(), csv);
        }
        rows.add(row);
      }
      return rows;
    }

    /** A CSV row with a value in every column: keys, then event and created times long ago, then features. */
    Object[] fullRow(List<Column> columns, List<KeySpec> keys) {
      Object[] row = new Object[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        if (c < keys.size()) {
          row[c] = key(keys.get(c), 0);
        } else if (c <= keys.size() + 1) {
          row[c] = at(-100);
        } else {
          row[c] = value(columns.get(c).type(), true);
        }
      }
      return row;
    }

    List<Column> queryColumns(List<KeySpec> keys, String timestampColumn) {
      List<Column> columns = new ArrayList<>();
      keys.forEach(k -> columns.add(new Column(k.name(), k.queryColumnType())));
      columns.add(new Column(timestampColumn == null ? "event_timestamp" : timestampColumn, ScalarType.TIMESTAMP));
      columns.add(new Column("label", ScalarType.FLOAT64));
      columns.add(new Column("note", ScalarType.STRING));
      if (timestampColumn != null) {
        columns.add(new Column("label_ts", ScalarType.TIMESTAMP));
      }
      return columns;
    }

    /**
     * Query rows: keys copied from source rows or drawn from a wider domain (so some are missing),
     * times at, just around, and a TTL away from source event times; nulls; exact duplicates.
     */
    List<Object[]> queryRows(List<KeySpec> keys, List<Object[]> source, List<Column> sourceColumns, Duration ttl,
        int count, boolean extraTimestamp) {
      int event = keys.size();
      List<Object[]> rows = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        if (!rows.isEmpty() && chance(0.1)) {
          rows.add(pick(rows).clone());
          continue;
        }
        Object[] row = new Object[keys.size() + 3 + (extraTimestamp ? 1 : 0)];
        Object[] anchor = pick(source);
        for (int k = 0; k < keys.size(); k++) {
          KeySpec key = keys.get(k);
          Object value = chance(0.6) ? anchor[k] : chance(0.06) ? null : key(key, random.nextInt(key.domain() + 2));
          row[k] = switch (value) {
            case Long l when key.queryColumnType() == ScalarType.INT32 -> l.intValue();
            case Integer i when key.queryColumnType() == ScalarType.INT64 -> (long) i;
            case null, default -> value;
          };
        }
        row[event] = chance(0.08) ? null : queryTime((Instant) anchor[event], ttl);
        row[event + 1] = chance(0.1) ? null : random.nextDouble();
        row[event + 2] = chance(0.1) ? null : "row " + n;
        if (extraTimestamp) {
          row[event + 3] = chance(0.1) ? null : eventTime();
        }
        rows.add(row);
      }
      return rows;
    }

    private Instant queryTime(Instant anchor, Duration ttl) {
      Instant base = anchor == null || chance(0.15) ? at(between(-5, 50)) : anchor;
      Instant t = switch (random.nextInt(4)) {
        case 0 -> base;
        case 1 -> base.plus(MICRO);
        case 2 -> base.minus(MICRO);
        default -> base.plusSeconds(between(0, 5));
      };
      if (ttl != null && chance(0.5)) {
        // the anchor row sits exactly at t - ttl, or a microsecond either side of it
        t = base.plus(ttl).plus(MICRO.multipliedBy(between(-1, 1)));
      }
      return t;
    }

    /** A random value of the type; CSV-safe values only when {@code csv}. */
    Object value(ValueType type, boolean csv) {
      return switch (type) {
        case ScalarType s -> scalar(s, csv);
        case ListType l -> {
          List<Object> list = new ArrayList<>();
          int size = between(0, 3);
          for (int i = 0; i < size; i++) {
            list.add(chance(0.1) ? null : scalar(l.element(), csv));
          }
          yield list;
        }
      };
    }

    private Object scalar(ScalarType type, boolean csv) {
      return switch (type) {
        case INT32 -> chance(0.1) ? pick(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0)) : random.nextInt();
        case INT64 -> chance(0.1) && !csv ? pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L)) : random.nextLong(-1L << 53, 1L << 53);
        case FLOAT32 -> chance(0.1) && !csv ? pick(List.of(Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE))
            : (float) (random.nextDouble() * 200 - 100);
        case FLOAT64 -> chance(0.1) && !csv ? pick(List.of(Double.NaN, -0.0, Double.NEGATIVE_INFINITY, Double.MIN_VALUE))
            : random.nextDouble() * 200 - 100;
        case BOOL -> random.nextBoolean();
        case STRING -> csv ? "s" + random.nextInt(1000)
            : chance(0.3) ? pick(List.of("", "ünïcødé ✓", "it's \"quoted\", with commas", "line\nbreak")) : "s" + random.nextInt(1000);
        case BYTES -> {
          byte[] b = new byte[between(0, 4)];
          random.nextBytes(b);
          yield b;
        }
        case TIMESTAMP -> Instant.EPOCH.plus(MICRO.multipliedBy(
            random.nextLong(-2_208_988_800_000_000L, 4_102_444_800_000_000L))); // 1900 to 2100
      };
    }

    /** Refs to a random non-empty subset of a view's features in random order, or {@code view:*}. */
    String[] refs(String view, List<Column> features, String prefix) {
      if (chance(0.2)) {
        return new String[] {view + ":*"};
      }
      List<String> names = new ArrayList<>();
      features.forEach(c -> names.add(prefix + c.name()));
      Collections.shuffle(names, new java.util.Random(random.nextLong()));
      return names.subList(0, between(1, names.size())).stream().map(n -> view + ":" + n).toArray(String[]::new);
    }
  }
}
