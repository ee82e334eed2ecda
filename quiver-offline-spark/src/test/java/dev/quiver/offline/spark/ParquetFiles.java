package dev.quiver.offline.spark;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes test Parquet files with parquet-java directly (no Spark job, so fixtures cost milliseconds):
 * each Quiver type in its natural Parquet type, as Spark writes it (int32 as INT32, timestamps as
 * UTC-adjusted microseconds, strings as UTF-8 binaries, lists as three-level LISTs).
 */
final class ParquetFiles {
  private ParquetFiles() {}

  static void write(Path file, List<Column> columns, List<Object[]> rows) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (Column c : columns) {
      message.addField(type(c.name(), c.type()));
    }
    MessageType schema = message.named("quiver_test");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try {
      Files.deleteIfExists(file);
      try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
          .withConf(new Configuration(false)).build()) {
        for (Object[] row : rows) {
          Group g = groups.newGroup();
          for (int i = 0; i < columns.size(); i++) {
            Object v = row[i];
            if (v == null) {
              continue;
            }
            String name = columns.get(i).name();
            if (columns.get(i).type() instanceof ListType) {
              Group list = g.addGroup(name);
              for (Object element : (List<?>) v) {
                Group e = list.addGroup("list");
                if (element != null) {
                  append(e, "element", element);
                }
              }
            } else {
              append(g, name, v);
            }
          }
          writer.write(g);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Group g, String name, Object v) {
    switch (v) {
      case Integer x -> g.append(name, x);
      case Long x -> g.append(name, x);
      case Float x -> g.append(name, x);
      case Double x -> g.append(name, x);
      case Boolean x -> g.append(name, x);
      case String x -> g.append(name, x);
      case byte[] x -> g.append(name, Binary.fromConstantByteArray(x));
      case Instant x -> g.append(name, Timestamps.toMicros(x));
      default -> throw new IllegalArgumentException("no Parquet value for " + v.getClass());
    }
  }

  private static Type type(String name, ValueType type) {
    return switch (type) {
      case ScalarType s -> primitive(s).named(name);
      case ListType l -> Types.optionalList().setElementType(primitive(l.element()).named("element")).named(name);
    };
  }

  private static Types.PrimitiveBuilder<PrimitiveType> primitive(ScalarType s) {
    return switch (s) {
      case INT32 -> Types.optional(PrimitiveTypeName.INT32);
      case INT64 -> Types.optional(PrimitiveTypeName.INT64);
      case FLOAT32 -> Types.optional(PrimitiveTypeName.FLOAT);
      case FLOAT64 -> Types.optional(PrimitiveTypeName.DOUBLE);
      case BOOL -> Types.optional(PrimitiveTypeName.BOOLEAN);
      case STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType());
      case BYTES -> Types.optional(PrimitiveTypeName.BINARY);
      case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
    };
  }
}
