package dev.quiver.grpc;

import com.google.protobuf.ByteString;
import dev.quiver.grpc.feast.types.BoolList;
import dev.quiver.grpc.feast.types.BytesList;
import dev.quiver.grpc.feast.types.DoubleList;
import dev.quiver.grpc.feast.types.FloatList;
import dev.quiver.grpc.feast.types.Int32List;
import dev.quiver.grpc.feast.types.Int64List;
import dev.quiver.grpc.feast.types.StringList;
import dev.quiver.grpc.feast.types.Value;
import java.time.Instant;
import java.util.List;

/**
 * Feast's {@link Value} to and from plain Java values, the one mapping the server and the client share:
 * {@code int32_val} ↔ {@code Integer}, {@code int64_val} ↔ {@code Long}, {@code float_val} ↔ {@code
 * Float}, {@code double_val} ↔ {@code Double}, {@code bool_val} ↔ {@code Boolean}, {@code string_val}
 * ↔ {@code String}, {@code bytes_val} ↔ {@code byte[]}, {@code unix_timestamp_val} (whole seconds, as
 * Feast counts them) ↔ {@code Instant}, the {@code *_list_val}s ↔ {@code List}s of those, and an unset
 * value or {@code null_val} ↔ null. Stateless.
 */
public final class FeastValues {
  private static final Value NULL = Value.getDefaultInstance();

  private FeastValues() {}

  /**
   * The Java value; null for an unset value or {@code null_val}. Lists come back unmodifiable.
   *
   * @throws IllegalArgumentException for a timestamp outside {@link Instant}'s range
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
      case BYTES_LIST_VAL -> v.getBytesListVal().getValList().stream().map(b -> (Object) b.toByteArray()).toList();
      case STRING_LIST_VAL -> List.copyOf(v.getStringListVal().getValList());
      case INT32_LIST_VAL -> List.copyOf(v.getInt32ListVal().getValList());
      case INT64_LIST_VAL -> List.copyOf(v.getInt64ListVal().getValList());
      case DOUBLE_LIST_VAL -> List.copyOf(v.getDoubleListVal().getValList());
      case FLOAT_LIST_VAL -> List.copyOf(v.getFloatListVal().getValList());
      case BOOL_LIST_VAL -> List.copyOf(v.getBoolListVal().getValList());
      case UNIX_TIMESTAMP_LIST_VAL -> v.getUnixTimestampListVal().getValList().stream()
          .map(s -> (Object) seconds(s)).toList();
      case NULL_VAL, VAL_NOT_SET -> null;
    };
  }

  private static Instant seconds(long s) {
    if (s < Instant.MIN.getEpochSecond() || s > Instant.MAX.getEpochSecond()) {
      throw new IllegalArgumentException("unix_timestamp_val " + s + " is outside the representable range of times");
    }
    return Instant.ofEpochSecond(s);
  }

  /**
   * The Feast value of a Java value, by its Java type; a list by its first element's (an empty list is
   * a string list).
   *
   * @throws IllegalArgumentException for a type with no Feast counterpart, nested lists or a list with
   *     null elements (Feast's lists cannot carry them)
   */
  public static Value fromJava(Object v) {
    Value.Builder b = Value.newBuilder();
    switch (v) {
      case null -> {
        return NULL;
      }
      case Integer i -> b.setInt32Val(i);
      case Long l -> b.setInt64Val(l);
      case Short s -> b.setInt32Val(s);
      case Byte x -> b.setInt32Val(x);
      case Float f -> b.setFloatVal(f);
      case Double d -> b.setDoubleVal(d);
      case Boolean x -> b.setBoolVal(x);
      case String s -> b.setStringVal(s);
      case byte[] x -> b.setBytesVal(ByteString.copyFrom(x));
      case Instant t -> b.setUnixTimestampVal(t.getEpochSecond());
      case List<?> list -> list(b, list);
      default -> throw new IllegalArgumentException("a " + v.getClass().getName() + " has no Feast value type;"
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
      switch (first) {
        case Integer i -> b.setInt32ListVal(Int32List.newBuilder().addAllVal(list.stream().map(x -> (Integer) x).toList()));
        case Long l -> b.setInt64ListVal(Int64List.newBuilder().addAllVal(list.stream().map(x -> (Long) x).toList()));
        case Float f -> b.setFloatListVal(FloatList.newBuilder().addAllVal(list.stream().map(x -> (Float) x).toList()));
        case Double d -> b.setDoubleListVal(DoubleList.newBuilder().addAllVal(list.stream().map(x -> (Double) x).toList()));
        case Boolean x -> b.setBoolListVal(BoolList.newBuilder().addAllVal(list.stream().map(e -> (Boolean) e).toList()));
        case String s -> b.setStringListVal(StringList.newBuilder().addAllVal(list.stream().map(e -> (String) e).toList()));
        case byte[] x -> b.setBytesListVal(BytesList.newBuilder()
            .addAllVal(list.stream().map(e -> ByteString.copyFrom((byte[]) e)).toList()));
        case Instant t -> b.setUnixTimestampListVal(Int64List.newBuilder()
            .addAllVal(list.stream().map(e -> ((Instant) e).getEpochSecond()).toList()));
        default -> throw new IllegalArgumentException("a list of " + first.getClass().getName() + " has no Feast value type");
      }
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("Feast's list values hold one type; this list mixes them: " + list, e);
    }
  }
}
