package dev.quiver.offline.spark;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.spi.SourceAppend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Appends pushed rows to a Parquet file source on a local path (or a shared mount) for the Spark
 * engine, without a Spark job: the new file takes the exact Parquet schema of the source's first file
 * (so Spark reads it with the others, without schema merging), is written by parquet-java under
 * {@code .quiver/tmp} and published by {@link SourceAppend}. Every row is converted before anything is
 * written, so a value that does not fit refuses the push with nothing written.
 */
final class ParquetAppender {
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  private ParquetAppender() {}

  static Path append(FileSource source, Path repoRoot, String fileName, List<String> columns, List<Object[]> rows, String tag) {
    if (!source.isLocal()) {
      String what = source.isIceberg() ? "an Iceberg table (" + source.path() + ")" : "at " + source.path();
      throw new InvalidRequestException("source '" + source.name() + "' is " + what + "; an offline push on the Spark"
          + " engine writes its new file on this machine, which reaches local paths and shared mounts only; push with"
          + " \"to\": \"online\", or point the source at a local path or mount");
    }
    if (source.format() != FileFormat.PARQUET) {
      throw new InvalidRequestException("source '" + source.name() + "' is " + source.format().name().toLowerCase(java.util.Locale.ROOT)
          + "; an offline push on the Spark engine appends Parquet files only; push with \"to\": \"online\", convert the"
          + " source to Parquet, or use the DuckDB engine (offline: {engine: duckdb})");
    }
    SourceAppend append = SourceAppend.plan(source, repoRoot, fileName, tag);
    if (append.already()) {
      return append.file();
    }
    MessageType schema = schemaOf(append);
    Map<String, Type> fields = new LinkedHashMap<>();
    for (Type f : schema.getFields()) {
      fields.put(f.getName(), f);
    }
    append.requireColumns(fields.keySet(), columns);
    SimpleGroupFactory factory = new SimpleGroupFactory(schema);
    List<Group> groups = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      Object[] row = rows.get(r);
      Group g = factory.newGroup();
      for (int i = 0; i < columns.size(); i++) {
        try {
          put(g, fields.get(columns.get(i)), row[i]);
        } catch (Misfit e) {
          throw append.misfit(r, "column '" + columns.get(i) + "': " + e.getMessage());
        }
      }
      for (Type f : schema.getFields()) {
        if (f.isRepetition(Type.Repetition.REQUIRED) && g.getFieldRepetitionCount(f.getName()) == 0) {
          throw append.misfit(r, "column '" + f.getName() + "' is required in the source's files and has no value");
        }
      }
      groups.add(g);
    }
    Path tmp = append.temporary();
    try {
      Files.deleteIfExists(tmp);
      try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(tmp)).withType(schema)
          .withConf(new Configuration(false)).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
        for (Group g : groups) {
          writer.write(g);
        }
      }
    } catch (IOException e) {
      throw append.failure(e);
    }
    return append.publish(tmp);
  }

  private static MessageType schemaOf(SourceAppend append) {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(append.template()))) {
      return reader.getFileMetaData().getSchema();
    } catch (IOException | RuntimeException e) {
      throw new dev.quiver.core.SourceDataException(append.source().name(), append.source().path(), "source '"
          + append.source().name() + "': cannot read the columns of " + append.template() + " to append beside it: "
          + e.getMessage());
    }
  }

  /** A value that does not fit its column; the message says why. */
  static final class Misfit extends Exception {
    Misfit(String message) {
      super(message, null, false, false);
    }
  }

  private static void put(Group g, Type field, Object v) throws Misfit {
    if (v == null) {
      return; // optional columns not written are null
    }
    if (field.isPrimitive()) {
      if (field.isRepetition(Type.Repetition.REPEATED)) {
        throw new Misfit("a repeated column without a LIST annotation, which a push cannot write");
      }
      add(g, field.getName(), field.asPrimitiveType(), v);
      return;
    }
    GroupType group = field.asGroupType();
    if (!(group.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) || group.getFieldCount() != 1) {
      throw new Misfit("a nested column (" + group.getLogicalTypeAnnotation() + "), which a push cannot write");
    }
    if (!(v instanceof List<?> list)) {
      throw new Misfit("a list, not " + describe(v));
    }
    Group listGroup = g.addGroup(field.getName());
    Type repeated = group.getType(0);
    if (repeated.isPrimitive()) { // two-level list: elements are the repeated values, never null
      for (Object e : list) {
        if (e == null) {
          throw new Misfit("a list whose elements cannot be null in the source's files");
        }
        add(listGroup, repeated.getName(), repeated.asPrimitiveType(), e);
      }
      return;
    }
    GroupType wrapper = repeated.asGroupType();
    if (wrapper.getFieldCount() != 1 || !wrapper.getType(0).isPrimitive()) {
      throw new Misfit("a list of nested values, which a push cannot write");
    }
    PrimitiveType element = wrapper.getType(0).asPrimitiveType();
    for (Object e : list) {
      Group slot = listGroup.addGroup(wrapper.getName());
      if (e == null) {
        if (element.isRepetition(Type.Repetition.REQUIRED)) {
          throw new Misfit("a list whose elements cannot be null in the source's files");
        }
        continue;
      }
      add(slot, element.getName(), element, e);
    }
  }

  static void add(Group g, String name, PrimitiveType type, Object v) throws Misfit {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    switch (type.getPrimitiveTypeName()) {
      case BOOLEAN -> {
        if (!(v instanceof Boolean b)) {
          throw new Misfit("takes true or false, not " + describe(v));
        }
        g.append(name, b);
      }
      case INT32 -> {
        if (logical != null && !(logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation)) {
          throw new Misfit("is " + logical + " in the source's files, which a push cannot write");
        }
        long x = whole(v);
        int bits = logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i ? i.getBitWidth() : 32;
        boolean signed = !(logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) || i.isSigned();
        long min = signed ? -(1L << (bits - 1)) : 0;
        long max = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
        if (x < min || x > max) {
          throw new Misfit("takes whole numbers from " + min + " to " + max + ", not " + x);
        }
        g.append(name, (int) x);
      }
      case INT64 -> {
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
          if (!(v instanceof Instant t)) {
            throw new Misfit("takes a timestamp, not " + describe(v));
          }
          g.append(name, switch (ts.getUnit()) {
            case MILLIS -> t.toEpochMilli();
            case MICROS -> Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
            case NANOS -> Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
          });
        } else if (logical == null || logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && i.isSigned()) {
          g.append(name, whole(v));
        } else {
          throw new Misfit("is " + logical + " in the source's files, which a push cannot write");
        }
      }
      case INT96 -> {
        if (!(v instanceof Instant t)) {
          throw new Misfit("takes a timestamp, not " + describe(v));
        }
        long nanos = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        long day = Math.floorDiv(nanos, NANOS_PER_DAY);
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(Math.floorMod(nanos, NANOS_PER_DAY)).putInt((int) (day + JULIAN_EPOCH_DAY));
        g.append(name, Binary.fromConstantByteArray(b.array()));
      }
      case FLOAT -> g.append(name, number(v).floatValue());
      case DOUBLE -> g.append(name, number(v).doubleValue());
      case BINARY -> {
        if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation) {
          if (!(v instanceof String s)) {
            throw new Misfit("takes text, not " + describe(v));
          }
          g.append(name, s);
        } else if (logical == null) {
          if (!(v instanceof byte[] bytes)) {
            throw new Misfit("takes bytes, not " + describe(v));
          }
          g.append(name, Binary.fromConstantByteArray(bytes));
        } else {
          throw new Misfit("is " + logical + " in the source's files, which a push cannot write");
        }
      }
      case FIXED_LEN_BYTE_ARRAY -> throw new Misfit("is a fixed-length " + (logical == null ? "binary" : logical.toString())
          + " in the source's files, which a push cannot write");
    }
  }

  private static long whole(Object v) throws Misfit {
    return switch (v) {
      case Long x -> x;
      case Integer x -> x;
      case Short x -> x;
      case Byte x -> x;
      case Double x when x == Math.rint(x) && Math.abs(x) < 0x1p63 -> x.longValue(); // 5.0, as a JSON number may come
      default -> throw new Misfit("takes a whole number, not " + describe(v));
    };
  }

  private static Number number(Object v) throws Misfit {
    return switch (v) {
      case Double x -> x;
      case Float x -> x;
      case Long x -> x;
      case Integer x -> x;
      case Short x -> x;
      case Byte x -> x;
      default -> throw new Misfit("takes a number, not " + describe(v));
    };
  }

  private static String describe(Object v) {
    String text = v instanceof byte[] b ? b.length + " bytes" : String.valueOf(v);
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return (v instanceof String ? "\"" + text + "\"" : text) + " (" + v.getClass().getSimpleName() + ")";
  }
}
