package dev.quiver.server;

import dev.quiver.core.model.RequestField;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sampled request as bytes in a {@link FeatureLogSlot}: what the request thread writes instead of
 * queueing objects, and what the writer reads back, straight into its Arrow vectors ({@link
 * FeatureLogBatches#append(FeatureLogSlot, byte[])}) or as a {@link FeatureLog.Served}. The format lives
 * only between the two threads of one process (never on disk), so it has no version. The registry
 * version, {@code served_at} and the entity row count are the slot's fields; the bytes hold each
 * entity key's values (the keys of the slot's {@link FeatureLog.Shape}, in its order), each
 * request-data field's values (the shape's fields, as their declared types), the feature count, then
 * per feature and entity row its status (ordinal + 1, 0 for none) and value. Every value carries a
 * one-byte tag of its Java class, so the writer sees the same classes the response held (Integer,
 * Long, Float, Double, Boolean, String, byte[], Instant, List of those, null); Short and Byte are kept as
 * Integer, BigInteger as Long, other numbers as Double and other objects as their text (the same
 * values as the writer's {@code Number} conversions and text make of them).
 */
final class FeatureLogRecord {
  static final int NULL = 0;
  static final int INT = 1;
  static final int LONG = 2;
  static final int FLOAT = 3;
  static final int DOUBLE = 4;
  static final int FALSE = 5;
  static final int TRUE = 6;
  static final int STRING = 7;
  static final int BYTES = 8;
  static final int INSTANT = 9;
  static final int LIST = 10;

  private FeatureLogRecord() {}

  /**
   * Writes {@code response} (and the request data the slot's shape names, from {@code request}) into
   * {@code slot}, whose service, definitions and shape (that of {@code response}) the caller has set.
   */
  static void encode(FeatureLogSlot slot, long registryVersion, Instant servedAt, OnlineRequest request, OnlineResponse response) {
    int rows = response.rows();
    FeatureLog.Shape shape = slot.shape;
    slot.registryVersion = registryVersion;
    slot.servedSeconds = servedAt.getEpochSecond();
    slot.servedNanos = servedAt.getNano();
    slot.rows = rows;
    List<FeatureColumn> features = response.features();
    slot.reserve(8 + rows * (10 * (shape.keys().size() + shape.fields().size() + features.size())));
    Map<String, List<Object>> entities = response.entities();
    for (String key : shape.keys()) {
      column(slot, entities.get(key), rows);
    }
    for (RequestField field : shape.fields()) {
      List<Object> col = request.requestContext().get(field.name());
      if (col == null) {
        col = request.entities().get(field.name());
      }
      for (int r = 0; r < rows; r++) {
        write(slot, FeatureLogSchema.requestValue(field.type(), col == null || r >= col.size() ? null : col.get(r)));
      }
    }
    slot.putInt(features.size());
    for (int f = 0, columns = features.size(); f < columns; f++) {
      FeatureColumn c = features.get(f);
      List<Object> vs = c.values();
      List<FeatureStatus> ss = c.statuses();
      int values = Math.min(rows, vs.size());
      int statuses = Math.min(rows, ss.size());
      for (int r = 0; r < rows; r++) { // a short column (none is) logs nulls: never throw here
        FeatureStatus st = r < statuses ? ss.get(r) : null;
        slot.putCell(st == null ? 0 : st.ordinal() + 1, r < values ? vs.get(r) : null);
      }
    }
  }

  /** The request {@code slot} holds, as objects (the writer's slower way, and its tests'); the slot can be released afterwards. */
  static FeatureLog.Served decode(FeatureLogSlot slot) {
    int rows = slot.rows;
    FeatureLog.Shape shape = slot.shape;
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    for (String key : shape.keys()) {
      entities.put(key, column(slot, rows));
    }
    Map<String, List<Object>> data = new LinkedHashMap<>();
    for (RequestField field : shape.fields()) {
      data.put(field.name(), column(slot, rows));
    }
    int columns = features(slot);
    Object[] values = new Object[columns * rows];
    byte[] statuses = new byte[columns * rows];
    for (int i = 0; i < values.length; i++) {
      statuses[i] = (byte) slot.getByte();
      values[i] = read(slot);
    }
    if (!slot.readAll()) {
      throw new IllegalStateException("feature log record not read to its end");
    }
    OnlineRequest request = new OnlineRequest(List.of(), slot.service, Map.of(), false, data);
    return new FeatureLog.Served(slot.service, slot.definition, slot.defs, slot.registryVersion,
        Instant.ofEpochSecond(slot.servedSeconds, slot.servedNanos), request, entities, rows, shape.refs(), shape.types(), values,
        statuses);
  }

  /** Reads the feature count, checked against the slot's shape. */
  static int features(FeatureLogSlot slot) {
    int columns = slot.getInt();
    if (columns != slot.shape.refs().length) {
      throw new IllegalStateException("feature log record has " + columns + " features, its shape " + slot.shape.refs().length);
    }
    return columns;
  }

  private static void column(FeatureLogSlot slot, List<Object> values, int rows) {
    for (int r = 0; r < rows; r++) {
      write(slot, values == null || r >= values.size() ? null : values.get(r));
    }
  }

  private static List<Object> column(FeatureLogSlot slot, int rows) {
    List<Object> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      out.add(read(slot));
    }
    return out;
  }

  /** {@code v} with its tag, as {@link #read} reads it back. */
  static void writeValue(FeatureLogSlot slot, Object v) {
    write(slot, v);
  }

  private static void write(FeatureLogSlot slot, Object v) {
    if (v == null) { // the common classes first, without the pattern switch's type test
      slot.putByte(NULL);
    } else if (v instanceof Double d) {
      slot.putByte(DOUBLE);
      slot.putLong(Double.doubleToRawLongBits(d));
    } else if (v instanceof Long l) {
      slot.putByte(LONG);
      slot.putLong(l);
    } else if (v instanceof String s) {
      slot.putByte(STRING);
      slot.putString(s);
    } else {
      writeOther(slot, v);
    }
  }

  private static void writeOther(FeatureLogSlot slot, Object v) {
    switch (v) {
      case null -> slot.putByte(NULL);
      case Integer i -> {
        slot.putByte(INT);
        slot.putInt(i);
      }
      case Long l -> {
        slot.putByte(LONG);
        slot.putLong(l);
      }
      case Double d -> {
        slot.putByte(DOUBLE);
        slot.putLong(Double.doubleToRawLongBits(d));
      }
      case Float f -> {
        slot.putByte(FLOAT);
        slot.putInt(Float.floatToRawIntBits(f));
      }
      case Boolean b -> slot.putByte(b ? TRUE : FALSE);
      case String s -> {
        slot.putByte(STRING);
        slot.putString(s);
      }
      case byte[] b -> {
        slot.putByte(BYTES);
        slot.putBytes(b);
      }
      case Instant t -> {
        slot.putByte(INSTANT);
        slot.putLong(t.getEpochSecond());
        slot.putInt(t.getNano());
      }
      case List<?> list -> {
        slot.putByte(LIST);
        slot.putInt(list.size());
        for (Object item : list) {
          write(slot, item);
        }
      }
      case Short s -> write(slot, (int) s);
      case Byte b -> write(slot, (int) b);
      case BigInteger b -> write(slot, b.longValue());
      case Number n -> write(slot, n.doubleValue());
      default -> write(slot, String.valueOf(v));
    }
  }

  /** The next value, as an object. */
  static Object read(FeatureLogSlot slot) {
    return read(slot, slot.getByte());
  }

  /** The value whose tag has been read. */
  static Object read(FeatureLogSlot slot, int tag) {
    return switch (tag) {
      case NULL -> null;
      case INT -> slot.getInt();
      case LONG -> slot.getLong();
      case FLOAT -> Float.intBitsToFloat(slot.getInt());
      case DOUBLE -> Double.longBitsToDouble(slot.getLong());
      case FALSE -> Boolean.FALSE;
      case TRUE -> Boolean.TRUE;
      case STRING -> slot.getString();
      case BYTES -> slot.getBytes();
      case INSTANT -> Instant.ofEpochSecond(slot.getLong(), slot.getInt());
      case LIST -> {
        int n = slot.getInt();
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read(slot));
        }
        yield items;
      }
      default -> throw new IllegalStateException("feature log record: unknown value tag " + tag);
    };
  }
}
