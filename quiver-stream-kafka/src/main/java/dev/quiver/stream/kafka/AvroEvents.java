package dev.quiver.stream.kafka;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.StreamSource;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes record values of an Avro stream source ({@code format: avro}) with Apache Avro's {@link
 * GenericDatumReader}: in the Confluent wire format (magic byte 0, a 4-byte big-endian schema id,
 * the Avro binary) with writer schemas from the source's schema registry, or as plain Avro binary
 * written with the source's one schema. Each top-level field becomes a row value under the name the
 * definitions use (after the field mapping), as the push path takes them: int and long as {@code
 * Long}, float and double as themselves, string and enum as text, bytes and fixed as {@code byte[]},
 * decimal as {@code Double}, date as ISO text, timestamp-millis/micros (and the local ones, as UTC)
 * as {@link Instant}, arrays of these as lists, a union as its branch. A plain long (or int) event
 * time or created time is epoch milliseconds. Nested records and maps are left out (a row holds
 * scalars and lists). Each writer schema is read as itself, so a field an older schema lacks is
 * simply null. Thread-safe.
 */
final class AvroEvents implements RecordDecoder {
  private static final byte MAGIC = 0;
  private static final Object LEFT_OUT = new Object();

  private final StreamSource source;
  private final List<String> requiredKeys;
  private final SchemaRegistry registry; // null: one fixed schema
  private final Schema fixed; // null: schemas from the registry
  private final Map<Schema, GenericDatumReader<GenericRecord>> readers = new java.util.concurrent.ConcurrentHashMap<>();

  private AvroEvents(StreamSource source, List<String> requiredKeys, SchemaRegistry registry, Schema fixed) {
    this.source = source;
    this.requiredKeys = List.copyOf(requiredKeys);
    this.registry = registry;
    this.fixed = fixed;
  }

  /**
   * The decoder of an Avro source: its registry client, or its fixed schema read and checked now.
   *
   * @throws InvalidRequestException when the schema (file) cannot be read, is not an Avro record
   *     schema or lacks the event-time field or a required key, or the registry password's
   *     reference cannot be resolved
   */
  static AvroEvents of(StreamSource source, List<String> requiredKeys, Path repoRoot) {
    AvroSettings avro = source.avro();
    String what = "avro source '" + source.name() + "'";
    if (avro.usesRegistry()) {
      String password = avro.password() == null ? null : secret(avro.password(), repoRoot, what);
      Function<Schema, Schema> check = s -> {
        if (s.getType() != Schema.Type.RECORD) {
          throw new IllegalArgumentException("is a " + s.getType().getName() + " schema; values must be Avro records");
        }
        return s;
      };
      return new AvroEvents(source, requiredKeys,
          new SchemaRegistry(avro.schemaRegistry(), avro.username(), password, check), null);
    }
    String text;
    String where;
    if (avro.inlineSchema()) {
      text = avro.schema();
      where = "the schema of " + what;
    } else {
      Path file = repoRoot.resolve(avro.schema());
      where = "the schema file " + avro.schema() + " of " + what;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new InvalidRequestException("cannot read " + where + " (" + file + "): " + e.getMessage()
            + "; give schema: a path relative to the feature repo, or the schema's JSON");
      }
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new InvalidRequestException(where + " is not a valid Avro schema: " + e.getMessage());
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new InvalidRequestException(where + " is a " + schema.getType().getName()
          + " schema; values must be Avro records");
    }
    List<String> needed = new ArrayList<>();
    needed.add(source.timestampColumn());
    needed.addAll(requiredKeys);
    for (String column : needed) {
      String raw = source.batch().rawColumn(column);
      if (schema.getField(raw) == null) {
        throw new InvalidRequestException(where + " has no field '" + raw + "' (" + (column.equals(source.timestampColumn())
            ? "the event time" : "a join key of a view over the source") + "); its fields: "
            + String.join(", ", schema.getFields().stream().map(Schema.Field::name).toList()));
      }
    }
    return new AvroEvents(source, requiredKeys, null, schema);
  }

  @Override
  public Decoded decode(byte[] value) {
    if (value == null) {
      return Decoded.refused("the record has no value (a tombstone)");
    }
    if (registry == null) {
      return read(fixed, value, 0, "the source's schema");
    }
    if (value.length < 5) {
      return Decoded.refused("value of " + value.length + " bytes is too short for the Confluent wire format (magic byte 0,"
          + " a 4-byte schema id, then the Avro binary)");
    }
    if (value[0] != MAGIC) {
      return Decoded.refused(String.format("magic byte is 0x%02x, not 0: not in the Confluent wire format%s", value[0],
          value[0] == '{' ? " (JSON text? use format: json)" : ""));
    }
    int id = ByteBuffer.wrap(value, 1, 4).getInt();
    SchemaRegistry.Lookup lookup = registry.schema(id);
    if (lookup.schema() == null) {
      return Decoded.refused(lookup.unusable());
    }
    return read(lookup.schema(), value, 5, "schema id " + id);
  }

  private Decoded read(Schema schema, byte[] value, int offset, String writtenWith) {
    GenericRecord record;
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, null);
    try {
      record = readers.computeIfAbsent(schema, GenericDatumReader::new).read(null, in);
      if (!in.isEnd()) {
        return Decoded.refused("does not decode with " + writtenWith + ": bytes are left over after the record");
      }
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
        | UnsupportedOperationException e) {
      return Decoded.refused("does not decode with " + writtenWith + ": " + (e instanceof java.io.EOFException
          ? "the value ends inside the record" : e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (Schema.Field f : schema.getFields()) {
      Object v;
      try {
        v = value(f.schema(), record.get(f.pos()));
      } catch (IllegalArgumentException e) {
        return Decoded.refused("field '" + f.name() + "' " + e.getMessage());
      }
      if (v == LEFT_OUT) {
        continue;
      }
      String name = source.fieldMapping().getOrDefault(f.name(), f.name());
      if (v instanceof Long millis && (name.equals(source.timestampColumn()) || name.equals(source.createdColumn()))) {
        v = Instant.ofEpochMilli(millis); // a plain long time: epoch milliseconds
      }
      row.put(name, v);
    }
    return RecordDecoder.checked(source, requiredKeys, row);
  }

  /** A field's value as a row holds it, or {@link #LEFT_OUT} for a nested record or map. */
  private static Object value(Schema s, Object v) {
    if (v == null) {
      return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.MAP ? LEFT_OUT : null;
    }
    LogicalType logical = s.getLogicalType();
    return switch (s.getType()) {
      case UNION -> value(s.getTypes().get(GenericData.get().resolveUnion(s, v)), v);
      case STRING, ENUM -> v.toString();
      case BOOLEAN, DOUBLE, FLOAT -> v;
      case INT -> logical instanceof LogicalTypes.Date ? LocalDate.ofEpochDay((Integer) v).toString()
          : (Object) Long.valueOf((Integer) v);
      case LONG -> time(logical, (Long) v);
      case BYTES -> logical instanceof LogicalTypes.Decimal
          ? decimal(new Conversions.DecimalConversion().fromBytes(((ByteBuffer) v).duplicate(), s, logical))
          : bytes((ByteBuffer) v);
      case FIXED -> logical instanceof LogicalTypes.Decimal
          ? decimal(new Conversions.DecimalConversion().fromFixed((GenericFixed) v, s, logical))
          : ((GenericFixed) v).bytes().clone();
      case ARRAY -> list(s.getElementType(), (Collection<?>) v);
      case RECORD, MAP -> LEFT_OUT;
      case NULL -> null;
    };
  }

  private static Object time(LogicalType logical, long v) {
    if (logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.LocalTimestampMillis) {
      return Instant.ofEpochMilli(v);
    }
    if (logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.LocalTimestampMicros) {
      return Instant.EPOCH.plus(v, ChronoUnit.MICROS);
    }
    if (logical instanceof LogicalTypes.TimestampNanos || logical instanceof LogicalTypes.LocalTimestampNanos) {
      return Instant.EPOCH.plusNanos(v);
    }
    return v;
  }

  private static Object list(Schema element, Collection<?> values) {
    List<Object> out = new ArrayList<>(values.size());
    for (Object e : values) {
      Object v = value(element, e);
      if (v == LEFT_OUT || v instanceof List<?>) {
        throw new IllegalArgumentException("holds nested lists, records or maps; values are scalars or lists of scalars");
      }
      out.add(v);
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static Double decimal(BigDecimal d) {
    return d.doubleValue();
  }

  /** The secret a {@code ${ENV}} or {@code ${file:PATH}} reference names; messages name the reference only. */
  private static String secret(String reference, Path repoRoot, String what) {
    String inner = reference.substring(2, reference.length() - 1);
    if (inner.startsWith("file:")) {
      Path file = repoRoot.resolve(inner.substring(5));
      try {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new InvalidRequestException("cannot read the schema registry password of " + what + " from " + file
            + " (" + e.getClass().getSimpleName() + "); create the file or change schema_registry_auth.password");
      }
    }
    String value = System.getenv(inner);
    if (value == null) {
      throw new InvalidRequestException("the schema registry password of " + what + " comes from the environment"
          + " variable " + inner + ", which is not set; export it before starting the consumer");
    }
    return value;
  }
}
