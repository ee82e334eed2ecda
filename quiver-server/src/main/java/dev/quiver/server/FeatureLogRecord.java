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
 * queueing objects, and what the writer reads back as a {@link FeatureLog.Served}. The format lives
 * only between the two threads of one process (never on disk), so it has no version: the registry
 * version, {@code served_at} (seconds and nanoseconds), the entity row count; each entity key's name
 * and values; each request-data field's values (the fields of the slot's {@link FeatureLog.Shape}, as
 * their declared types); then per feature and entity row its status (ordinal + 1, 0 for none) and
 * value. Every value carries a one-byte tag of its Java class, so the writer sees the same classes the
 * response held (Integer, Long, Float, Double, Boolean, String, byte[], Instant, List of those, null);
 * other numbers are kept as Long (BigInteger) or Double, other objects as their text.
 */
final class FeatureLogRecord {
  private static final int NULL = 0;
  private static final int INT = 1;
  private static final int LONG = 2;
  private static final int FLOAT = 3;
  private static final int DOUBLE = 4;
  private static final int FALSE = 5;
  private static final int TRUE = 6;
  private static final int STRING = 7;
  private static final int BYTES = 8;
  private static final int INSTANT = 9;
  private static final int LIST = 10;

  private FeatureLogRecord() {}

  /**
   * Writes {@code response} (and the request data the slot's shape names, from {@code request}) into
   * {@code slot}, whose service, definitions and shape the caller has set.
   */
  static void encode(FeatureLogSlot slot, long registryVersion, Instant servedAt, OnlineRequest request, OnlineResponse response) {
    int rows = response.rows();
    slot.putLong(registryVersion);
    slot.putLong(servedAt.getEpochSecond());
    slot.putInt(servedAt.getNano());
    slot.putInt(rows);
    Map<String, List<Object>> entities = response.entities();
    slot.putInt(entities.size());
    for (Map.Entry<String, List<Object>> e : entities.entrySet()) {
      slot.putString(e.getKey());
      column(slot, e.getValue(), rows);
    }
    List<RequestField> fields = slot.shape.fields();
    slot.putInt(fields.size());
    for (RequestField field : fields) {
      List<Object> col = request.requestContext().get(field.name());
      if (col == null) {
        col = request.entities().get(field.name());
      }
      for (int r = 0; r < rows; r++) {
        value(slot, FeatureLogSchema.requestValue(field.type(), col == null || r >= col.size() ? null : col.get(r)));
      }
    }
    List<FeatureColumn> features = response.features();
    slot.putInt(features.size());
    for (FeatureColumn c : features) {
      List<Object> vs = c.values();
      List<FeatureStatus> ss = c.statuses();
      for (int r = 0; r < rows; r++) { // a short column (none is) logs nulls: never throw here
        FeatureStatus st = r < ss.size() ? ss.get(r) : null;
        slot.putByte(st == null ? 0 : st.ordinal() + 1);
        value(slot, r < vs.size() ? vs.get(r) : null);
      }
    }
  }

  /** The request {@code slot} holds, as the writer appends it; the slot can be released afterwards. */
  static FeatureLog.Served decode(FeatureLogSlot slot) {
    long registryVersion = slot.getLong();
    Instant servedAt = Instant.ofEpochSecond(slot.getLong(), slot.getInt());
    int rows = slot.getInt();
    int keys = slot.getInt();
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    for (int k = 0; k < keys; k++) {
      String name = slot.getString();
      entities.put(name, column(slot, rows));
    }
    List<RequestField> fields = slot.shape.fields();
    int fieldCount = slot.getInt();
    if (fieldCount != fields.size()) {
      throw new IllegalStateException("feature log record has " + fieldCount + " request fields, its shape " + fields.size());
    }
    Map<String, List<Object>> data = new LinkedHashMap<>();
    for (RequestField field : fields) {
      data.put(field.name(), column(slot, rows));
    }
    int columns = slot.getInt();
    if (columns != slot.shape.refs().length) {
      throw new IllegalStateException("feature log record has " + columns + " features, its shape " + slot.shape.refs().length);
    }
    Object[] values = new Object[columns * rows];
    byte[] statuses = new byte[columns * rows];
    for (int i = 0; i < values.length; i++) {
      statuses[i] = (byte) slot.getByte();
      values[i] = value(slot);
    }
    if (!slot.readAll()) {
      throw new IllegalStateException("feature log record not read to its end");
    }
    OnlineRequest request = new OnlineRequest(List.of(), slot.service, Map.of(), false, data);
    return new FeatureLog.Served(slot.service, slot.definition, slot.defs, registryVersion, servedAt, request, entities, rows,
        slot.shape.refs(), slot.shape.types(), values, statuses);
  }

  private static void column(FeatureLogSlot slot, List<Object> values, int rows) {
    for (int r = 0; r < rows; r++) {
      value(slot, values == null || r >= values.size() ? null : values.get(r));
    }
  }

  private static List<Object> column(FeatureLogSlot slot, int rows) {
    List<Object> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      out.add(value(slot));
    }
    return out;
  }

  private static void value(FeatureLogSlot slot, Object v) {
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
          value(slot, item);
        }
      }
      case Short s -> value(slot, (int) s);
      case Byte b -> value(slot, (int) b);
      case BigInteger b -> value(slot, b.longValue());
      case Number n -> value(slot, n.doubleValue());
      default -> value(slot, String.valueOf(v));
    }
  }

  private static Object value(FeatureLogSlot slot) {
    int tag = slot.getByte();
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
          items.add(value(slot));
        }
        yield items;
      }
      default -> throw new IllegalStateException("feature log record: unknown value tag " + tag);
    };
  }
}
