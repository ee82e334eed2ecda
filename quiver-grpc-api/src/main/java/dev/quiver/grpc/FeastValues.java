package dev.quiver.grpc;

import com.google.protobuf.ByteString;
import dev.quiver.grpc.feast.types.BoolList;
import dev.quiver.grpc.feast.types.BytesList;
import dev.quiver.grpc.feast.types.DoubleList;
import dev.quiver.grpc.feast.types.FloatList;
import dev.quiver.grpc.feast.types.Int32List;
import dev.quiver.grpc.feast.types.Int64List;
import dev.quiver.grpc.feast.types.MapKey;
import dev.quiver.grpc.feast.types.ScalarMap;
import dev.quiver.grpc.feast.types.ScalarMapEntry;
import dev.quiver.grpc.feast.types.StringList;
import dev.quiver.grpc.feast.types.Value;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Feast's {@link Value} to and from plain Java values, the one mapping the server and the client share:
 * {@code int32_val} ↔ {@code Integer}, {@code int64_val} ↔ {@code Long}, {@code float_val} ↔ {@code
 * Float}, {@code double_val} ↔ {@code Double}, {@code bool_val} ↔ {@code Boolean}, {@code string_val}
 * ↔ {@code String}, {@code bytes_val} ↔ {@code byte[]}, {@code unix_timestamp_val} (whole seconds, as
 * Feast counts them) ↔ {@code Instant}, the {@code *_list_val}s ↔ {@code List}s of those, and an unset
 * value or {@code null_val} ↔ null.
 *
 * <p>The types Feast added later are read too (a Feast server may answer with them): {@code json_val},
 * {@code uuid_val} and {@code time_uuid_val} as {@code String}, {@code decimal_val} as {@code
 * BigDecimal}, {@code zoned_timestamp_val} as the {@code Instant} it denotes (the zone is dropped:
 * Quiver's times are UTC), the {@code *_set_val}s and {@code set_val} as unmodifiable {@code Set}s in
 * wire order, {@code list_val} as a {@code List}, {@code map_val}/{@code struct_val} as a {@code
 * Map<String, Object>} and {@code scalar_map_val} as a {@code Map<Object, Object>}. Stateless.
 */
public final class FeastValues {
  private static final Value NULL = Value.getDefaultInstance();

  private FeastValues() {}

  /**
   * The Java value; null for an unset value or {@code null_val}. Lists, sets and maps come back
   * unmodifiable.
   *
   * @throws IllegalArgumentException for a timestamp outside {@link Instant}'s range or a {@code
   *     decimal_val} that is not a decimal number
   */
  public static Object toJava(Value v) {
    return switch (v.getValCase()) {
      case BYTES_VAL -> v.getBytesVal().toByteArray();
      case STRING_VAL -> v.getStringVal();
      case INT32_VAL -> v.getInt32Val();
      case INT64_VAL -> v.getInt64Val();
      case DOUBLE_VAL -> v.getDoubleVal();
      case FLOAT_VAL -> v.getFloatVal();
      case BOOL_VAL -> v.getBoolVal();
      case UNIX_TIMESTAMP_VAL -> seconds(v.getUnixTimestampVal());
      case BYTES_LIST_VAL -> bytes(v.getBytesListVal().getValList());
      case STRING_LIST_VAL -> List.copyOf(v.getStringListVal().getValList());
      case INT32_LIST_VAL -> List.copyOf(v.getInt32ListVal().getValList());
      case INT64_LIST_VAL -> List.copyOf(v.getInt64ListVal().getValList());
      case DOUBLE_LIST_VAL -> List.copyOf(v.getDoubleListVal().getValList());
      case FLOAT_LIST_VAL -> List.copyOf(v.getFloatListVal().getValList());
      case BOOL_LIST_VAL -> List.copyOf(v.getBoolListVal().getValList());
      case UNIX_TIMESTAMP_LIST_VAL -> times(v.getUnixTimestampListVal().getValList());
      case NULL_VAL, VAL_NOT_SET -> null;
      case MAP_VAL -> map(v.getMapVal());
      case STRUCT_VAL -> map(v.getStructVal());
      case MAP_LIST_VAL -> maps(v.getMapListVal().getValList());
      case STRUCT_LIST_VAL -> maps(v.getStructListVal().getValList());
      case BYTES_SET_VAL -> set(bytes(v.getBytesSetVal().getValList()));
      case STRING_SET_VAL -> set(v.getStringSetVal().getValList());
      case INT32_SET_VAL -> set(v.getInt32SetVal().getValList());
      case INT64_SET_VAL -> set(v.getInt64SetVal().getValList());
      case DOUBLE_SET_VAL -> set(v.getDoubleSetVal().getValList());
      case FLOAT_SET_VAL -> set(v.getFloatSetVal().getValList());
      case BOOL_SET_VAL -> set(v.getBoolSetVal().getValList());
      case UNIX_TIMESTAMP_SET_VAL -> set(times(v.getUnixTimestampSetVal().getValList()));
      case JSON_VAL -> v.getJsonVal();
      case JSON_LIST_VAL -> List.copyOf(v.getJsonListVal().getValList());
      case UUID_VAL -> v.getUuidVal();
      case TIME_UUID_VAL -> v.getTimeUuidVal();
      case UUID_LIST_VAL -> List.copyOf(v.getUuidListVal().getValList());
      case TIME_UUID_LIST_VAL -> List.copyOf(v.getTimeUuidListVal().getValList());
      case UUID_SET_VAL -> set(v.getUuidSetVal().getValList());
      case TIME_UUID_SET_VAL -> set(v.getTimeUuidSetVal().getValList());
      case LIST_VAL -> values(v.getListVal().getValList());
      case SET_VAL -> set(values(v.getSetVal().getValList()));
      case DECIMAL_VAL -> decimal(v.getDecimalVal());
      case DECIMAL_LIST_VAL -> decimals(v.getDecimalListVal().getValList());
      case DECIMAL_SET_VAL -> set(decimals(v.getDecimalSetVal().getValList()));
      case SCALAR_MAP_VAL -> scalarMap(v.getScalarMapVal());
      case ZONED_TIMESTAMP_VAL -> seconds(v.getZonedTimestampVal().getUnixTimestamp());
    };
  }

  /**
   * True for the members that carry one of Quiver's types (int32, int64, float32, float64, bool,
   * string, bytes, timestamp, lists of them, null), counting the ones that map onto them: {@code
   * json_val}, {@code uuid_val}, {@code time_uuid_val} and their lists as strings, {@code decimal_val}
   * and its list as numbers, {@code zoned_timestamp_val} as a timestamp. False for sets, maps,
   * structs and {@code list_val}/{@code set_val}, which Quiver has no type for.
   */
  public static boolean hasQuiverType(Value v) {
    return switch (v.getValCase()) {
      case MAP_VAL, STRUCT_VAL, MAP_LIST_VAL, STRUCT_LIST_VAL, SCALAR_MAP_VAL, LIST_VAL, SET_VAL, BYTES_SET_VAL,
          STRING_SET_VAL, INT32_SET_VAL, INT64_SET_VAL, DOUBLE_SET_VAL, FLOAT_SET_VAL, BOOL_SET_VAL,
          UNIX_TIMESTAMP_SET_VAL, UUID_SET_VAL, TIME_UUID_SET_VAL, DECIMAL_SET_VAL -> false;
      default -> true;
    };
  }

  private static Instant seconds(long s) {
    if (s < Instant.MIN.getEpochSecond() || s > Instant.MAX.getEpochSecond()) {
      throw new IllegalArgumentException("unix_timestamp_val " + s + " is outside the representable range of times");
    }
    return Instant.ofEpochSecond(s);
  }

  private static List<Object> times(List<Long> seconds) {
    List<Object> out = new ArrayList<>(seconds.size());
    for (long s : seconds) {
      out.add(seconds(s));
    }
    return Collections.unmodifiableList(out);
  }

  private static List<Object> bytes(List<ByteString> items) {
    List<Object> out = new ArrayList<>(items.size());
    for (ByteString b : items) {
      out.add(b.toByteArray());
    }
    return Collections.unmodifiableList(out);
  }

  private static BigDecimal decimal(String text) {
    try {
      return new BigDecimal(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("decimal_val '" + text + "' is not a decimal number", e);
    }
  }

  private static List<Object> decimals(List<String> texts) {
    List<Object> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(decimal(t));
    }
    return Collections.unmodifiableList(out);
  }

  private static List<Object> values(List<Value> items) {
    List<Object> out = new ArrayList<>(items.size());
    for (Value item : items) {
      out.add(toJava(item));
    }
    return Collections.unmodifiableList(out);
  }

  private static Set<Object> set(List<?> items) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(items));
  }

  private static Map<String, Object> map(dev.quiver.grpc.feast.types.Map m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.getValMap().forEach((k, v) -> out.put(k, toJava(v)));
    return Collections.unmodifiableMap(out);
  }

  private static List<Object> maps(List<dev.quiver.grpc.feast.types.Map> items) {
    List<Object> out = new ArrayList<>(items.size());
    for (dev.quiver.grpc.feast.types.Map m : items) {
      out.add(map(m));
    }
    return Collections.unmodifiableList(out);
  }

  private static Map<Object, Object> scalarMap(ScalarMap m) {
    Map<Object, Object> out = new LinkedHashMap<>();
    for (ScalarMapEntry e : m.getValList()) {
      out.put(key(e.getKey()), toJava(e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }

  private static Object key(MapKey k) {
    return switch (k.getKeyCase()) {
      case INT32_KEY -> k.getInt32Key();
      case INT64_KEY -> k.getInt64Key();
      case FLOAT_KEY -> k.getFloatKey();
      case DOUBLE_KEY -> k.getDoubleKey();
      case BOOL_KEY -> k.getBoolKey();
      case UNIX_TIMESTAMP_KEY -> seconds(k.getUnixTimestampKey());
      case BYTES_KEY -> k.getBytesKey().toByteArray();
      case UUID_KEY -> k.getUuidKey();
      case TIME_UUID_KEY -> k.getTimeUuidKey();
      case DECIMAL_KEY -> decimal(k.getDecimalKey());
      case KEY_NOT_SET -> null;
    };
  }

  /**
   * The Feast value of a Java value, by its Java type; a list by its first element's (an empty list is
   * a string list).
   *
   * @throws IllegalArgumentException for a type with no Feast counterpart, nested lists or a list with
   *     null elements (Feast's lists cannot carry them)
   */
  public static Value fromJava(Object v) {
    if (v == null) {
      return NULL;
    }
    Value.Builder b = Value.newBuilder();
    if (v instanceof Integer) {
      b.setInt32Val((Integer) v);
    } else if (v instanceof Long) {
      b.setInt64Val((Long) v);
    } else if (v instanceof Short || v instanceof Byte) {
      b.setInt32Val(((Number) v).intValue());
    } else if (v instanceof Float) {
      b.setFloatVal((Float) v);
    } else if (v instanceof Double) {
      b.setDoubleVal((Double) v);
    } else if (v instanceof Boolean) {
      b.setBoolVal((Boolean) v);
    } else if (v instanceof String) {
      b.setStringVal((String) v);
    } else if (v instanceof byte[]) {
      b.setBytesVal(ByteString.copyFrom((byte[]) v));
    } else if (v instanceof Instant) {
      b.setUnixTimestampVal(((Instant) v).getEpochSecond());
    } else if (v instanceof List<?>) {
      list(b, (List<?>) v);
    } else {
      throw new IllegalArgumentException("a " + v.getClass().getName() + " has no Feast value type;"
          + " use Long, Integer, Double, Float, Boolean, String, byte[], Instant or a List of one of them");
    }
    return b.build();
  }

  /** True when an element is null; unlike {@code List.contains(null)}, safe on immutable lists. */
  public static boolean hasNull(List<?> list) {
    for (Object e : list) {
      if (e == null) {
        return true;
      }
    }
    return false;
  }

  private static void list(Value.Builder b, List<?> list) {
    if (hasNull(list)) {
      throw new IllegalArgumentException("Feast's list values cannot hold null elements: " + list);
    }
    Object first = list.isEmpty() ? "" : list.get(0);
    try {
      if (first instanceof Integer) {
        b.setInt32ListVal(Int32List.newBuilder().addAllVal(cast(list, Integer.class)));
      } else if (first instanceof Long) {
        b.setInt64ListVal(Int64List.newBuilder().addAllVal(cast(list, Long.class)));
      } else if (first instanceof Float) {
        b.setFloatListVal(FloatList.newBuilder().addAllVal(cast(list, Float.class)));
      } else if (first instanceof Double) {
        b.setDoubleListVal(DoubleList.newBuilder().addAllVal(cast(list, Double.class)));
      } else if (first instanceof Boolean) {
        b.setBoolListVal(BoolList.newBuilder().addAllVal(cast(list, Boolean.class)));
      } else if (first instanceof String) {
        b.setStringListVal(StringList.newBuilder().addAllVal(cast(list, String.class)));
      } else if (first instanceof byte[]) {
        BytesList.Builder bytes = BytesList.newBuilder();
        cast(list, byte[].class).forEach(x -> bytes.addVal(ByteString.copyFrom(x)));
        b.setBytesListVal(bytes);
      } else if (first instanceof Instant) {
        Int64List.Builder seconds = Int64List.newBuilder();
        cast(list, Instant.class).forEach(t -> seconds.addVal(t.getEpochSecond()));
        b.setUnixTimestampListVal(seconds);
      } else {
        throw new IllegalArgumentException("a list of " + first.getClass().getName() + " has no Feast value type");
      }
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("Feast's list values hold one type; this list mixes them: " + list, e);
    }
  }

  /** The elements as {@code type}; a {@link ClassCastException} when one is not. */
  private static <T> List<T> cast(List<?> list, Class<T> type) {
    List<T> out = new ArrayList<>(list.size());
    for (Object e : list) {
      out.add(type.cast(e));
    }
    return out;
  }
}
